import type { UsageEvent } from '@tokenledger/contracts';
import { demoCustomers, NAMED_ACCOUNT_COUNT } from './company';
import type { DemoModel } from './features';
import { createRandom, type Random } from './random';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Seeded anomalies injected into the demo traffic (`demo load --anomalies`), with their ground
 * truth, so anomaly detection can be measured (bench:anomalies). Each is one thing a person would
 * want to hear about, placed in the last three weeks of the window after at least four weeks of
 * normal history, on its own UTC day:
 *
 *   customer-spike   a customer's requests ×10 for a day (a large account and a mid-size one)
 *   long-prompts     a feature starts sending 300K-token prompts (a share of its requests, a day)
 *   unpriced-model   a feature moves part of its traffic to a self-hosted model no catalog
 *                    prices, from that day to the end of the window (found where it first appears)
 *   model-upgrade    a feature's cheap model is swapped for the flagship on half its requests
 *   runaway-job      a batch feature re-runs: its requests ×20 for a day
 *   customer-burst   a large account's requests ×20 for two hours (hourly)
 *   agent-loop       the coding agent's requests ×8 for three hours (hourly)
 *   long-prompts-burst  300K-token prompts on 40% of a feature's requests for two hours (hourly)
 *
 * The demo's own support incidents (support features ×2.2 for four hours, see planDemoTraffic) are
 * listed too, as `support-incident`: they are real spikes of the traffic, not noise.
 */
export type DemoAnomalyKind =
  | 'customer-spike'
  | 'long-prompts'
  | 'unpriced-model'
  | 'model-upgrade'
  | 'runaway-job'
  | 'customer-burst'
  | 'agent-loop'
  | 'long-prompts-burst'
  | 'support-incident';

export type DemoAnomalyDimension = 'PROJECT' | 'FEATURE' | 'CUSTOMER' | 'MODEL';

export interface DemoAnomaly {
  /** a1, a2, … in time order (support incidents: i1, i2, …). */
  id: string;
  kind: DemoAnomalyKind;
  /** Where a person should look: the dimension and value the anomaly is about. */
  dimension: DemoAnomalyDimension;
  value: string;
  /** Other series the same anomaly shows in, where a person could also see it first. */
  alsoIn: { dimension: DemoAnomalyDimension; value: string }[];
  /** The bucket size it is meant to be found at: a whole UTC day, or a few hours. */
  granularity: 'DAY' | 'HOUR';
  /** The injected window, whole hours [start, end). */
  start: Date;
  end: Date;
  description: string;
}

/** Self-hosted fine-tunes no public catalog prices (DEMO_UNPRICED_MODEL is used all along). */
export const DEMO_ANOMALY_UNPRICED_MODEL: DemoModel = { provider: 'vllm', model: 'qwen3-32b-docs-ft' };
export const DEMO_ANOMALY_FLAGSHIP: DemoModel = { provider: 'openai', model: 'gpt-5.5' };
export const LONG_PROMPT_TOKENS = 300_000;
/** Days of history before the first anomaly, and the days the anomalies are placed in. */
export const ANOMALY_HISTORY_DAYS = 28;
export const ANOMALY_WINDOW_DAYS = 21;
/** The smallest window `--anomalies` accepts: history, the anomalies' days and a margin. */
export const MIN_ANOMALY_DAYS = ANOMALY_HISTORY_DAYS + ANOMALY_WINDOW_DAYS + 1;

/** What an anomaly does to the events of the hours it covers. */
type Effect =
  | { type: 'multiply'; match: (e: UsageEvent) => boolean; factor: number }
  | { type: 'long-prompts'; feature: string; share: number }
  | { type: 'switch-model'; feature: string; share: number; to: DemoModel };

export interface PlannedAnomaly extends DemoAnomaly {
  effect: Effect | null;
}

function pickOne<T>(random: Random, xs: readonly T[]): T {
  return xs[Math.floor(random.next() * xs.length)]!;
}

/** A permutation of 0 … n-1 (Fisher–Yates). */
function shuffled(random: Random, n: number): number[] {
  const xs = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * The anomalies of a window [start, end) of `days` days, from the seed: which customers and
 * features, which days and hours. `incidentHours` are the plan's own support incidents (hour
 * indexes from `start`, four hours each).
 */
