import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  ErrorCode,
  JOB_NAMES,
  TokenledgerError,
  validateUsageEvent,
  type RepriceJob,
} from '@tokenledger/contracts';
import {
  ModelFactsRepository,
  RateTableRepository,
  RepriceRunsRepository,
  Store,
  within,
  type CachedPricer,
} from '@tokenledger/db';
import { effectivePrice, tablesInForce, type CatalogSnapshot, type TableInForce } from '@tokenledger/pricing';
import Decimal from 'decimal.js';
import { QueueProvider } from '../queue/queue.provider';
import type { OrgAccess } from '../access/principal';
import type {
  Benchmark,
  CatalogModel,
  ModelPrice,
  PublishRateVersionInput,
  PublishRateVersionResult,
  Quote,
  QuoteInput,
  RateTableInfo,
  RateVersionRef,
} from './rates.model';

/** A reprice job waits this long so that every worker has reloaded the catalog first (they check every 2 s). */
export const REPRICE_DELAY_MS = 5000;
const SNAPSHOT_TTL_MS = 2000;

interface BenchmarkJson {
  unit?: string;
  score?: number;
  approximate?: boolean;
}

/** Quotes, the catalog view, rate tables and publishing: the pricing library over the stored tables. */
@Injectable()
export class RatesService implements OnModuleInit {
  private readonly pricer: CachedPricer;
  private snapshot?: { at: number; value: Promise<CatalogSnapshot> };

  constructor(
    store: Store,
    private readonly repo: RateTableRepository,
    private readonly modelFacts: ModelFactsRepository,
    private readonly runs: RepriceRunsRepository,
    private readonly queues: QueueProvider,
  ) {
    this.pricer = store.pricer();
  }

  onModuleInit(): void {
    // Warm the catalog in the background so the first quote does not pay for it.
    void this.pricer.current().catch(() => undefined);
  }

  private catalog(): Promise<CatalogSnapshot> {
    if (!this.snapshot || Date.now() - this.snapshot.at > SNAPSHOT_TTL_MS) {
      this.snapshot = { at: Date.now(), value: this.repo.loadSnapshot() };
      this.snapshot.value.catch(() => (this.snapshot = undefined));
    }
    return this.snapshot.value;
  }

  private async versionRefs(): Promise<Map<string, RateVersionRef>> {
    const refs = new Map<string, RateVersionRef>();
    for (const t of (await this.catalog()).tables) {
      for (const v of t.versions)
        refs.set(v.id, {
          id: v.id,
          table: t.slug,
          tableName: t.name ?? t.slug,
          version: v.version,
          effectiveFrom: new Date(v.effectiveFrom),
        });
    }
    return refs;
  }

