import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import DecimalBase from 'decimal.js';
import { neutralise } from './csv';
import type { LineItem } from './line-item';

/** Enough digits that quantity × unit price is exact (token counts × prices of 8+ decimals). */
const Decimal = DecimalBase.clone({ precision: 60 });
type Decimal = DecimalBase;

/** The token kinds a FOCUS row is about: the parts the pricing library prices separately. */
export const FOCUS_TOKEN_KINDS = [
  'uncachedInput',
  'cacheRead',
  'cacheWrite',
  'cacheWrite1h',
  'inputAudio',
  'inputImage',
  'output',
  'reasoning',
  'outputAudio',
] as const;
export type FocusTokenKind = (typeof FOCUS_TOKEN_KINDS)[number];

const KIND_WORDS: Record<FocusTokenKind, string> = {
  uncachedInput: 'input tokens',
  cacheRead: 'cache read tokens',
  cacheWrite: 'cache write tokens (5 min)',
  cacheWrite1h: 'cache write tokens (1 h)',
  inputAudio: 'input audio tokens',
  inputImage: 'input image tokens',
  output: 'output tokens',
  reasoning: 'reasoning tokens',
  outputAudio: 'output audio tokens',
};

/** USD per 1000 tokens of one kind: the catalog's (list) and the organization's (contracted). */
export interface UnitPrices {
  list: DecimalBase | null;
  contracted: DecimalBase | null;
  /** The rate table version the contracted price comes from. */
  rateVersionId: string | null;
}

export type UnitPriceLookup = (
  provider: string,
  model: string,
  day: string,
  kind: FocusTokenKind,
) => UnitPrices;

export interface FocusContext {
  billingAccountId: string;
  billingAccountName: string;
  billingPeriodStart: Date;
  billingPeriodEnd: Date;
  /** The instant a report day ("YYYY-MM-DD") starts (the report's time zone). */
  dayStart: (day: string) => Date;
}

/** FOCUS 1.2 columns (mandatory, the conditional ones metered usage needs, a few recommended, 1.3's provider names). */
export const FOCUS_COLUMNS = [
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ListUnitPrice',
  'ContractedUnitPrice',
  'ConsumedQuantity',
  'ConsumedUnit',
  'SkuId',
  'SkuPriceId',
  'ProviderName',
  'PublisherName',
  'InvoiceIssuerName',
  'ServiceProviderName',
  'HostProviderName',
  'ServiceCategory',
  'ServiceSubcategory',
  'ServiceName',
  'SubAccountId',
  'SubAccountName',
  'x_Model',
  'x_TokenKind',
] as const;
export type FocusColumn = (typeof FOCUS_COLUMNS)[number];
export type FocusRow = Record<FocusColumn, string>;

/** One day × project × provider × model of the month: what FOCUS rows are made of. */
export interface FocusGroup {
  day: string;
  project: string;
  provider: string;
  model: string;
  tokens: Record<FocusTokenKind, number>;
  costUsd: Decimal;
}

/** Splits a line item's counts into the kinds priced apart (parts come out of their totals). */
export function tokensByKind(item: LineItem): Record<FocusTokenKind, number> {
  const uncached =
    item.inputTokens -
    item.cacheReadTokens -
    item.cacheWriteTokens -
    item.cacheWrite1hTokens -
    item.inputAudioTokens -
    item.inputImageTokens;
  const output = item.outputTokens - item.reasoningTokens - item.outputAudioTokens;
  return {
    uncachedInput: Math.max(0, uncached),
    cacheRead: item.cacheReadTokens,
    cacheWrite: item.cacheWriteTokens,
    cacheWrite1h: item.cacheWrite1hTokens,
    inputAudio: item.inputAudioTokens,
    inputImage: item.inputImageTokens,
    output: Math.max(0, output),
    reasoning: item.reasoningTokens,
    outputAudio: item.outputAudioTokens,
  };
}

const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const nextDay = (day: string) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
};

/**
 * The FOCUS rows of one day × project × provider × model: one per token kind used. ListCost and
 * ContractedCost are PricingQuantity × the unit prices (exact); BilledCost and EffectiveCost are
 * what the events actually cost, split over the kinds in proportion to ContractedCost, the last
 * row taking the remainder so that they sum exactly to the cost of the group.
 */