export function planDemoAnomalies(
  seed: number,
  start: Date,
  end: Date,
  incidentHours: readonly number[],
): PlannedAnomaly[] {
  const random = createRandom(seed, 'anomalies');
  // Whole UTC days of the last ANOMALY_WINDOW_DAYS before the last (possibly partial) day.
  const lastMidnight = Math.floor((end.getTime() - 1) / DAY_MS) * DAY_MS;
  const firstDay = lastMidnight - ANOMALY_WINDOW_DAYS * DAY_MS;
  const order = shuffled(random, ANOMALY_WINDOW_DAYS).map((d) => firstDay + d * DAY_MS);
  // Daily ones on any day; the hourly ones (the last three) on weekdays, where the hours have traffic.
  const weekday = (ms: number) => new Date(ms).getUTCDay() % 6 !== 0;
  const hourly = order.filter(weekday).slice(-3);
  const days = [...order.filter((d) => !hourly.includes(d)).slice(0, 6), ...hourly];
  const customers = demoCustomers();
  const steady = customers.filter((c) => c.activeFrom === 0 && c.activeUntil === 1);
  const large = steady.slice(0, NAMED_ACCOUNT_COUNT);
  const midSize = steady.filter((_, i) => i >= NAMED_ACCOUNT_COUNT && i < 25);
  const [spikeLarge, burstLarge] = shuffled(random, large.length).map((i) => large[i]!);
  const spikeMid = pickOne(random, midSize);
  const [longFeature, upgradeFeature] = shuffled(random, 2).map(
    (i) => (['support-chat', 'ticket-classifier'] as const)[i]!,
  );
  const unpricedFeature = pickOne(random, ['doc-summary', 'support-chat'] as const);
  const burstFeature = pickOne(random, ['doc-summary', 'support-chat'] as const);
  // Hourly ones in the busy part of the day (UTC 08-18), where the hours have traffic to compare.
  const busyHour = (n: number) => 8 + Math.floor(random.next() * (11 - n));

  const day = (i: number) => ({ start: days[i]!, end: days[i]! + DAY_MS });
  const hours = (i: number, n: number) => {
    const s = days[i]! + busyHour(n) * HOUR_MS;
    return { start: s, end: s + n * HOUR_MS };
  };
  const customerIs = (id: string) => (e: UsageEvent) => e.customerId === id;
  const featureIs = (f: string) => (e: UsageEvent) => e.feature === f;
  const list: (Omit<PlannedAnomaly, 'id' | 'start' | 'end'> & { start: number; end: number })[] = [
    {
      kind: 'customer-spike',
      dimension: 'CUSTOMER',
      value: spikeLarge!.id,
      granularity: 'DAY',
      ...day(0),
      description: `customer ${spikeLarge!.id} (a large account) sends 10× its requests for a day`,
      alsoIn: [],
      effect: { type: 'multiply', match: customerIs(spikeLarge!.id), factor: 10 },
    },
    {
      kind: 'customer-spike',
      dimension: 'CUSTOMER',
      value: spikeMid.id,
      granularity: 'DAY',
      ...day(1),
      description: `customer ${spikeMid.id} (a mid-size account) sends 10× its requests for a day`,
      alsoIn: [],
      effect: { type: 'multiply', match: customerIs(spikeMid.id), factor: 10 },
    },
    {
      kind: 'long-prompts',
      dimension: 'FEATURE',
      value: longFeature!,
      granularity: 'DAY',
      ...day(2),
      description: `${longFeature} sends ${LONG_PROMPT_TOKENS.toLocaleString('en-US')}-token prompts on 15% of its requests for a day`,
      alsoIn: [],
      effect: { type: 'long-prompts', feature: longFeature!, share: 0.15 },
    },
    {
      kind: 'unpriced-model',
      dimension: 'MODEL',
      value: DEMO_ANOMALY_UNPRICED_MODEL.model,
      granularity: 'DAY',
      start: days[3]!,
      end: days[3]! + DAY_MS,
      description: `${unpricedFeature} moves 30% of its requests to ${DEMO_ANOMALY_UNPRICED_MODEL.provider}/${DEMO_ANOMALY_UNPRICED_MODEL.model} (in no catalog) from this day on`,
      alsoIn: [{ dimension: 'FEATURE', value: unpricedFeature }],
      effect: {
        type: 'switch-model',
        feature: unpricedFeature,
        share: 0.3,
        to: DEMO_ANOMALY_UNPRICED_MODEL,
      },
    },
    {
      kind: 'model-upgrade',
      dimension: 'FEATURE',
      value: upgradeFeature!,
      granularity: 'DAY',
      ...day(4),
      description: `${upgradeFeature} runs half its requests on ${DEMO_ANOMALY_FLAGSHIP.model} for a day`,
      alsoIn: [{ dimension: 'MODEL', value: DEMO_ANOMALY_FLAGSHIP.model }],
      effect: { type: 'switch-model', feature: upgradeFeature!, share: 0.5, to: DEMO_ANOMALY_FLAGSHIP },
    },
    {
      kind: 'runaway-job',
      dimension: 'FEATURE',
      value: 'catalog-enrichment',
      granularity: 'DAY',
      ...day(5),
      description: 'the nightly catalog-enrichment batch runs 20 times over (a retry loop)',
      alsoIn: [
        { dimension: 'PROJECT', value: 'data-platform' },
        { dimension: 'MODEL', value: 'gpt-5-mini' },
      ],
      effect: { type: 'multiply', match: featureIs('catalog-enrichment'), factor: 20 },
    },
    {
      kind: 'customer-burst',
      dimension: 'CUSTOMER',
      value: burstLarge!.id,
      granularity: 'HOUR',
      ...hours(6, 2),
      description: `customer ${burstLarge!.id} sends 20× its requests for two hours`,
      alsoIn: [],
      effect: { type: 'multiply', match: customerIs(burstLarge!.id), factor: 20 },
    },
    {
      kind: 'agent-loop',
      dimension: 'FEATURE',
      value: 'coding-agent',
      granularity: 'HOUR',
      ...hours(7, 3),
      description: 'the coding agent loops: 8× its requests for three hours',
      alsoIn: [{ dimension: 'PROJECT', value: 'devtools' }],
      effect: { type: 'multiply', match: featureIs('coding-agent'), factor: 8 },
    },
    {
      kind: 'long-prompts-burst',
      dimension: 'FEATURE',
      value: burstFeature,
      granularity: 'HOUR',
      ...hours(8, 2),
      description: `${burstFeature} sends ${LONG_PROMPT_TOKENS.toLocaleString('en-US')}-token prompts on 40% of its requests for two hours`,
      alsoIn: [],
      effect: { type: 'long-prompts', feature: burstFeature, share: 0.4 },
    },
  ];
  const planned: PlannedAnomaly[] = list
    .sort((a, b) => a.start - b.start)
    .map(({ start: s, end: e, ...rest }, i) => ({
      ...rest,
      id: `a${i + 1}`,
      start: new Date(s),
      end: new Date(e),
    }));
  // Support incidents inside the window: both support features ×2.2 for four hours.
  incidentHours
    .map((h) => start.getTime() + h * HOUR_MS)
    .filter((s) => s < end.getTime())
    .sort((a, b) => a - b)
    .forEach((s, i) =>
      planned.push({
        id: `i${i + 1}`,
        kind: 'support-incident',
        dimension: 'FEATURE',
        value: 'support-chat',
        granularity: 'HOUR',
        start: new Date(s),
        end: new Date(Math.min(end.getTime(), s + 4 * HOUR_MS)),
        description:
          'the demo’s own support incident: support-chat and ticket-classifier ×2.2 for four hours',
        alsoIn: [
          { dimension: 'FEATURE', value: 'ticket-classifier' },
          { dimension: 'PROJECT', value: 'demo' },
        ],
        effect: null,
      }),
    );
  return planned;
}

