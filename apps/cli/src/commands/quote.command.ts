import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import {
  ErrorCode,
  TOKEN_KINDS,
  TokenledgerError,
  validateUsageEvent,
  type FieldError,
  type UsageEvent,
} from '@tokenledger/contracts';
import type { Store } from '@tokenledger/db';
import { buildPricer, Usd, type CatalogSnapshot, type PricingResult } from '@tokenledger/pricing';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

/** One option per token kind (`--cache-write-1h <tokens>`), with the usage field it fills. */
const USAGE_OPTIONS = TOKEN_KINDS.map((kind) => {
  const total = kind.total ? TOKEN_KINDS.find((k) => k.field === kind.total)!.cliFlag : null;
  const option = new Option(
    `${kind.cliFlag} <tokens>`,
    total ? `${kind.label} (part of ${total})` : kind.label,
  );
  return { option, attribute: option.attributeName(), field: kind.field };
});

/** Where each field came from on the command line, so validation errors name what the user typed. */
const FLAG_OF_PATH: Record<string, string> = {
  provider: '--provider',
  model: '--model',
  occurredAt: '--at',
  serviceTier: '--service-tier',
  ...Object.fromEntries(TOKEN_KINDS.map((k) => [`usage.${k.field}`, k.cliFlag])),
};

interface QuoteOptions extends Partial<Record<string, string>> {
  provider?: string;
  model?: string;
  input?: string;
  output?: string;
  serviceTier?: string;
  at?: string;
  org?: string;
  file?: string;
}

/** A quote may be about any moment, including the future: no clock skew check. */
const NO_SKEW_CHECK = new Date(8.64e15);

function number(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function eventFromFlags(o: QuoteOptions): UsageEvent {
  const missing = (['provider', 'model', 'input', 'output'] as const).filter((k) => o[k] === undefined);
  if (missing.length > 0)
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `${missing.map((k) => `--${k}`).join(', ')}: required for a quote (or give --file events.json)`,
    );
  const usage: Record<string, unknown> = {};
  for (const { attribute, field } of USAGE_OPTIONS) {
    const value = number(o[attribute]);
    if (value !== undefined) usage[field] = value;
  }
  const raw = {
    eventId: 'quote',
    occurredAt: o.at ?? new Date().toISOString(),
    provider: o.provider,
    model: o.model,
    usage,
    ...(o.serviceTier ? { serviceTier: o.serviceTier } : {}),
  };
  const result = validateUsageEvent(raw, NO_SKEW_CHECK);
  if (!result.ok) {
    const named = (e: FieldError) => (FLAG_OF_PATH[e.path] ? `${FLAG_OF_PATH[e.path]} (${e.path})` : e.path);
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      result.errors.map((e) => `${named(e)}: ${e.message}`).join('; '),
      result.errors,
    );
  }
  return result.event;
}

