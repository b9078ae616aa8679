import Decimal from 'decimal.js';
import {
  addTokens,
  PROVIDER_LABELS,
  RECONCILE_TOKEN_KINDS,
  totalTokens,
  zeroTokens,
  type ProviderCostRow,
  type ProviderUsageRow,
  type ReconcileProvider,
  type TokenCounts,
} from './provider-rows';

/** Which Tokenledger project a provider project (OpenAI), workspace (Anthropic) or API key is. */
export type MappingKind = 'project' | 'workspace' | 'api_key';
export interface ProviderMappingEntry {
  kind: MappingKind;
  externalId: string;
  /** The Tokenledger project's slug. */
  project: string;
}

/** What Tokenledger priced: one day × project × model of the provider, from the daily rollups. */
export interface OurUsageCell extends TokenCounts {
  day: string;
  project: string;
  model: string;
  requests: number;
  unpricedRequests: number;
  costUsd: Decimal;
}

export type ExplanationKind =
  | 'unmapped'
  | 'not_received'
  | 'not_reported'
  | 'price_difference'
  | 'credit'
  | 'excluded_tier'
  | 'other_charges';

/** A named cause of (part of) a difference; the amounts of a line add up to its difference. */
export interface Explanation {
  kind: ExplanationKind;
  /** Its part of provider − Tokenledger, in USD (null where the provider gave no cost that day). */
  amountUsd: Decimal | null;
  detail: string;
}

export interface ReconciliationLine {
  day: string;
  model: string;
  /** The Tokenledger project (slug), or null when the provider's project/workspace/key is not mapped. */
  project: string | null;
  /** The provider's project or workspace (and key) the line came from, when it is not mapped. */
  external: string | null;
  providerTokens: TokenCounts;
  ourTokens: TokenCounts;
  /** The provider's cost (usage lines; credits are lines of their own); null when no cost report covers the day. */
  providerCostUsd: Decimal | null;
  ourCostUsd: Decimal;
  /** provider − Tokenledger; null when the provider's cost is unknown. */
  differenceUsd: Decimal | null;
  /** The difference as a percentage of Tokenledger's cost; null when ours is zero. */
  differencePercent: Decimal | null;
  explanations: Explanation[];
  /** The part of the difference no explanation covers (rounding below the tolerance, or unknown). */
  unexplainedUsd: Decimal | null;
}

export interface ReconciliationTotals {
  providerTokens: number;
  ourTokens: number;
  /** Provider tokens Tokenledger also saw (per line, the smaller of the two), over provider tokens. */
  coveragePercent: Decimal | null;
  providerCostUsd: Decimal;
  ourCostUsd: Decimal;
  differenceUsd: Decimal;
  differencePercent: Decimal | null;
  byExplanation: { kind: ExplanationKind; amountUsd: Decimal; lines: number }[];
  unexplainedUsd: Decimal;
}

export interface Reconciliation {
  provider: ReconcileProvider;
  month: string;
  /** Days of the month the provider's usage / cost reports cover (an import states them). */
  usageDays: string[];
  costDays: string[];
  lines: ReconciliationLine[];
  totals: ReconciliationTotals;
}

export interface ReconcileInput {
  provider: ReconcileProvider;
  month: string;
  usage: ProviderUsageRow[];
  costs: ProviderCostRow[];
  usageDays: string[];
  costDays: string[];
  ours: OurUsageCell[];
  mappings: ProviderMappingEntry[];
  /** Differences below this (per line and explanation) are rounding: default $0.01. */
  toleranceUsd?: Decimal;
}

const ZERO = new Decimal(0);
const MILLION = new Decimal(1_000_000);

/** A dated snapshot name without its date: "gpt-4o-2024-08-06" → "gpt-4o", "claude-x-20250514" → "claude-x". */
export function undatedModel(model: string): string {
  return model.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '');
}

