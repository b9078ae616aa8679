import type { UsageEvent } from '@tokenledger/contracts';
import { demoCustomers, DEMO_PROJECTS, type DemoCustomer } from './company';
import { DEMO_FEATURES, DEMO_SWITCH, type DailyRhythm, type FeatureProfile } from './features';
import { createRandom, hash32, normal, WeightedTable, type Random } from './random';
import { applyAnomalies, MIN_ANOMALY_DAYS, planDemoAnomalies, type PlannedAnomaly } from './anomalies';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const MAX_DEMO_DAYS = 3 * 366;
export const MAX_DEMO_EVENTS = 1_000_000_000;

export interface DemoTrafficOptions {
  /** Any safe non-negative integer: the same seed and options give the same events. */
  seed: number;
  /** Exactly this many events. */
  events: number;
  /** Over this many days, ending at `end`. */
  days: number;
  /** Exclusive end of the window: a whole UTC hour. */
  end: Date;
  /** Put every event in this project instead of spreading them over the company's projects. */
  project?: string;
  /**
   * Inject seeded anomalies (see anomalies.ts) into the last three weeks, with their ground truth
   * in the plan. Changes the eventIds (another prefix), so it never collides with a plain load.
   */
  anomalies?: boolean;
}

/** One generated event and the project it belongs to. */
export interface DemoEvent {
  project: string;
  event: UsageEvent;
}

/** The whole window, planned: how many events each hour holds, and what each feature's share is. */
export interface DemoTrafficPlan {
  readonly options: Readonly<DemoTrafficOptions>;
  readonly start: Date;
  readonly end: Date;
  readonly hours: number;
  /** Every eventId is this prefix and the event's index (0 … events-1). */
  readonly idPrefix: string;
  /** When the support-chat switch begins and ends (see DEMO_SWITCH). */
  readonly switchStart: Date;
  readonly switchEnd: Date;
  /** The first event index of each hour; `offsets[hours]` is the number of events. */
  readonly offsets: Float64Array;
  /** The projects the events go to. */
  readonly projects: readonly string[];
  /** Per hour, each feature's weight (DEMO_FEATURES order), hour-major. */
  readonly featureWeights: Float64Array;
  /** The demo's own support incidents: the first hour of each (four hours long). */
  readonly incidents: readonly number[];
  /** With `anomalies`: what is injected, where (empty otherwise). */
  readonly anomalies: readonly PlannedAnomaly[];
}

/** A problem with the options, naming the option at fault. */
export class DemoOptionError extends Error {
  constructor(
    readonly option: keyof DemoTrafficOptions,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'DemoOptionError';
  }
}

function validate(options: DemoTrafficOptions): void {
  const { seed, events, days, end } = options;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new DemoOptionError('seed', `must be a whole number of at least 0 (got ${seed})`);
  if (!Number.isSafeInteger(events) || events < 1 || events > MAX_DEMO_EVENTS)
    throw new DemoOptionError(
      'events',
      `must be a whole number from 1 to ${MAX_DEMO_EVENTS} (got ${events})`,
    );
  if (!Number.isSafeInteger(days) || days < 1 || days > MAX_DEMO_DAYS)
    throw new DemoOptionError('days', `must be a whole number from 1 to ${MAX_DEMO_DAYS} (got ${days})`);
  if (!(end instanceof Date) || Number.isNaN(end.getTime()))
    throw new DemoOptionError('end', 'must be a valid date');
  if (end.getTime() % HOUR_MS !== 0)
    throw new DemoOptionError('end', `must be a whole UTC hour (got ${end.toISOString()})`);
  if (options.anomalies && days < MIN_ANOMALY_DAYS)
    throw new DemoOptionError(
      'anomalies',
      `needs at least ${MIN_ANOMALY_DAYS} days (four weeks of history, then three weeks of anomalies; got ${days})`,
    );
}

/** Gaussian bump on the 24-hour circle. */
function bump(hour: number, center: number, width: number): number {
  const d = Math.min(Math.abs(hour - center), 24 - Math.abs(hour - center));
  return Math.exp(-(d * d) / (2 * width * width));
}

/**
 * Relative traffic at an hour of a weekday (UTC; ISO weekday 1 = Monday … 7 = Sunday). Customers
 * sit in Europe and the Americas: peaks at 09-10 UTC, 15-16 UTC and 20 UTC.
 */
