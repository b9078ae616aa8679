import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCode, TokenledgerError, type FieldError } from '@tokenledger/contracts';
import {
  BUILTIN_TABLES,
  buildBuiltInCatalog,
  buildPricer,
  CatalogError,
  convertLiteLLM,
  MARKET_SOURCE,
  parseRate,
  providerSpecErrors,
  snapshotOf,
  type CatalogSnapshot,
  type ModelFactInput,
  type ProviderSpec,
  type RateInput,
  type SkippedEntry,
} from '@tokenledger/pricing';
import type { Prisma, PrismaClient } from '../prisma';
import type { RateTable, RateTableVersion } from '../generated/prisma/client';
import { canonicalJson, versionContentHash } from './content-hash';

export type { RateTable, RateTableVersion };

/** A table by its identity; created on first publication with these attributes. */
export interface RateTableRef {
  organizationId: string | null;
  slug: string;
  name?: string;
  kind?: 'catalog' | 'override';
  priority?: number;
  description?: string | null;
}

export interface RateKey {
  provider: string;
  model: string;
}

export interface PublishVersionInput {
  table: RateTableRef | { id: string };
  /** When the version starts to price events (their own occurredAt). May be in the past: a correction. */
  effectiveFrom: Date;
  /** The rates (ModelRate rows) of the new version; with `merge`, the rates to add or replace. */
  rates: readonly unknown[];
  /** With `merge`: rates of the latest version to leave out. */
  remove?: readonly RateKey[];
  /** Start from the latest version's rates and providers (a correction of a few models). Default false. */
  merge?: boolean;
  /**
   * Without `merge`, the given rates are the whole new version: a publication that would leave
   * out rates of the latest version is refused, naming them, unless `replace` says so. Default false.
   */
  replace?: boolean;
  /** Sets the table's priority (lower is consulted first; ties go by slug). */
  priority?: number;
  /** ProviderSpec[]; default: the latest version's with `merge`, else none. */
  providers?: readonly unknown[];
  /** Where this version comes from (package and version, file, person). */
  source: string;
  note?: string | null;
  publishedBy?: string | null;
  /** Publish nothing when the content equals the latest version's (re-imports). Default false. */
  skipIfUnchanged?: boolean;
}

export interface VersionChanges {
  added: RateKey[];
  changed: RateKey[];
  removed: RateKey[];
  unchanged: number;
}

export interface PublishVersionResult {
  table: RateTable;
  /** The new version; when nothing was published (unchanged content), the latest one. */
  version: RateTableVersion;
  published: boolean;
  rateCount: number;
  changes: VersionChanges;
}

export interface RateTableSummary extends RateTable {
  versions: (RateTableVersion & { rateCount: number })[];
}

export interface BuiltInImportResult {
  source: string;
  catalog: PublishVersionResult;
  listPrices: PublishVersionResult;
  facts: { created: number; updated: number };
}

export interface LiteLLMImportResult {
  table: RateTable;
  /** The version published, or null when the file changed nothing. */
  version: RateTableVersion | null;
  entries: number;
  added: RateKey[];
  changed: RateKey[];
  unchanged: number;
  skipped: SkippedEntry[];
}

/** The start of the built-in catalog's first version: its rates carry their own dated history. */
export const CATALOG_EPOCH = new Date('1970-01-01T00:00:00.000Z');
export const DEFAULT_OVERRIDE_TABLE = 'overrides';
export const LITELLM_TABLE = 'litellm';

const INSERT_CHUNK = 1000;
const key = (r: RateKey) => `${r.provider}\n${r.model}`;

function invalid(message: string, details?: FieldError[]): TokenledgerError {
  return new TokenledgerError(ErrorCode.ValidationFailed, message, details);
}