/** Provider model names matched to Tokenledger's: exact, else the same model without its snapshot date. */
function modelMatcher(ours: Iterable<string>): (provider: string) => string {
  const exact = new Set(ours);
  const byUndated = new Map<string, string>();
  for (const m of exact) if (!byUndated.has(undatedModel(m))) byUndated.set(undatedModel(m), m);
  return (model) => (exact.has(model) ? model : (byUndated.get(undatedModel(model)) ?? model));
}

interface Cell {
  day: string;
  model: string;
  project: string | null;
  external: string | null;
  providerTokens: TokenCounts;
  excludedTokens: number;
  ourTokens: TokenCounts;
  usageCost: Decimal;
  otherCost: Decimal;
  creditCost: Decimal;
  hasProviderUsage: boolean;
  ourCost: Decimal;
  unpricedRequests: number;
}

function usd(d: Decimal): string {
  return `$${d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2)}`;
}

/**
 * Lines the provider's usage and cost up against what Tokenledger priced, per day × model ×
 * project, and names the causes of each difference (docs/RECONCILIATION.md):
 * - unmapped: the provider's project/workspace/key is not mapped to a Tokenledger project;
 * - not_received: usage Tokenledger never received (no events that day, or fewer tokens);
 * - not_reported: tokens Tokenledger received that the provider did not report;
 * - price_difference: the provider's cost per token against Tokenledger's rate (a discount, a new
 *   price, a tier);
 * - credit: credits and other negative lines of the cost report;
 * - excluded_tier: usage whose cost the provider's report leaves out (Anthropic's Priority Tier);
 * - other_charges: costs that are not tokens (web search, code execution).
 * With tokens on both sides, a difference splits exactly into volume (token difference at
 * Tokenledger's own average rate for the line), excluded tier and price.
 */