export function rhythmAt(rhythm: DailyRhythm, hour: number, weekday: number): number {
  const weekend = weekday >= 6;
  switch (rhythm) {
    case 'business':
      return (
        (weekend ? 0.55 : 1) *
        (0.2 + 0.55 * bump(hour, 9.5, 2.5) + bump(hour, 15.5, 3) + 0.6 * bump(hour, 20, 2.5))
      );
    case 'steady':
      // Tickets arrive around the clock (e-mail, other time zones), less at night and on weekends.
      return (weekend ? 0.7 : 1) * (0.5 + 0.3 * bump(hour, 9.5, 3) + 0.6 * bump(hour, 16, 4));
    case 'engineering':
      return (weekend ? 0.12 : 1) * (0.05 + 0.5 * bump(hour, 9, 2) + bump(hour, 15, 3.5));
    case 'nightly-batch':
      return hour >= 1 && hour <= 5 ? 1 : 0.03;
    case 'eval-nights':
      return (weekday === 2 || weekday === 4) && hour >= 20 ? 1 : 0.05;
  }
}

function isoWeekday(ms: number): number {
  const d = new Date(ms).getUTCDay();
  return d === 0 ? 7 : d;
}

/**
 * Plans the window: each feature's expected traffic per hour (rhythm × growth × noise × a few
 * incident spikes), scaled so the features keep their shares, then the exact number of events per
 * hour (cumulative rounding: the hours sum to `events`).
 */
export function planDemoTraffic(options: DemoTrafficOptions): DemoTrafficPlan {
  validate(options);
  const { seed, events, days } = options;
  const end = new Date(options.end.getTime());
  const hours = days * 24;
  const start = new Date(end.getTime() - days * DAY_MS);
  const features = DEMO_FEATURES;
  const random = createRandom(seed, 'plan');

  // One busy or quiet factor per day for everything, and a few incidents that flood support.
  const dayNoise = Array.from({ length: days }, () => Math.exp(0.08 * normal(random)));
  const incidents = Array.from({ length: Math.max(1, Math.round(days / 30)) }, () =>
    Math.floor(random.next() * hours),
  );
  const raw = new Float64Array(hours * features.length);
  const totals = new Float64Array(features.length);
  for (let h = 0; h < hours; h++) {
    const ms = start.getTime() + h * HOUR_MS;
    const hourOfDay = new Date(ms).getUTCHours();
    const weekday = isoWeekday(ms);
    const fraction = (h + 0.5) / hours;
    const incident = incidents.some((i) => h >= i && h < i + 4);
    features.forEach((f, i) => {
      let w =
        fraction < f.launchedAt
          ? 0
          : rhythmAt(f.rhythm, hourOfDay, weekday) *
            (1 + f.growth * fraction) *
            dayNoise[Math.floor(h / 24)]! *
            Math.exp(0.12 * normal(random));
      if (incident && (f.feature === 'support-chat' || f.feature === 'ticket-classifier')) w *= 2.2;
      raw[h * features.length + i] = w;
      totals[i]! += w;
    });
  }
  const featureWeights = new Float64Array(hours * features.length);
  const hourWeight = new Float64Array(hours);
  let shareTotal = 0;
  features.forEach((f, i) => (shareTotal += totals[i]! > 0 ? f.share : 0));
  for (let h = 0; h < hours; h++) {
    for (let i = 0; i < features.length; i++) {
      const w =
        totals[i]! > 0 ? (raw[h * features.length + i]! / totals[i]!) * (features[i]!.share / shareTotal) : 0;
      featureWeights[h * features.length + i] = w;
      hourWeight[h]! += w;
    }
  }
  const offsets = new Float64Array(hours + 1);
  let cumulative = 0;
  for (let h = 0; h < hours; h++) {
    offsets[h] = Math.min(events, Math.floor(events * cumulative));
    cumulative += hourWeight[h]!;
  }
  offsets[hours] = events;

  const window = end.getTime() - start.getTime();
  const switchStart = start.getTime() + DEMO_SWITCH.at * window;
  const ramp = Math.min(DEMO_SWITCH.rampHours * HOUR_MS, window / 10);
  const runKey = hash32(
    `${events}/${days}/${end.toISOString()}${options.anomalies ? '/anomalies' : ''}`,
  ).toString(36);
  return {
    options: { ...options, end },
    start,
    end,
    hours,
    idPrefix: `demo-${seed}-${runKey}-`,
    switchStart: new Date(switchStart),
    switchEnd: new Date(switchStart + ramp),
    offsets,
    projects: options.project ? [options.project] : [...new Set(DEMO_PROJECTS.map((p) => p.slug))],
    featureWeights,
    incidents,
    anomalies: options.anomalies ? planDemoAnomalies(seed, start, end, incidents) : [],
  };
}

/** Customers by size, drawn only while active at that point of the window. */
class CustomerPicker {
  private readonly table: WeightedTable<DemoCustomer>;

  constructor(private readonly customers: readonly DemoCustomer[]) {
    this.table = new WeightedTable(
      customers,
      customers.map((c) => c.weight),
    );
  }