  async quote(org: { id: string; slug: string } | null, input: QuoteInput): Promise<Quote> {
    const organizationId = org?.id ?? null;
    const raw = {
      eventId: 'quote',
      occurredAt: (input.occurredAt ?? new Date()).toISOString(),
      provider: input.provider,
      model: input.model,
      usage: Object.fromEntries(Object.entries(input.usage).filter(([, v]) => v !== null && v !== undefined)),
      ...(input.serviceTier ? { serviceTier: input.serviceTier } : {}),
    };
    const checked = validateUsageEvent(raw, new Date(Date.now() + 366 * 86_400_000));
    if (!checked.ok) {
      const errors = checked.errors.map((e) => ({ path: `input.${e.path}`, message: e.message }));
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        errors.map((e) => `${e.path}: ${e.message}`).join('; '),
        errors,
      );
    }
    const result = (await this.pricer.current()).price(checked.event, organizationId);
    const refs = result.rateVersionId ? await this.versionRefs() : new Map<string, RateVersionRef>();
    return {
      status: result.status,
      reason: result.reason,
      totalUsd: result.totalUsd,
      breakdown: Object.entries(result.breakdown ?? {}).map(([component, usd]) => ({
        component,
        usd: usd as Decimal,
      })),
      rateVersion: result.rateVersionId ? (refs.get(result.rateVersionId) ?? null) : null,
      pricedModel: result.pricedModel,
      pricedProvider: result.pricedProvider,
      flags: result.flags,
      pricesFrom: org ? `organization ${org.slug}` : 'catalog',
    };
  }

  async models(
    organizationId: string | null,
    search: string | null | undefined,
    provider: string | null | undefined,
    first: number,
  ): Promise<CatalogModel[]> {
    if (first < 1 || first > 500)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'first: must be between 1 and 500');
    const facts = await this.modelFacts.search(search, provider, first);
    const snapshot = await this.catalog();
    const inForce = tablesInForce(snapshot, new Date(), organizationId);
    const visible = snapshot.tables.filter(
      (t) => t.organizationId === null || t.organizationId === organizationId,
    );
    const ref = (
      table: { slug: string; name?: string },
      version: { id: string; version: number; effectiveFrom: Date | string },
    ): RateVersionRef => ({
      id: version.id,
      table: table.slug,
      tableName: table.name ?? table.slug,
      version: version.version,
      effectiveFrom: new Date(version.effectiveFrom),
    });
    const priceOf = (
      table: { slug: string; name?: string },
      version: { id: string; version: number; effectiveFrom: Date | string },
      rate: { source: string; prices: unknown; match: unknown },
    ): ModelPrice => ({
      rateVersion: ref(table, version),
      source: rate.source,
      prices: rate.prices,
      match: rate.match,
      derivation: null,
    });
    // Models only an organization's own tables price (a self-hosted model) have no catalog facts:
    // list them too, so a user can confirm the rate they published.
    const known = new Set(facts.map((f) => `${f.provider}\n${f.model}`));
    const term = search?.trim().toLowerCase();
    const ownOnly: typeof facts = [];
    for (const t of visible.filter((v) => v.organizationId !== null))
      for (const v of t.versions)
        for (const r of v.rates) {
          const k = `${r.provider}\n${r.model}`;
          if (known.has(k) || (provider && r.provider !== provider)) continue;
          if (term && !r.model.toLowerCase().includes(term) && !r.provider.toLowerCase().includes(term))
            continue;
          if ((r.prices as { discountPercent?: unknown }).discountPercent !== undefined) continue;
          known.add(k);
          ownOnly.push({
            provider: r.provider,
            model: r.model,
            displayName: null,
            contextWindow: null,
            maxOutputTokens: null,
            inputModalities: [],
            outputModalities: [],
            capabilities: [],
            benchmarks: {},
          });
        }
    const listed = [...facts, ...ownOnly].slice(0, first);
    return listed.map((f) => {
      const history: ModelPrice[] = [];
      for (const table of visible) {
        for (const version of table.versions) {
          const rate = version.rates.find((r) => r.provider === f.provider && r.model === f.model);
          if (rate) history.push(priceOf(table, version, rate));
        }
      }
      history.sort((a, b) => a.rateVersion.effectiveFrom.getTime() - b.rateVersion.effectiveFrom.getTime());
      const benchmarks: Benchmark[] = Object.entries(
        (f.benchmarks ?? {}) as Record<string, BenchmarkJson | null>,
      ).map(([name, b]) => ({
        name,
        score: b?.score ?? null,
        unit: b?.unit ?? null,
        approximate: b?.approximate ?? false,
      }));
      return {
        provider: f.provider,
        model: f.model,
        displayName: f.displayName,
        contextWindow: f.contextWindow,
        maxOutputTokens: f.maxOutputTokens,
        inputModalities: f.inputModalities,
        outputModalities: f.outputModalities,
        capabilities: f.capabilities,
        benchmarks,
        priceInForce: inForcePrice(inForce, f.provider, f.model, ref),
        priceHistory: history,
      };
    });
  }

  async rateTables(access: OrgAccess): Promise<RateTableInfo[]> {
    const tables = consultOrder(await this.repo.listTables(access.organizationId));
    return tables.map((t, i) => ({
      position: i + 1,
      id: t.id,
      slug: t.slug,
      name: t.name,
      kind: t.kind,
      own: t.organizationId === access.organizationId,
      priority: t.priority,
      versions: t.versions.map((v) => ({ ...v, note: v.note ?? null, publishedBy: v.publishedBy ?? null })),
    }));
  }

  /**
   * Publishes a version of one of the organization's override tables; when it starts in the past,
   * records a reprice run and queues it (after the workers have reloaded the catalog).
   */
  async publish(
    access: OrgAccess,
    input: PublishRateVersionInput,
    publishedBy: string,
  ): Promise<PublishRateVersionResult> {
    const rates = input.rates.map((r) =>
      r && typeof r === 'object' && !('source' in r)
        ? { ...(r as object), source: `published by ${publishedBy}` }
        : r,
    );
    const result = await this.repo.publishVersion({
      table: {
        organizationId: access.organizationId,
        slug: input.table,
        name: input.name ?? input.table,
        kind: 'override',
      },
      effectiveFrom: input.effectiveFrom,
      rates,
      merge: input.merge,
      replace: input.replace,
      remove: input.remove ?? undefined,
      priority: input.priority ?? undefined,
      source: `GraphQL publishRateVersion by ${publishedBy}`,
      note: input.note ?? null,
      publishedBy,
      skipIfUnchanged: true,
    });
    this.snapshot = undefined; // this process sees its own publication at once
    let repriceRun = null;
    if (result.published && input.effectiveFrom < new Date()) {
      const runId = await this.runs.create({
        organizationId: access.organizationId,
        since: input.effectiveFrom,
        reason: `rate version ${input.table} v${result.version.version} published with effectiveFrom in the past`,
        rateVersionId: result.version.id,
        requestedBy: publishedBy,
      });
      const job: RepriceJob = {
        organizationId: access.organizationId,
        since: input.effectiveFrom.toISOString(),
        until: null,
        reason: 'rate version published',
        rateVersionId: result.version.id,
        requestedBy: publishedBy,
        repriceRunId: runId,
      };
      try {
        await within(
          this.queues.reprice.add(JOB_NAMES.reprice, job, {
            jobId: runId,
            delay: REPRICE_DELAY_MS,
            attempts: 5,
            backoff: { type: 'exponential', delay: 5000 },
          }),
          3000,
          'Redis',
        );
      } catch {
        await this.runs.markFailed(runId, 'could not queue: Redis unavailable; run `tokenledger reprice`');
      }
      repriceRun = await this.runs.require(runId);
    }
    return {
      version: {
        ...result.version,
        note: result.version.note ?? null,
        publishedBy: result.version.publishedBy ?? null,
        rateCount: result.rateCount,
      },
      published: result.published,
      changes: {
        added: result.changes.added.length,
        changed: result.changes.changed.length,
        removed: result.changes.removed.length,
        unchanged: result.changes.unchanged,
      },
      repriceRun,
    };
  }
}