export function reconcile(input: ReconcileInput): Reconciliation {
  const tolerance = input.toleranceUsd ?? new Decimal('0.01');
  const label = PROVIDER_LABELS[input.provider];
  const externalKind: MappingKind = input.provider === 'openai' ? 'project' : 'workspace';
  const byExternal = new Map<string, string>();
  const byKey = new Map<string, string>();
  for (const m of input.mappings) {
    if (m.kind === 'api_key') byKey.set(m.externalId, m.project);
    else if (m.kind === externalKind) byExternal.set(m.externalId, m.project);
  }
  const ourModels = new Set(input.ours.map((o) => o.model));
  const matchModel = modelMatcher(ourModels);
  const inMonth = (day: string) => day.startsWith(`${input.month}-`);
  const costDays = new Set(input.costDays.filter(inMonth));

  const cells = new Map<string, Cell>();
  const cell = (day: string, model: string, project: string | null, external: string | null): Cell => {
    const key = `${day}\u0000${model}\u0000${project ?? ''}\u0000${external ?? ''}`;
    let c = cells.get(key);
    if (!c) {
      c = {
        day,
        model,
        project,
        external,
        providerTokens: zeroTokens(),
        excludedTokens: 0,
        ourTokens: zeroTokens(),
        usageCost: ZERO,
        otherCost: ZERO,
        creditCost: ZERO,
        hasProviderUsage: false,
        ourCost: ZERO,
        unpricedRequests: 0,
      };
      cells.set(key, c);
    }
    return c;
  };
  const describeExternal = (externalProjectId: string, apiKeyId: string) =>
    [
      externalProjectId ? `${externalKind} ${externalProjectId}` : null,
      apiKeyId ? `API key ${apiKeyId}` : null,
    ]
      .filter(Boolean)
      .join(', ') || `the whole ${label} organization`;

  // Usage: the API-key mapping first, then the project/workspace mapping.
  // For splitting costs: which projects the usage of day × model × external project went to, by tokens.
  const spread = new Map<
    string,
    Map<string, { project: string | null; external: string | null; tokens: number }>
  >();
  for (const u of input.usage) {
    if (!inMonth(u.day)) continue;
    const model = matchModel(u.model);
    const project = (u.apiKeyId && byKey.get(u.apiKeyId)) || byExternal.get(u.externalProjectId) || null;
    const external = project ? null : describeExternal(u.externalProjectId, u.apiKeyId);
    const c = cell(u.day, model, project, external);
    c.hasProviderUsage = true;
    addTokens(c.providerTokens, u);
    // Anthropic's cost report leaves Priority Tier out (its usage report keeps it).
    const excluded = input.provider === 'anthropic' && u.serviceTier === 'priority';
    if (excluded) c.excludedTokens += totalTokens(u);
    const sk = `${u.day}\u0000${model}\u0000${u.externalProjectId}`;
    let targets = spread.get(sk);
    if (!targets) spread.set(sk, (targets = new Map()));
    const tk = `${project ?? ''}\u0000${external ?? ''}`;
    const t = targets.get(tk) ?? { project, external, tokens: 0 };
    // Costs are split by billed tokens: the excluded tier has no cost to receive.
    if (!excluded) t.tokens += totalTokens(u);
    targets.set(tk, t);
  }

  // Costs: to the projects the same day × model × external project's usage went to, in proportion
  // to its tokens; else by the project/workspace mapping.
  for (const k of input.costs) {
    if (!inMonth(k.day)) continue;
    if (k.chargeKind === 'credit') {
      const project = byExternal.get(k.externalProjectId) ?? null;
      const c = cell(k.day, '(credit)', project, project ? null : describeExternal(k.externalProjectId, ''));
      c.creditCost = c.creditCost.plus(k.amountUsd);
      continue;
    }
    const model = k.model ? matchModel(k.model) : '(no model)';
    const targets = [
      ...(spread.get(`${k.day}\u0000${model}\u0000${k.externalProjectId}`)?.values() ?? []),
    ].filter((t) => t.tokens > 0);
    const shares: { project: string | null; external: string | null; amount: Decimal }[] = [];
    if (targets.length === 0) {
      const project = byExternal.get(k.externalProjectId) ?? null;
      shares.push({
        project,
        external: project ? null : describeExternal(k.externalProjectId, ''),
        amount: k.amountUsd,
      });
    } else {
      const total = targets.reduce((s, t) => s + t.tokens, 0);
      let given = ZERO;
      targets.forEach((t, i) => {
        const amount =
          i === targets.length - 1 ? k.amountUsd.minus(given) : k.amountUsd.times(t.tokens).div(total);
        given = given.plus(amount);
        shares.push({ project: t.project, external: t.external, amount });
      });
    }
    for (const s of shares) {
      const c = cell(k.day, model, s.project, s.external);
      if (k.chargeKind === 'other') c.otherCost = c.otherCost.plus(s.amount);
      else c.usageCost = c.usageCost.plus(s.amount);
    }
  }

  for (const o of input.ours) {
    if (!inMonth(o.day)) continue;
    const c = cell(o.day, o.model, o.project, null);
    addTokens(c.ourTokens, o);
    c.ourCost = c.ourCost.plus(o.costUsd);
    c.unpricedRequests += o.unpricedRequests;
  }

  const lines: ReconciliationLine[] = [];
  for (const c of cells.values()) lines.push(explain(c, costDays.has(c.day), tolerance, label));
  lines.sort(
    (a, b) =>
      a.day.localeCompare(b.day) ||
      (a.project ?? '\uffff').localeCompare(b.project ?? '\uffff') ||
      a.model.localeCompare(b.model) ||
      (a.external ?? '').localeCompare(b.external ?? ''),
  );
  return {
    provider: input.provider,
    month: input.month,
    usageDays: [...new Set(input.usageDays.filter(inMonth))].sort(),
    costDays: [...costDays].sort(),
    lines,
    totals: totalsOf(lines),
  };
}

function signed(d: Decimal): string {
  return `${d.isPositive() && !d.isZero() ? '+' : ''}${d.toFixed(1)}`;
}

