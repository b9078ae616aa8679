import Decimal from 'decimal.js';
import { z } from 'zod';
import type { ChargeKind, ProviderImport, ReconcileProvider } from './provider-rows';

/**
 * The JSON pages of the providers' organization usage and cost APIs, as their public references
 * give them (docs/RECONCILIATION.md), validated with zod and normalized to provider rows. Unknown
 * fields are kept out of the way (providers add fields); a missing or mistyped field is an error
 * naming where it is.
 */

const count = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must not be negative');
const optCount = count.nullish();
const id = z.string().nullish();

const openAiUsageResult = z.looseObject({
  object: z.literal('organization.usage.completions.result').optional(),
  input_tokens: count,
  output_tokens: count,
  input_cached_tokens: optCount,
  input_audio_tokens: optCount,
  output_audio_tokens: optCount,
  num_model_requests: optCount,
  project_id: id,
  api_key_id: id,
  model: id,
  batch: z.boolean().nullish(),
  service_tier: id,
});

const openAiCostResult = z.looseObject({
  object: z.literal('organization.costs.result').optional(),
  amount: z.object({
    value: z.number({ error: 'must be a number' }),
    currency: z.string().refine((c) => c.toLowerCase() === 'usd', 'only "usd" is supported'),
  }),
  line_item: id,
  project_id: id,
});

const openAiBucket = <T extends z.ZodType>(result: T) =>
  z.looseObject({
    object: z.literal('bucket').optional(),
    start_time: count,
    end_time: count,
    results: z.array(result),
  });

const page = <T extends z.ZodType>(bucket: T) =>
  z.looseObject({
    object: z.literal('page').optional(),
    data: z.array(bucket),
    has_more: z.boolean({ error: 'must be true or false' }),
    next_page: z.string().nullish(),
  });

export const openAiUsagePage = page(openAiBucket(openAiUsageResult));
export const openAiCostPage = page(openAiBucket(openAiCostResult));

const decimalString = z
  .string({ error: 'must be a decimal string' })
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string such as "123.45"');
const rfc3339 = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an RFC 3339 timestamp');

const anthropicUsageResult = z.looseObject({
  uncached_input_tokens: count,
  cache_read_input_tokens: optCount,
  cache_creation: z
    .looseObject({ ephemeral_5m_input_tokens: optCount, ephemeral_1h_input_tokens: optCount })
    .nullish(),
  output_tokens: count,
  server_tool_use: z.looseObject({ web_search_requests: optCount }).nullish(),
  api_key_id: id,
  workspace_id: id,
  model: id,
  service_tier: id,
  context_window: id,
});

const anthropicCostResult = z.looseObject({
  currency: z.string().refine((c) => c.toUpperCase() === 'USD', 'only "USD" is supported'),
  amount: decimalString,
  workspace_id: id,
  description: id,
  cost_type: id,
  context_window: id,
  model: id,
  service_tier: id,
  token_type: id,
});

const anthropicBucket = <T extends z.ZodType>(result: T) =>
  z.looseObject({ starting_at: rfc3339, ending_at: rfc3339, results: z.array(result) });

export const anthropicUsagePage = page(anthropicBucket(anthropicUsageResult));
export const anthropicCostPage = page(anthropicBucket(anthropicCostResult));

export type PageKind = 'usage' | 'costs';

/** A page that is not what it should be: `where` names the line (files) and the field. */
export class ProviderPageError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
    this.name = 'ProviderPageError';
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out;
}