/** Tables in the order the pricer consults them (libs/pricing RateIndex): own first, by priority, then slug. */
function consultOrder<T extends { organizationId: string | null; priority: number; slug: string }>(
  tables: T[],
): T[] {
  return [...tables].sort(
    (a, b) =>
      (a.organizationId === null ? 1 : 0) - (b.organizationId === null ? 1 : 0) ||
      a.priority - b.priority ||
      a.slug.localeCompare(b.slug),
  );
}

/** The effective price in force (discount applied) and how it was found. */
function inForcePrice(
  inForce: TableInForce[],
  provider: string,
  model: string,
  ref: (
    table: { slug: string; name?: string },
    version: { id: string; version: number; effectiveFrom: Date | string },
  ) => RateVersionRef,
): ModelPrice | null {
  const found = effectivePrice(inForce, provider, model);
  if (!found) return null;
  const base = inForce[found.base.table]!;
  const baseRef = ref(base.table, base.version);
  const discountTable = found.discount ? inForce[found.discount.table]! : null;
  const discountRef = discountTable ? ref(discountTable.table, discountTable.version) : null;
  const pct = found.discount
    ? new Decimal((found.discount.prices as { discountPercent: string }).discountPercent)
    : null;
  const label = (r: RateVersionRef) => `${r.tableName} v${r.version}`;
  return {
    // The version that decides the price: the override's when a discount applies (as a quote's rateVersion).
    rateVersion: discountRef ?? baseRef,
    source: found.discount?.source ?? found.base.source,
    prices: found.prices,
    match: found.discount?.match ?? found.base.match,
    derivation: {
      base: baseRef,
      basePrices: found.base.prices,
      discount: discountRef,
      discountPercent: pct,
      summary: discountRef
        ? `${label(baseRef)}, less ${pct!.toFixed()}% (${label(discountRef)})`
        : label(baseRef),
    },
  };
}
