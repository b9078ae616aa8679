// Every token kind a usage event carries, declared once. Validation, pricing, rollups, GraphQL
// models and the CLI read this table instead of spelling each kind; adding a kind is a row here
// (plus a column in the database and a field in the SDK's mirror, which its conformance spec checks).

export interface TokenKindSpec {
  /** The field of `usage` (API.md), e.g. `cacheReadTokens`. */
  readonly field: string;
  /** The total this kind is part of (API.md: parts are included in their totals); null for a total. */
  readonly total: string | null;
  /** Its column in `usage_events` and in every rollup table. */
  readonly column: string;
  /** Its field in schema.graphql (SpendRow, TokenUsage, QuoteUsageInput). */
  readonly graphqlField: string;
  /** Its price in a rate card (USD per 1M tokens). */
  readonly price: string;
  /** Its part of a pricing breakdown. */
  readonly part: string;
  /** A part without its own price is billed at this kind's price when it has one, else at its total's. */
  readonly billedAsIfUnpriced: string | null;
  /** Parts checked together against their total (cache reads and writes; audio and image input). */
  readonly group: 'cache' | 'media' | null;
  /** The `tokenledger quote` option. */
  readonly cliFlag: string;
  /** What a person calls it (CLI help, report headings), e.g. "1-hour cache writes". */
  readonly label: string;
  /** For GraphQL and docs, where the kind needs one. */
  readonly description: string | null;
}

/** In the order of the event schema, the database columns and rate cards. */
export const TOKEN_KINDS = [
  {
    field: 'inputTokens',
    total: null,
    column: 'input_tokens',
    graphqlField: 'inputTokens',
    price: 'input',
    part: 'uncachedInput',
    billedAsIfUnpriced: null,
    group: null,
    cliFlag: '--input',
    label: 'all input tokens, cache reads and writes included',
    description: 'All prompt tokens, cache reads and writes included.',
  },
  {
    field: 'outputTokens',
    total: null,
    column: 'output_tokens',
    graphqlField: 'outputTokens',
    price: 'output',
    part: 'output',
    billedAsIfUnpriced: null,
    group: null,
    cliFlag: '--output',
    label: 'all output tokens, reasoning included',
    description: 'All completion tokens, reasoning included.',
  },
  {
    field: 'cacheReadTokens',
    total: 'inputTokens',
    column: 'cache_read_tokens',
    graphqlField: 'cacheReadTokens',
    price: 'cacheRead',
    part: 'cacheRead',
    billedAsIfUnpriced: null,
    group: 'cache',
    cliFlag: '--cache-read',
    label: 'cache reads',
    description: null,
  },
  {
    field: 'cacheWriteTokens',
    total: 'inputTokens',
    column: 'cache_write_tokens',
    graphqlField: 'cacheWriteTokens',
    price: 'cacheWrite',
    part: 'cacheWrite',
    billedAsIfUnpriced: null,
    group: 'cache',
    cliFlag: '--cache-write',
    label: '5-minute cache writes',
    description: 'Cache writes with the default (5-minute) lifetime.',
  },
  {
    field: 'cacheWrite1hTokens',
    total: 'inputTokens',
    column: 'cache_write_1h_tokens',
    graphqlField: 'cacheWrite1hTokens',
    price: 'cacheWrite1h',
    part: 'cacheWrite1h',
    billedAsIfUnpriced: 'cacheWriteTokens',
    group: 'cache',
    cliFlag: '--cache-write-1h',
    label: '1-hour cache writes',
    description: 'Cache writes kept for one hour.',
  },
  {
    field: 'reasoningTokens',
    total: 'outputTokens',
    column: 'reasoning_tokens',
    graphqlField: 'reasoningTokens',
    price: 'reasoning',
    part: 'reasoning',
    billedAsIfUnpriced: null,
    group: null,
    cliFlag: '--reasoning',
    label: 'reasoning tokens',
    description: null,
  },
  {
    field: 'inputAudioTokens',
    total: 'inputTokens',
    column: 'input_audio_tokens',
    graphqlField: 'inputAudioTokens',
    price: 'inputAudio',
    part: 'inputAudio',
    billedAsIfUnpriced: null,
    group: 'media',
    cliFlag: '--input-audio',
    label: 'audio input tokens',
    description: null,
  },
  {
    field: 'outputAudioTokens',
    total: 'outputTokens',
    column: 'output_audio_tokens',
    graphqlField: 'outputAudioTokens',
    price: 'outputAudio',
    part: 'outputAudio',
    billedAsIfUnpriced: null,
    group: null,
    cliFlag: '--output-audio',
    label: 'audio output tokens',
    description: null,
  },
  {
    field: 'inputImageTokens',
    total: 'inputTokens',
    column: 'input_image_tokens',
    graphqlField: 'inputImageTokens',
    price: 'inputImage',
    part: 'inputImage',
    billedAsIfUnpriced: null,
    group: 'media',
    cliFlag: '--input-image',
    label: 'image input tokens',
    description: null,
  },
] as const satisfies readonly TokenKindSpec[];

export type TokenKind = (typeof TOKEN_KINDS)[number];
/** `inputTokens`, `cacheReadTokens`, … */
export type UsageField = TokenKind['field'];
/** The kinds other kinds are part of. */
export type TotalField = Extract<TokenKind, { total: null }>['field'];
/** A kind that is part of a total. */
export type PartKind = Extract<TokenKind, { total: string }>;
export type PartField = PartKind['field'];
/** Rate-card price names of the token kinds: `input`, `cacheRead`, … */
export type TokenPrice = TokenKind['price'];
/** Database columns of the token kinds: `input_tokens`, `cache_write_1h_tokens`, … */
export type TokenColumn = TokenKind['column'];

/** Every token kind of `usage`, in the schema's order. */
export const USAGE_FIELDS: readonly UsageField[] = TOKEN_KINDS.map((k) => k.field);

/** The totals (inputTokens, outputTokens), in the schema's order. */
export const TOTAL_KINDS = TOKEN_KINDS.filter((k) => k.total === null);

/**
 * The parts and the total each is part of, totals in the schema's order and each total's parts in
 * the schema's order: cacheRead, cacheWrite, cacheWrite1h, inputAudio, inputImage (of input),
 * reasoning, outputAudio (of output). What validation checks and pricing bills, in this order.
 */
export const PART_KINDS: readonly PartKind[] = TOTAL_KINDS.flatMap((t) =>
  TOKEN_KINDS.filter((k): k is PartKind => k.total === t.field),
);

/** The parts of one total, in the schema's order. */
export function partsOf(total: TotalField): PartKind[] {
  return PART_KINDS.filter((k) => k.total === total);
}

/** The kinds of one group (checked together against their total). */
export function groupOf(group: 'cache' | 'media'): PartKind[] {
  return PART_KINDS.filter((k) => k.group === group);
}

/** The kind of a usage field. */
export function tokenKind(field: UsageField): TokenKind {
  return TOKEN_KINDS.find((k) => k.field === field)!;
}