function readEvents(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `--file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TokenledgerError(
      ErrorCode.MalformedJson,
      `--file: ${file} is not valid JSON (${(error as Error).message})`,
    );
  }
  const events = Array.isArray(json)
    ? json
    : typeof json === 'object' && json !== null && Array.isArray((json as { events?: unknown }).events)
      ? (json as { events: unknown[] }).events
      : null;
  if (!events)
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `--file: ${file} must hold a JSON array of usage events (or {"events": [...]}, as POST /v1/events takes)`,
    );
  return events;
}

async function organizationId(store: Store, slug?: string): Promise<string | null> {
  if (!slug) return null;
  return (await store.organizations.requireBySlug(slug)).id;
}

interface VersionInfo {
  id: string;
  table: string;
  tableName: string;
  version: number;
  effectiveFrom: string;
}

function versionIndex(snapshot: CatalogSnapshot): Map<string, VersionInfo> {
  const index = new Map<string, VersionInfo>();
  for (const t of snapshot.tables)
    for (const v of t.versions)
      index.set(v.id, {
        id: v.id,
        table: t.slug,
        tableName: t.name ?? t.slug,
        version: v.version,
        effectiveFrom: new Date(v.effectiveFrom).toISOString(),
      });
  return index;
}

function resultJson(r: PricingResult, versions: Map<string, VersionInfo>) {
  return {
    status: r.status,
    reason: r.reason,
    totalUsd: r.totalUsd?.toFixed() ?? null,
    breakdown: r.breakdown
      ? Object.fromEntries(Object.entries(r.breakdown).map(([k, v]) => [k, v.toFixed()]))
      : null,
    rateVersionId: r.rateVersionId,
    rateVersion: r.rateVersionId ? (versions.get(r.rateVersionId) ?? null) : null,
    pricedModel: r.pricedModel,
    pricedProvider: r.pricedProvider,
    flags: r.flags,
  };
}

/**
 * Whose prices a quote used, worded as GraphQL's `Quote.pricesFrom`: without --org the CLI
 * prices with the global catalog only, as GraphQL does for a caller without an organization.
 */
function pricesFrom(org: string | undefined): string {
  return org ? `organization ${org}` : 'catalog';
}

const PRICES_NOTE = (org: string | undefined) =>
  org
    ? `organization ${org}'s rate tables first, then the catalog`
    : "the global catalog only: add --org <slug> to apply an organization's negotiated prices";

function humanQuote(event: UsageEvent, r: ReturnType<typeof resultJson>, org: string | undefined): string {
  const lines = [
    `${event.provider} ${event.model} at ${event.occurredAt}${event.serviceTier !== 'standard' ? ` (${event.serviceTier})` : ''}: ${r.status}`,
  ];
  const parts = Object.entries(r.breakdown ?? {});
  const width = Math.max('rate version'.length, ...parts.map(([k]) => k.length));
  const line = (label: string, value: string) => lines.push(`  ${label.padEnd(width)}  ${value}`);
  if (r.status !== 'priced') lines.push(`  ${r.reason}`);
  else {
    for (const [k, v] of parts) line(k, `$${v}`);
    line('total', `$${r.totalUsd}`);
  }
  if (r.rateVersion)
    line(
      'rate version',
      `${r.rateVersion.tableName} (${r.rateVersion.table}) v${r.rateVersion.version}, in force from ${r.rateVersion.effectiveFrom} (${r.rateVersion.id})`,
    );
  if (r.pricedModel) line('priced as', `${r.pricedProvider}/${r.pricedModel}`);
  if (r.flags.length > 0) line('flags', r.flags.join(', '));
  line('prices', PRICES_NOTE(org));
  return lines.join('\n');
}

export function registerQuoteCommand(program: Command): void {
  const quote = program
    .command('quote')
    .description(
      'Price one usage from flags, or a JSON array of API.md events with --file, against the rate tables in force',
    )
    .option('--provider <id>', 'provider id as in the catalog, e.g. openai')
    .option('--model <name>', 'model name as the provider reported it, e.g. gpt-5.5');
  for (const { option } of USAGE_OPTIONS) quote.addOption(option);
  quote
    .option('--service-tier <tier>', 'standard, batch, flex or priority')
    .option('--at <timestamp>', 'when the usage happened, RFC 3339 (default: now)')
    .option(
      '--org <slug>',
      "apply this organization's rate tables first, as GraphQL quote does for its members (default: the global catalog only)",
    )
    .option('--file <events.json>', 'price every event of a JSON array of API.md events')
    .action(async (options: QuoteOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          // Validate what the user typed before touching the database.
          const single = options.file ? null : eventFromFlags(options);
          const raws = options.file ? readEvents(options.file) : [];
          const orgId = await organizationId(store, options.org);
          const snapshot = await store.rates.loadSnapshot({ organizationId: orgId });
          const pricer = buildPricer(snapshot);
          const versions = versionIndex(snapshot);

          if (single) {
            const result = resultJson(pricer.price(single, orgId), versions);
            emit(
              global,
              {
                ...result,
                pricesFrom: pricesFrom(options.org),
                event: {
                  provider: single.provider,
                  model: single.model,
                  occurredAt: single.occurredAt,
                  serviceTier: single.serviceTier,
                  usage: single.usage,
                },
              },
              () => humanQuote(single, result, options.org),
            );
            if (result.status !== 'priced') process.exitCode = 1;
            return;
          }

          let grand = new Usd(0);
          const counts: Record<string, number> = {
            priced: 0,
            unpriced_model: 0,
            unpriced_component: 0,
            error: 0,
            invalid: 0,
          };
          const events = raws.map((raw, index) => {
            const v = validateUsageEvent(raw, NO_SKEW_CHECK);
            if (!v.ok) {
              counts.invalid!++;
              return {
                index,
                eventId: v.eventId ?? null,
                status: 'invalid' as const,
                errors: v.errors as FieldError[],
              };
            }
            const r = resultJson(pricer.price(v.event, orgId), versions);
            counts[r.status]!++;
            if (r.totalUsd !== null) grand = grand.plus(r.totalUsd);
            return { index, eventId: v.event.eventId, ...r };
          });
          const document = {
            events,
            grandTotalUsd: grand.toFixed(),
            counts,
            pricesFrom: pricesFrom(options.org),
          };
          emit(global, document, () =>
            [
              ...events.map((e) =>
                e.status === 'invalid'
                  ? `#${e.index} ${e.eventId ?? ''}  invalid: ${e.errors.map((x) => `${x.path}: ${x.message}`).join('; ')}`
                  : `#${e.index} ${e.eventId}  ${e.status === 'priced' ? `$${e.totalUsd}` : `${e.status}: ${e.reason}`}`,
              ),
              `Grand total: $${grand.toFixed()} (${counts.priced} priced, ${
                events.length - counts.priced! - counts.invalid!
              } not priced, ${counts.invalid} invalid)`,
              `Prices: ${PRICES_NOTE(options.org)}.`,
            ].join('\n'),
          );
          if (counts.invalid! > 0) process.exitCode = 1;
        }),
      );
    });
}