function rate(cost: Decimal, tokens: number): Decimal | null {
  return tokens > 0 ? cost.div(tokens) : null;
}

function explain(c: Cell, costKnown: boolean, tolerance: Decimal, label: string): ReconciliationLine {
  const providerCost = costKnown ? c.usageCost.plus(c.otherCost).plus(c.creditCost) : null;
  const difference = providerCost ? providerCost.minus(c.ourCost) : null;
  const pTotal = totalTokens(c.providerTokens);
  const oTotal = totalTokens(c.ourTokens);
  const explanations: Explanation[] = [];
  const add = (kind: ExplanationKind, amountUsd: Decimal | null, detail: string, always = false) => {
    if (always || amountUsd === null || amountUsd.abs().gte(tolerance))
      explanations.push({ kind, amountUsd, detail });
  };
  const fmt = (n: number) => n.toLocaleString('en-US');

  if (!c.creditCost.isZero()) {
    add('credit', c.creditCost, `a credit of ${usd(c.creditCost.neg())} in ${label}'s cost report`, true);
  } else if (c.project === null) {
    add(
      'unmapped',
      providerCost,
      `${c.external} is not mapped to a Tokenledger project: ${fmt(pTotal)} tokens not attributed`,
      true,
    );
  } else if (oTotal === 0 && (pTotal > 0 || c.hasProviderUsage || (providerCost && !providerCost.isZero()))) {
    add(
      'not_received',
      providerCost,
      `Tokenledger received no ${c.model} usage for ${c.project} on ${c.day}: ${fmt(pTotal)} tokens (an app without the SDK, or events lost)`,
      true,
    );
  } else if (pTotal === 0 && oTotal > 0 && !c.hasProviderUsage) {
    add(
      'not_reported',
      costKnown ? c.ourCost.neg() : null,
      `${label} reported no ${c.model} usage for ${c.project} on ${c.day}; Tokenledger received ${fmt(oTotal)} tokens`,
      true,
    );
  } else if (providerCost) {
    // Both sides have tokens: volume at our own average rate, the excluded tier, and price.
    const ourRate = rate(c.ourCost, oTotal) ?? ZERO;
    const volume = ourRate.times(pTotal - oTotal);
    if (pTotal !== oTotal)
      add(
        pTotal > oTotal ? 'not_received' : 'not_reported',
        volume,
        pTotal > oTotal
          ? `${label} reported ${fmt(pTotal - oTotal)} more tokens than Tokenledger received`
          : `Tokenledger received ${fmt(oTotal - pTotal)} tokens ${label} did not report`,
      );
    const excluded = ourRate.times(c.excludedTokens).neg();
    if (c.excludedTokens > 0)
      add(
        'excluded_tier',
        excluded,
        `${fmt(c.excludedTokens)} Priority Tier tokens: ${label}'s cost report leaves their cost out`,
      );
    if (!c.otherCost.isZero())
      add(
        'other_charges',
        c.otherCost,
        `${usd(c.otherCost)} of charges that are not tokens (web search, code execution…)`,
      );
    const billed = pTotal - c.excludedTokens;
    const price = c.usageCost.minus(ourRate.times(billed));
    const providerRate = rate(c.usageCost, billed);
    if (providerRate)
      add(
        'price_difference',
        price,
        `${label} charged ${usd(providerRate.times(MILLION))} per 1M tokens against Tokenledger's ${usd(ourRate.times(MILLION))}` +
          (ourRate.isZero()
            ? ''
            : ` (${signed(providerRate.div(ourRate).minus(1).times(100).toDecimalPlaces(1))}%)`) +
          ': a discount, a new price or a tier',
      );
    if (c.unpricedRequests > 0 && explanations.length > 0)
      explanations[explanations.length - 1]!.detail +=
        `; ${c.unpricedRequests} Tokenledger requests are unpriced`;
  }
  const explained = explanations.reduce<Decimal | null>(
    (s, e) => (s === null || e.amountUsd === null ? null : s.plus(e.amountUsd)),
    ZERO,
  );
  return {
    day: c.day,
    model: c.model,
    project: c.project,
    external: c.external,
    providerTokens: c.providerTokens,
    ourTokens: c.ourTokens,
    providerCostUsd: providerCost,
    ourCostUsd: c.ourCost,
    differenceUsd: difference,
    differencePercent: difference && !c.ourCost.isZero() ? difference.div(c.ourCost).times(100) : null,
    explanations,
    unexplainedUsd: difference && explained ? difference.minus(explained) : null,
  };
}