/** The installed @pydantic/genai-prices version (its package.json is not exported, so read beside its entry). */
export function genaiPricesVersion(): string {
  const entry = require.resolve('@pydantic/genai-prices');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/**
 * Rate tables in Postgres: the global catalog and organizations' overrides, each a sequence of
 * immutable versions. Publishing creates a version; nothing edits one. Re-pricing after a
 * publication is the caller's (it queues a `reprice` job).
 */
export class RateTableRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Every table, version and rate: what `buildPricer` needs, in three queries. */
  async loadSnapshot(options: { organizationId?: string | null } = {}): Promise<CatalogSnapshot> {
    const only = options.organizationId !== undefined;
    const tables = await this.prisma.rateTable.findMany({
      where: only
        ? { OR: [{ organizationId: null }, { organizationId: options.organizationId }] }
        : undefined,
      select: { id: true, organizationId: true, slug: true, name: true, kind: true, priority: true },
    });
    const tableIds = tables.map((t) => t.id);
    const versions = await this.prisma.rateTableVersion.findMany({
      where: only ? { rateTableId: { in: tableIds } } : undefined,
      select: { id: true, rateTableId: true, version: true, effectiveFrom: true, providers: true },
      orderBy: [{ rateTableId: 'asc' }, { version: 'asc' }],
    });
    const rates = await this.prisma.modelRate.findMany({
      where: only ? { versionId: { in: versions.map((v) => v.id) } } : undefined,
      select: { versionId: true, provider: true, model: true, match: true, prices: true, source: true },
    });
    const ratesByVersion = new Map<string, CatalogSnapshot['tables'][number]['versions'][number]['rates']>();
    for (const r of rates) {
      const list = ratesByVersion.get(r.versionId) ?? [];
      list.push({ provider: r.provider, model: r.model, match: r.match, prices: r.prices, source: r.source });
      ratesByVersion.set(r.versionId, list);
    }
    return {
      tables: tables.map((t) => ({
        ...t,
        versions: versions
          .filter((v) => v.rateTableId === t.id)
          .map((v) => ({
            id: v.id,
            version: v.version,
            effectiveFrom: v.effectiveFrom,
            providers: v.providers,
            rates: ratesByVersion.get(v.id) ?? [],
          })),
      })),
    };
  }

  /** Changes whenever a version is published (or a table goes away with its organization). Cheap. */
  async catalogStamp(): Promise<string> {
    const [row] = await this.prisma.$queryRaw<{ n: number; at: Date | null }[]>`
      SELECT count(*)::int AS n, max(published_at) AS at FROM rate_table_versions`;
    return `${row?.n ?? 0}:${row?.at?.toISOString() ?? '-'}`;
  }

  /** The global tables and one organization's tables (all organizations' when undefined), with their versions. */
  async listTables(organizationId?: string | null): Promise<RateTableSummary[]> {
    const tables = await this.prisma.rateTable.findMany({
      where:
        organizationId === undefined ? undefined : { OR: [{ organizationId: null }, { organizationId }] },
      include: {
        versions: { orderBy: { version: 'asc' }, include: { _count: { select: { modelRates: true } } } },
      },
      orderBy: [{ organizationId: { sort: 'asc', nulls: 'last' } }, { priority: 'asc' }, { slug: 'asc' }],
    });
    return tables.map(({ versions, ...table }) => ({
      ...table,
      versions: versions.map(({ _count, ...v }) => ({ ...v, rateCount: _count.modelRates })),
    }));
  }

  /**
   * Publishes a new, immutable version of a table (creating the table on its first version).
   * Validates every rate and the version as a whole (two rates one model name matches equally
   * well are refused), errors naming their field. Does not re-price: the caller queues that.
   */
  async publishVersion(input: PublishVersionInput): Promise<PublishVersionResult> {
    const effectiveFrom = input.effectiveFrom;
    if (!(effectiveFrom instanceof Date) || Number.isNaN(effectiveFrom.getTime()))
      throw invalid('effectiveFrom: must be a valid date');
    if (typeof input.source !== 'string' || input.source.trim().length === 0 || input.source.length > 500)
      throw invalid('source: say where these prices come from (1 to 500 characters)');
    const errors: FieldError[] = [];
    const given: RateInput[] = [];
    input.rates.forEach((raw, i) => {
      const parsed = parseRate(raw, `rates[${i}]`);
      if (parsed.ok) given.push(parsed.value);
      else errors.push(...parsed.errors);
    });
    if (input.providers !== undefined)
      input.providers.forEach((p, i) => errors.push(...providerSpecErrors(p, `providers[${i}]`)));
    const seen = new Map<string, number>();
    given.forEach((r, i) => {
      const k = key(r);
      if (seen.has(k))
        errors.push({
          path: `rates[${i}]`,
          message: `${r.provider}/${r.model} is given twice (also rates[${seen.get(k)}])`,
        });
      seen.set(k, i);
    });
    if (
      input.priority !== undefined &&
      (!Number.isInteger(input.priority) || input.priority < 0 || input.priority > 10_000)
    )
      errors.push({ path: 'priority', message: 'must be a whole number from 0 to 10000' });
    if (errors.length > 0) throw invalid(describeErrors(errors), errors);

    return this.prisma.$transaction(
      async (tx) => {
        let table = await this.lockTable(tx, input.table);
        if (input.priority !== undefined && input.priority !== table.priority)
          table = await tx.rateTable.update({ where: { id: table.id }, data: { priority: input.priority } });
        const latest = await tx.rateTableVersion.findFirst({
          where: { rateTableId: table.id },
          orderBy: { version: 'desc' },
          include: {
            modelRates: { select: { provider: true, model: true, match: true, prices: true, source: true } },
          },
        });
        const previous = new Map<string, RateInput>(
          (latest?.modelRates ?? []).map((r) => [key(r), r as unknown as RateInput]),
        );
        let content: Map<string, RateInput>;
        if (input.merge) {
          content = new Map(previous);
          for (const r of input.remove ?? []) {
            if (!content.delete(key(r)))
              throw invalid(`remove: ${r.provider}/${r.model} is not in the latest version of ${table.slug}`);
          }
          for (const r of given) content.set(key(r), r);
        } else content = new Map(given.map((r) => [key(r), r]));
        const rates = [...content.values()];
        const providers = (input.providers ??
          (input.merge ? (latest?.providers as unknown[]) : undefined) ??
          []) as ProviderSpec[];

        try {
          buildPricer(
            snapshotOf([
              {
                slug: table.slug,
                organizationId: table.organizationId,
                kind: table.kind as 'catalog',
                versions: [{ effectiveFrom, rates, providers }],
              },
            ]),
          );
        } catch (error) {
          if (error instanceof CatalogError) throw invalid(describeErrors(error.problems), error.problems);
          throw error;
        }

        const contentHash = versionContentHash({ providers, rates });
        const changes = diff(previous, content);
        if (!input.merge && !input.replace && changes.removed.length > 0) {
          const names = changes.removed.map((r) => `${r.provider}/${r.model}`);
          throw invalid(
            `rates: this publication would drop ${names.length} rate(s) of ${table.slug} v${latest!.version} (${names
              .slice(0, 10)
              .join(
                ', ',
              )}${names.length > 10 ? ', …' : ''}): publish with merge: true to add to the table, or replace: true to drop them`,
            [{ path: 'rates', message: `would drop ${names.join(', ')}` }],
          );
        }
        if (input.skipIfUnchanged && latest && latest.contentHash === contentHash) {
          const { modelRates: _rates, ...version } = latest;
          return { table, version, published: false, rateCount: rates.length, changes };
        }
        const version = await tx.rateTableVersion.create({
          data: {
            rateTableId: table.id,
            version: (latest?.version ?? 0) + 1,
            effectiveFrom,
            publishedBy: input.publishedBy ?? null,
            source: input.source,
            note: input.note ?? null,
            contentHash,
            providers: providers as unknown as Prisma.InputJsonValue,
          },
        });
        for (let i = 0; i < rates.length; i += INSERT_CHUNK) {
          await tx.modelRate.createMany({
            data: rates.slice(i, i + INSERT_CHUNK).map((r) => ({
              versionId: version.id,
              provider: r.provider,
              model: r.model,
              match: r.match as unknown as Prisma.InputJsonValue,
              prices: r.prices as unknown as Prisma.InputJsonValue,
              source: r.source,
            })),
          });
        }
        return { table, version, published: true, rateCount: rates.length, changes };
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  }

  /** Finds or creates the table, holding a transaction lock on it so versions are numbered one at a time. */
  private async lockTable(
    tx: Prisma.TransactionClient,
    ref: RateTableRef | { id: string },
  ): Promise<RateTable> {
    if ('id' in ref) {
      const table = await tx.rateTable.findUnique({ where: { id: ref.id } });
      if (!table) throw new TokenledgerError(ErrorCode.NotFound, `table: no rate table ${ref.id}`);
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`rate_table:${table.organizationId ?? 'global'}:${table.slug}`}))`;
      return table;
    }
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(ref.slug))
      throw invalid(`table: "${ref.slug}" must be lower-case letters, digits and dashes`);
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`rate_table:${ref.organizationId ?? 'global'}:${ref.slug}`}))`;
    const existing = await tx.rateTable.findFirst({
      where: { organizationId: ref.organizationId, slug: ref.slug },
    });
    if (existing) return existing;
    return tx.rateTable.create({
      data: {
        organizationId: ref.organizationId,
        slug: ref.slug,
        name: ref.name ?? ref.slug,
        kind: ref.kind ?? (ref.organizationId ? 'override' : 'catalog'),
        priority: ref.priority ?? 100,
        description: ref.description ?? null,
      },
    });
  }

  /**
   * The built-in catalog from the installed @pydantic/genai-prices (its bundled data: nothing is
   * fetched) and MARKET.md's dated list prices, with model facts. Idempotent: unchanged content
   * publishes nothing. The first version starts at the epoch (the catalog carries its own dated
   * price history); later ones at `effectiveFrom`, by default now, so old events keep their prices.
   */
  async importBuiltInCatalog(
    options: { effectiveFrom?: Date; now?: Date; publishedBy?: string | null } = {},
  ): Promise<BuiltInImportResult> {
    // Loaded on demand: the API and the worker never need the package's 800 KB of data.
    const { waitForUpdate } = await import('@pydantic/genai-prices');
    const providers = await waitForUpdate();
    if (!providers) throw new Error('@pydantic/genai-prices returned no provider data');
    const builtin = buildBuiltInCatalog(providers, genaiPricesVersion());
    const catalogRef: RateTableRef = { organizationId: null, kind: 'catalog', ...BUILTIN_TABLES.catalog };
    const listRef: RateTableRef = { organizationId: null, kind: 'catalog', ...BUILTIN_TABLES.listPrices };
    const catalogLatest = await this.latestVersion(catalogRef);
    const catalog =
      catalogLatest &&
      catalogLatest.version.contentHash ===
        versionContentHash({ providers: builtin.catalog.providers, rates: builtin.catalog.rates })
        ? unchanged(catalogLatest, builtin.catalog.rates.length)
        : await this.publishVersion({
            table: catalogRef,
            effectiveFrom:
              options.effectiveFrom ?? (catalogLatest ? (options.now ?? new Date()) : CATALOG_EPOCH),
            rates: builtin.catalog.rates,
            providers: builtin.catalog.providers,
            source: builtin.source,
            note: catalogLatest
              ? `catalog update from ${builtin.source}`
              : `built-in catalog from ${builtin.source}`,
            publishedBy: options.publishedBy ?? null,
            skipIfUnchanged: true,
            // A new catalog release is the whole catalog: models it no longer lists leave with it.
            replace: true,
          });
    const listLatest = await this.latestVersion(listRef);
    const listPrices =
      listLatest &&
      listLatest.version.contentHash ===
        versionContentHash({ providers: [], rates: builtin.listPrices.rates })
        ? unchanged(listLatest, builtin.listPrices.rates.length)
        : await this.publishVersion({
            table: listRef,
            effectiveFrom: new Date(builtin.listPrices.effectiveFrom),
            rates: builtin.listPrices.rates,
            source: MARKET_SOURCE,
            note: 'launch list prices; where the genai-prices catalog has a provider’s own price, that price wins',
            publishedBy: options.publishedBy ?? null,
            skipIfUnchanged: true,
            // A new catalog release is the whole catalog: models it no longer lists leave with it.
            replace: true,
          });
    const facts =
      catalog.published || listPrices.published || (await this.prisma.modelFact.count()) === 0
        ? await this.saveModelFacts(builtin.facts)
        : { created: 0, updated: 0 };
    return { source: builtin.source, catalog, listPrices, facts };
  }

  private async latestVersion(
    ref: RateTableRef,
  ): Promise<{ table: RateTable; version: RateTableVersion } | null> {
    const table = await this.prisma.rateTable.findFirst({
      where: { organizationId: ref.organizationId, slug: ref.slug },
    });
    if (!table) return null;
    const version = await this.prisma.rateTableVersion.findFirst({
      where: { rateTableId: table.id },
      orderBy: { version: 'desc' },
    });
    return version ? { table, version } : null;
  }

  /** Creates missing facts and updates changed ones (by provider and model). */
  async saveModelFacts(facts: readonly ModelFactInput[]): Promise<{ created: number; updated: number }> {
    const existing = new Map(
      (await this.prisma.modelFact.findMany()).map((f) => [
        key(f),
        canonicalJson(factData(f as unknown as ModelFactInput)),
      ]),
    );
    const fresh = facts.filter((f) => !existing.has(key(f)));
    const changed = facts.filter(
      (f) => existing.has(key(f)) && existing.get(key(f)) !== canonicalJson(factData(f)),
    );
    for (let i = 0; i < fresh.length; i += INSERT_CHUNK)
      await this.prisma.modelFact.createMany({
        data: fresh
          .slice(i, i + INSERT_CHUNK)
          .map((f) => ({ provider: f.provider, model: f.model, ...factData(f) })),
        skipDuplicates: true,
      });
    for (const f of changed)
      await this.prisma.modelFact.update({
        where: { provider_model: { provider: f.provider, model: f.model } },
        data: factData(f),
      });
    return { created: fresh.length, updated: changed.length };
  }

  /**
   * Reads a LiteLLM `model_prices_and_context_window.json` into an organization's table (default
   * `litellm`): a new version holding the previous version's rates with the file's laid over them.
   * Publishes only when something was added or changed. `effectiveFrom` defaults to now: events
   * already priced keep their prices unless the caller re-prices.
   */
  async importLiteLLM(input: {
    organizationId: string;
    json: unknown;
    fileName: string;
    table?: string;
    effectiveFrom?: Date;
    publishedBy?: string | null;
  }): Promise<LiteLLMImportResult> {
    const source = `LiteLLM file ${input.fileName}`;
    const converted = convertLiteLLM(input.json, source);
    // An entry this repository would refuse is skipped, not a reason to refuse the whole file.
    converted.rates = converted.rates.filter((r) => {
      const parsed = parseRate(r, 'rate');
      if (!parsed.ok)
        converted.skipped.push({ key: r.match.exact?.[1] ?? r.model, reason: describeErrors(parsed.errors) });
      return parsed.ok;
    });
    const ref: RateTableRef = {
      organizationId: input.organizationId,
      slug: input.table ?? LITELLM_TABLE,
      name: 'Imported LiteLLM prices',
      kind: 'override',
      priority: 200,
    };
    const latest = await this.latestVersion(ref);
    const previous = new Map<string, RateInput>();
    if (latest) {
      const rows = await this.prisma.modelRate.findMany({ where: { versionId: latest.version.id } });
      for (const r of rows) previous.set(key(r), r as unknown as RateInput);
    }
    const changes = diff(
      previous,
      new Map([...previous, ...converted.rates.map((r) => [key(r), r] as const)]),
    );
    const worthPublishing = changes.added.length + changes.changed.length > 0;
    const result = worthPublishing
      ? await this.publishVersion({
          table: ref,
          effectiveFrom: input.effectiveFrom ?? new Date(),
          rates: converted.rates,
          merge: true,
          source,
          note: `LiteLLM import: ${changes.added.length} added, ${changes.changed.length} changed, ${converted.skipped.length} skipped`,
          publishedBy: input.publishedBy ?? null,
        })
      : null;
    const table = result?.table ?? latest?.table ?? (await this.ensureTable(ref));
    return {
      table,
      version: result?.version ?? null,
      entries: converted.entries,
      added: changes.added,
      changed: changes.changed,
      unchanged: converted.rates.length - changes.added.length - changes.changed.length,
      skipped: converted.skipped,
    };
  }

  private async ensureTable(ref: RateTableRef): Promise<RateTable> {
    return this.prisma.$transaction((tx) => this.lockTable(tx, ref));
  }
}