/** The ground truth without the effects (what `demo load --anomalies` reports). */
export function anomalyTruth(planned: readonly PlannedAnomaly[]): DemoAnomaly[] {
  return planned.map(({ effect: _effect, ...a }) => ({ ...a }));
}

/**
 * Applies the anomalies active in one hour to its generated events, in place order: extra copies
 * (eventId + `x1`, `x2`, …) right after the event they copy, long prompts and model switches
 * changed in place. Deterministic: its own random stream per seed and hour.
 */
export function applyAnomalies<E extends { event: UsageEvent }>(
  planned: readonly PlannedAnomaly[],
  seed: number,
  hour: number,
  hourStart: number,
  events: E[],
): E[] {
  const active = planned.filter(
    (a) =>
      a.effect &&
      a.start.getTime() <= hourStart &&
      (hourStart < a.end.getTime() || a.kind === 'unpriced-model'),
  );
  if (active.length === 0) return events;
  const random = createRandom(seed, 'anomaly-hour', hour);
  const out: E[] = [];
  for (const original of events) {
    let item = original;
    let copies = 1;
    for (const a of active) {
      const effect = a.effect!;
      const e = item.event;
      if (effect.type === 'multiply') {
        if (effect.match(e)) copies *= effect.factor;
      } else if (e.feature === effect.feature && random.next() < effect.share) {
        if (effect.type === 'long-prompts') {
          const usage = {
            ...e.usage,
            inputTokens: LONG_PROMPT_TOKENS + Math.floor(random.next() * 20_000),
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            cacheWrite1hTokens: 0,
          };
          item = { ...item, event: { ...e, usage } };
        } else {
          item = { ...item, event: { ...e, provider: effect.to.provider, model: effect.to.model } };
        }
      }
    }
    out.push(item);
    for (let j = 1; j < copies; j++) {
      const at = hourStart + Math.floor(random.next() * HOUR_MS);
      out.push({
        ...item,
        event: {
          ...item.event,
          eventId: `${item.event.eventId}x${j}`,
          occurredAt: new Date(at).toISOString(),
        },
      });
    }
  }
  return out;
}