export function focusRows(group: FocusGroup, context: FocusContext, prices: UnitPriceLookup): FocusRow[] {
  const kinds = FOCUS_TOKEN_KINDS.filter((k) => group.tokens[k] > 0);
  if (kinds.length === 0 && !group.costUsd.isZero()) kinds.push('uncachedInput');
  const lines = kinds.map((kind) => {
    const p = prices(group.provider, group.model, group.day, kind);
    const listUnit = new Decimal(p.list ?? p.contracted ?? 0);
    const contractedUnit = new Decimal(p.contracted ?? p.list ?? 0);
    const quantity = new Decimal(group.tokens[kind]).div(1000);
    return {
      kind,
      quantity,
      listUnit,
      contractedUnit,
      listCost: quantity.times(listUnit),
      contractedCost: quantity.times(contractedUnit),
      priced: p.list !== null || p.contracted !== null,
      rateVersionId: p.rateVersionId,
      billed: new Decimal(0),
    };
  });
  const weight = lines.reduce((s, l) => s.plus(l.contractedCost), new Decimal(0));
  if (lines.length > 0) {
    if (weight.isZero()) {
      lines[0]!.billed = new Decimal(group.costUsd);
    } else {
      let allocated = new Decimal(0);
      let last = -1;
      lines.forEach((l, i) => {
        if (!l.contractedCost.isZero()) last = i;
      });
      lines.forEach((l, i) => {
        if (i === last || l.contractedCost.isZero()) return;
        l.billed = new Decimal(group.costUsd).times(l.contractedCost).div(weight).toDecimalPlaces(18);
        allocated = allocated.plus(l.billed);
      });
      lines[last]!.billed = new Decimal(group.costUsd).minus(allocated);
    }
  }
  const start = context.dayStart(group.day);
  const end = context.dayStart(nextDay(group.day));
  return lines.map((l) => ({
    BilledCost: l.billed.toFixed(),
    EffectiveCost: l.billed.toFixed(),
    ListCost: l.listCost.toFixed(),
    ContractedCost: l.contractedCost.toFixed(),
    BillingAccountId: context.billingAccountId,
    BillingAccountName: neutralise(context.billingAccountName),
    BillingCurrency: 'USD',
    BillingPeriodStart: iso(context.billingPeriodStart),
    BillingPeriodEnd: iso(context.billingPeriodEnd),
    ChargePeriodStart: iso(start),
    ChargePeriodEnd: iso(end),
    ChargeCategory: 'Usage',
    ChargeClass: '',
    ChargeDescription: neutralise(
      `${group.model} ${KIND_WORDS[l.kind]}${l.priced ? '' : ' (unpriced: no rate for this model)'}`,
    ),
    ChargeFrequency: 'Usage-Based',
    PricingCategory: 'Standard',
    PricingQuantity: l.quantity.toFixed(),
    PricingUnit: '1000 Tokens',
    ListUnitPrice: l.listUnit.toFixed(),
    ContractedUnitPrice: l.contractedUnit.toFixed(),
    ConsumedQuantity: String(group.tokens[l.kind]),
    ConsumedUnit: 'Tokens',
    SkuId: neutralise(`${group.provider}/${group.model}/${l.kind}`),
    SkuPriceId: l.rateVersionId
      ? neutralise(`${l.rateVersionId}/${group.provider}/${group.model}/${l.kind}`)
      : '',
    ProviderName: neutralise(group.provider),
    PublisherName: neutralise(group.provider),
    InvoiceIssuerName: neutralise(group.provider),
    ServiceProviderName: neutralise(group.provider),
    HostProviderName: neutralise(group.provider),
    ServiceCategory: 'AI and Machine Learning',
    ServiceSubcategory: 'Generative AI',
    ServiceName: neutralise(`${group.provider} API`),
    SubAccountId: neutralise(group.project),
    SubAccountName: neutralise(group.project),
    x_Model: neutralise(group.model),
    x_TokenKind: l.kind,
  }));
}

/**
 * The FOCUS export of the line items (which arrive ordered by day): they are folded into
 * day × project × provider × model groups, one day in memory at a time, and written as CSV.
 */
export async function writeFocus(
  items: AsyncIterable<LineItem>,
  out: Writable,
  context: FocusContext,
  prices: UnitPriceLookup,
  onItem?: (item: LineItem) => void,
): Promise<void> {
  async function* groups(): AsyncGenerator<FocusGroup> {
    let day: string | null = null;
    let open = new Map<string, FocusGroup>();
    for await (const item of items) {
      onItem?.(item);
      if (item.day !== day) {
        yield* open.values();
        open = new Map();
        day = item.day;
      }
      const key = `${item.project}\u0000${item.provider}\u0000${item.model}`;
      let g = open.get(key);
      if (!g) {
        g = {
          day: item.day,
          project: item.project,
          provider: item.provider,
          model: item.model,
          tokens: Object.fromEntries(FOCUS_TOKEN_KINDS.map((k) => [k, 0])) as Record<FocusTokenKind, number>,
          costUsd: new Decimal(0),
        };
        open.set(key, g);
      }
      const t = tokensByKind(item);
      for (const k of FOCUS_TOKEN_KINDS) g.tokens[k] += t[k];
      g.costUsd = g.costUsd.plus(item.costUsd);
    }
    yield* open.values();
  }
  await writeFocusGroups(groups(), out, context, prices);
}

/**
 * The FOCUS export of day × project × provider × model groups (the store aggregates them in SQL,
 * in that order), streamed as CSV: one row per token kind used.
 */
export async function writeFocusGroups(
  groups: AsyncIterable<FocusGroup>,
  out: Writable,
  context: FocusContext,
  prices: UnitPriceLookup,
  onGroup?: (group: FocusGroup) => void,
): Promise<void> {
  async function* records(): AsyncGenerator<string[]> {
    yield [...FOCUS_COLUMNS];
    for await (const g of groups) {
      onGroup?.(g);
      for (const row of focusRows(g, context, prices)) yield FOCUS_COLUMNS.map((c) => row[c]);
    }
  }
  await pipeline(Readable.from(records()), stringify({ record_delimiter: 'windows' }), out);
}