function totalsOf(lines: ReconciliationLine[]): ReconciliationTotals {
  let providerTokens = 0;
  let ourTokens = 0;
  let seen = 0;
  let providerCost = ZERO;
  let ourCost = ZERO;
  let unexplained = ZERO;
  const by = new Map<ExplanationKind, { amountUsd: Decimal; lines: number }>();
  for (const l of lines) {
    const p = totalTokens(l.providerTokens);
    const o = totalTokens(l.ourTokens);
    providerTokens += p;
    ourTokens += o;
    seen += Math.min(p, o);
    if (l.providerCostUsd) providerCost = providerCost.plus(l.providerCostUsd);
    // Our cost counts where the provider's is known, so the totals compare like with like.
    if (l.providerCostUsd) ourCost = ourCost.plus(l.ourCostUsd);
    if (l.unexplainedUsd) unexplained = unexplained.plus(l.unexplainedUsd);
    for (const e of l.explanations) {
      const t = by.get(e.kind) ?? { amountUsd: ZERO, lines: 0 };
      by.set(e.kind, { amountUsd: t.amountUsd.plus(e.amountUsd ?? ZERO), lines: t.lines + 1 });
    }
  }
  const difference = providerCost.minus(ourCost);
  return {
    providerTokens,
    ourTokens,
    coveragePercent: providerTokens > 0 ? new Decimal(seen).div(providerTokens).times(100) : null,
    providerCostUsd: providerCost,
    ourCostUsd: ourCost,
    differenceUsd: difference,
    differencePercent: ourCost.isZero() ? null : difference.div(ourCost).times(100),
    byExplanation: [...by].map(([kind, v]) => ({ kind, ...v })),
    unexplainedUsd: unexplained,
  };
}

/** Per-kind token difference of a line (provider − Tokenledger). */
export function tokenDifference(line: ReconciliationLine): TokenCounts {
  const out = zeroTokens();
  for (const k of RECONCILE_TOKEN_KINDS) out[k] = line.providerTokens[k] - line.ourTokens[k];
  return out;
}

/** "Tokenledger saw 97.4% of your OpenAI tokens in 2026-10." */
export function coverageSentence(r: Reconciliation): string {
  const label = PROVIDER_LABELS[r.provider];
  return r.totals.coveragePercent === null
    ? `${label} reported no tokens for ${r.month}.`
    : `Tokenledger saw ${r.totals.coveragePercent.toDecimalPlaces(1, Decimal.ROUND_DOWN).toFixed(1)}% of your ${label} tokens in ${r.month}.`;
}

/** What a monthly report says about a provider's reconciliation. */
export function reconciliationBrief(r: Reconciliation): {
  provider: string;
  coverage: string;
  providerCostUsd: Decimal;
  ourCostUsd: Decimal;
  differenceUsd: Decimal;
  byExplanation: { kind: string; amountUsd: Decimal; lines: number }[];
  unexplainedUsd: Decimal;
} {
  return {
    provider: PROVIDER_LABELS[r.provider],
    coverage: coverageSentence(r),
    providerCostUsd: r.totals.providerCostUsd,
    ourCostUsd: r.totals.ourCostUsd,
    differenceUsd: r.totals.differenceUsd,
    byExplanation: r.totals.byExplanation,
    unexplainedUsd: r.totals.unexplainedUsd,
  };
}