  pick(random: Random, fraction: number): DemoCustomer {
    for (let attempt = 0; attempt < 16; attempt++) {
      const c = this.table.draw(random);
      if (fraction >= c.activeFrom && fraction < c.activeUntil) return c;
    }
    return this.customers[0]!;
  }
}

let picker: CustomerPicker | undefined;

/**
 * The events of one hour of the plan, in index order. Each hour has its own random stream, so any
 * range of hours can be generated alone (and concurrently) and always comes out the same.
 */
export function generateHour(plan: DemoTrafficPlan, hour: number): DemoEvent[] {
  if (!Number.isInteger(hour) || hour < 0 || hour >= plan.hours)
    throw new RangeError(`hour must be from 0 to ${plan.hours - 1} (got ${hour})`);
  const first = plan.offsets[hour]!;
  const count = plan.offsets[hour + 1]! - first;
  if (count === 0) return [];
  picker ??= new CustomerPicker(demoCustomers());
  const features = DEMO_FEATURES;
  const weights = Array.from(
    plan.featureWeights.subarray(hour * features.length, (hour + 1) * features.length),
  );
  const table = new WeightedTable<FeatureProfile>(features, weights);
  const random = createRandom(plan.options.seed, 'hour', hour);
  const hourStart = plan.start.getTime() + hour * HOUR_MS;
  const windowMs = plan.end.getTime() - plan.start.getTime();
  const switchStart = plan.switchStart.getTime();
  const rampMs = plan.switchEnd.getTime() - switchStart;
  const single = plan.options.project;

  const out: DemoEvent[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const profile = table.draw(random);
    const at = hourStart + Math.floor(random.next() * HOUR_MS);
    const fraction = (at - plan.start.getTime()) / windowMs;
    const switchProgress = at < switchStart ? 0 : rampMs <= 0 ? 1 : Math.min(1, (at - switchStart) / rampMs);
    const customer = profile.perCustomer ? picker.pick(random, fraction) : null;
    const r = profile.request(random, { switchProgress });
    out[k] = {
      project: single ?? profile.project,
      event: {
        eventId: `${plan.idPrefix}${first + k}`,
        occurredAt: new Date(at).toISOString(),
        provider: r.provider,
        model: r.model,
        usage: r.usage,
        serviceTier: r.serviceTier,
        feature: profile.feature,
        customerId: customer?.id ?? null,
        environment: r.environment,
        inputModalities: r.inputModalities,
        latencyMs: r.latencyMs,
        status: r.status,
        tags: { team: profile.team, ...r.tags, ...(customer ? { plan: customer.plan } : {}) },
      },
    };
  }
  return plan.anomalies.length > 0
    ? applyAnomalies(plan.anomalies, plan.options.seed, hour, hourStart, out)
    : out;
}

/** Every event of hours [fromHour, toHour), one hour at a time. */
export function* demoTraffic(
  plan: DemoTrafficPlan,
  fromHour = 0,
  toHour = plan.hours,
): Generator<DemoEvent[], void, undefined> {
  for (let h = fromHour; h < toHour; h++) {
    const events = generateHour(plan, h);
    if (events.length > 0) yield events;
  }
}

/**
 * The events of hours [fromHour, toHour) in batches of at most `size` events of one project, each
 * project's remainder last. `stopped` is asked before each hour and each remainder, so a load that
 * failed elsewhere generates nothing more.
 */
export function* projectBatches(
  plan: DemoTrafficPlan,
  size: number,
  [fromHour, toHour]: [number, number] = [0, plan.hours],
  stopped: () => boolean = () => false,
): Generator<{ project: string; events: UsageEvent[] }, void, undefined> {
  const buffers = new Map<string, UsageEvent[]>();
  for (let hour = fromHour; hour < toHour && !stopped(); hour++) {
    for (const { project, event } of generateHour(plan, hour)) {
      let buffer = buffers.get(project);
      if (!buffer) buffers.set(project, (buffer = []));
      buffer.push(event);
      if (buffer.length >= size) {
        buffers.set(project, []);
        yield { project, events: buffer };
      }
    }
  }
  for (const [project, events] of buffers) if (events.length > 0 && !stopped()) yield { project, events };
}

/** Splits the hours into `parts` contiguous ranges holding about as many events each. */
export function splitHours(plan: DemoTrafficPlan, parts: number): [number, number][] {
  const total = plan.offsets[plan.hours]!;
  const ranges: [number, number][] = [];
  let from = 0;
  for (let p = 1; p <= parts && from < plan.hours; p++) {
    const target = (total * p) / parts;
    let to = from + 1;
    while (to < plan.hours && plan.offsets[to]! < target) to++;
    if (p === parts) to = plan.hours;
    ranges.push([from, to]);
    from = to;
  }
  return ranges;
}