function validate<T>(schema: z.ZodType, value: unknown, where: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data as T;
  const issue = parsed.error.issues[0]!;
  const field = pathOf(issue.path);
  throw new ProviderPageError(field ? `${where}: ${field}` : where, issue.message);
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const name = (v: string | null | undefined) => v ?? '';

function creditLike(...texts: (string | null | undefined)[]): boolean {
  return texts.some((t) => t != null && /credit/i.test(t));
}

/** OpenAI's cost line items read "<model>, <kind>" (e.g. "gpt-4o-2024-08-06, input"). */
export function modelOfOpenAiLineItem(lineItem: string): string {
  const i = lineItem.indexOf(', ');
  return i > 0 ? lineItem.slice(0, i).trim() : '';
}

/** Adds one validated page to an import. */
function addPage(into: ProviderImport, kind: PageKind, value: unknown, where: string): void {
  const usageDays = new Set(into.usageDays);
  const costDays = new Set(into.costDays);
  if (into.provider === 'openai' && kind === 'usage') {
    const p = validate<z.output<typeof openAiUsagePage>>(openAiUsagePage, value, where);
    for (const b of p.data) {
      const day = isoDay(b.start_time * 1000);
      usageDays.add(day);
      for (const r of b.results) {
        into.usage.push({
          day,
          model: name(r.model),
          externalProjectId: name(r.project_id),
          apiKeyId: name(r.api_key_id),
          serviceTier: r.batch ? 'batch' : name(r.service_tier),
          requests: r.num_model_requests ?? 0,
          webSearchRequests: 0,
          inputTokens: r.input_tokens,
          outputTokens: r.output_tokens,
          cacheReadTokens: r.input_cached_tokens ?? 0,
          cacheWriteTokens: 0,
          cacheWrite1hTokens: 0,
          inputAudioTokens: r.input_audio_tokens ?? 0,
          outputAudioTokens: r.output_audio_tokens ?? 0,
        });
      }
    }
  } else if (into.provider === 'openai') {
    const p = validate<z.output<typeof openAiCostPage>>(openAiCostPage, value, where);
    for (const b of p.data) {
      const day = isoDay(b.start_time * 1000);
      costDays.add(day);
      for (const r of b.results) {
        const amountUsd = new Decimal(String(r.amount.value));
        const lineItem = name(r.line_item);
        const chargeKind: ChargeKind = amountUsd.isNegative() || creditLike(lineItem) ? 'credit' : 'usage';
        into.costs.push({
          day,
          model: chargeKind === 'credit' ? '' : modelOfOpenAiLineItem(lineItem),
          externalProjectId: name(r.project_id),
          lineItem,
          serviceTier: '',
          chargeKind,
          amountUsd,
        });
      }
    }
  } else if (kind === 'usage') {
    const p = validate<z.output<typeof anthropicUsagePage>>(anthropicUsagePage, value, where);
    for (const b of p.data) {
      const day = isoDay(Date.parse(b.starting_at));
      usageDays.add(day);
      for (const r of b.results) {
        const read = r.cache_read_input_tokens ?? 0;
        const w5 = r.cache_creation?.ephemeral_5m_input_tokens ?? 0;
        const w1h = r.cache_creation?.ephemeral_1h_input_tokens ?? 0;
        into.usage.push({
          day,
          model: name(r.model),
          externalProjectId: r.workspace_id === null ? 'default' : name(r.workspace_id),
          apiKeyId: name(r.api_key_id),
          serviceTier: name(r.service_tier),
          requests: 0,
          webSearchRequests: r.server_tool_use?.web_search_requests ?? 0,
          inputTokens: r.uncached_input_tokens + read + w5 + w1h,
          outputTokens: r.output_tokens,
          cacheReadTokens: read,
          cacheWriteTokens: w5,
          cacheWrite1hTokens: w1h,
          inputAudioTokens: 0,
          outputAudioTokens: 0,
        });
      }
    }
  } else {
    const p = validate<z.output<typeof anthropicCostPage>>(anthropicCostPage, value, where);
    for (const b of p.data) {
      const day = isoDay(Date.parse(b.starting_at));
      costDays.add(day);
      for (const r of b.results) {
        // Anthropic gives the amount in cents, as a decimal string: "123.45" is $1.2345.
        const amountUsd = new Decimal(r.amount).div(100);
        const lineItem = name(r.description) || [r.cost_type, r.token_type].filter(Boolean).join(' ');
        const chargeKind: ChargeKind =
          amountUsd.isNegative() || creditLike(r.cost_type, r.description)
            ? 'credit'
            : r.cost_type && r.cost_type !== 'tokens'
              ? 'other'
              : 'usage';
        into.costs.push({
          day,
          model: chargeKind === 'credit' ? '' : name(r.model),
          externalProjectId: r.workspace_id === null ? 'default' : name(r.workspace_id),
          lineItem,
          serviceTier: name(r.service_tier),
          chargeKind,
          amountUsd,
        });
      }
    }
  }
  into.usageDays = [...usageDays].sort();
  into.costDays = [...costDays].sort();
}

export function emptyImport(provider: ReconcileProvider): ProviderImport {
  return { provider, usage: [], costs: [], usageDays: [], costDays: [] };
}

/** Normalizes one API page (the importer's path). */
export function addProviderPage(into: ProviderImport, kind: PageKind, page: unknown, where = 'page'): void {
  addPage(into, kind, page, where);
}

/** Which report a page is, from its first result; null for a page of empty buckets. */
function kindOfPage(provider: ReconcileProvider, value: unknown): PageKind | null {
  const data = (value as { data?: unknown })?.data;
  if (!Array.isArray(data)) return null;
  for (const b of data) {
    const results = (b as { results?: unknown })?.results;
    if (!Array.isArray(results) || results.length === 0) continue;
    const r = results[0] as Record<string, unknown>;
    if (r === null || typeof r !== 'object') return null;
    if (provider === 'openai') {
      if (r.object === 'organization.costs.result' || 'amount' in r) return 'costs';
      return 'usage';
    }
    return 'amount' in r ? 'costs' : 'usage';
  }
  return null;
}

/**
 * Parses a file of pages as the APIs return them: `{"usage": [pages], "costs": [pages]}`, a JSON
 * array of pages, one page, or JSON Lines (one page per line). Which report a page belongs to is
 * read from its results; pages of empty buckets take the kind of the file's other pages.
 * Throws a ProviderPageError naming the line (JSON Lines) or page and the field.
 */
export function parseProviderFile(provider: ReconcileProvider, text: string): ProviderImport {
  const pages: { value: unknown; where: string; kind: PageKind | null }[] = [];
  const trimmed = text.trim();
  if (trimmed === '') throw new ProviderPageError('file', 'is empty');
  let whole: unknown;
  let wholeError: Error | null = null;
  try {
    whole = JSON.parse(trimmed);
  } catch (error) {
    wholeError = error as Error;
  }
  if (wholeError) {
    const lines = text.split('\n');
    if (!trimmed.startsWith('{') || lines.filter((l) => l.trim()).length < 2) {
      throw new ProviderPageError('file', `is not JSON (${syntaxWhere(text, wholeError)})`);
    }
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      try {
        pages.push({ value: JSON.parse(line), where: `line ${i + 1}`, kind: null });
      } catch (error) {
        throw new ProviderPageError(`line ${i + 1}`, `is not JSON (${(error as Error).message})`);
      }
    });
  } else if (Array.isArray(whole)) {
    whole.forEach((p, i) => pages.push({ value: p, where: `page ${i + 1}`, kind: null }));
  } else if (whole && typeof whole === 'object' && ('usage' in whole || 'costs' in whole)) {
    for (const kind of ['usage', 'costs'] as const) {
      const list = (whole as Record<string, unknown>)[kind];
      if (list === undefined) continue;
      if (!Array.isArray(list)) throw new ProviderPageError(kind, 'must be an array of pages');
      list.forEach((p, i) => pages.push({ value: p, where: `${kind}[${i}]`, kind }));
    }
  } else {
    pages.push({ value: whole, where: 'page 1', kind: null });
  }
  for (const p of pages) {
    if (p.value === null || typeof p.value !== 'object' || Array.isArray(p.value))
      throw new ProviderPageError(p.where, 'must be a page object with "data" and "has_more"');
    p.kind ??= kindOfPage(provider, p.value);
  }
  const known = [...new Set(pages.map((p) => p.kind).filter((k): k is PageKind => k !== null))];
  const out = emptyImport(provider);
  for (const p of pages) {
    const kind = p.kind ?? (known.length === 1 ? known[0]! : null);
    if (!kind)
      throw new ProviderPageError(
        p.where,
        'holds only empty buckets, so it cannot say whether it is a usage or a cost page; use {"usage": [...], "costs": [...]}',
      );
    addPage(out, kind, p.value, p.where);
  }
  return out;
}

function syntaxWhere(text: string, error: Error): string {
  const m = /position (\d+)/.exec(error.message);
  let pos: number;
  if (m) pos = Number(m[1]);
  else {
    // Node 20 names no position: the shortest prefix that fails for another reason than ending early.
    const early = (k: number) => {
      try {
        JSON.parse(text.slice(0, k));
        return true;
      } catch (e) {
        return /end of JSON input|Unterminated|Expected/.test((e as Error).message);
      }
    };
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (early(mid + 1)) lo = mid + 1;
      else hi = mid;
    }
    pos = lo;
  }
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: ${error.message}`;
}