function unchanged(
  latest: { table: RateTable; version: RateTableVersion },
  rateCount: number,
): PublishVersionResult {
  return {
    ...latest,
    published: false,
    rateCount,
    changes: { added: [], changed: [], removed: [], unchanged: rateCount },
  };
}

function sameRate(a: RateInput, b: RateInput): boolean {
  return (
    canonicalJson(a.match) === canonicalJson(b.match) && canonicalJson(a.prices) === canonicalJson(b.prices)
  );
}

function diff(previous: Map<string, RateInput>, next: Map<string, RateInput>): VersionChanges {
  const changes: VersionChanges = { added: [], changed: [], removed: [], unchanged: 0 };
  for (const [k, r] of next) {
    const before = previous.get(k);
    if (!before) changes.added.push({ provider: r.provider, model: r.model });
    else if (!sameRate(before, r)) changes.changed.push({ provider: r.provider, model: r.model });
    else changes.unchanged++;
  }
  for (const [k, r] of previous)
    if (!next.has(k)) changes.removed.push({ provider: r.provider, model: r.model });
  return changes;
}

function factData(f: ModelFactInput) {
  return {
    displayName: f.displayName ?? null,
    contextWindow: f.contextWindow ?? null,
    maxOutputTokens: f.maxOutputTokens ?? null,
    inputModalities: f.inputModalities,
    outputModalities: f.outputModalities,
    capabilities: f.capabilities,
    benchmarks: (f.benchmarks ?? {}) as Prisma.InputJsonValue,
    source: f.source,
  };
}

function describeErrors(errors: FieldError[]): string {
  const head = errors
    .slice(0, 3)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ');
  return errors.length > 3 ? `${head} (and ${errors.length - 3} more)` : head;
}
