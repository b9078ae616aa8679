import { validateUsageEvent } from '@tokenledger/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { toApiEvent } from './api-event';
import {
  DEMO_ANOMALY_UNPRICED_MODEL,
  LONG_PROMPT_TOKENS,
  MIN_ANOMALY_DAYS,
  type PlannedAnomaly,
} from './anomalies';
import {
  demoTraffic,
  DemoOptionError,
  planDemoTraffic,
  type DemoEvent,
  type DemoTrafficOptions,
} from './demo-traffic';

const END = new Date('2026-11-28T15:00:00Z');
const OPTIONS: DemoTrafficOptions = { seed: 7, events: 120_000, days: 56, end: END, anomalies: true };
const DAY = 86_400_000;

const all = (o: DemoTrafficOptions): DemoEvent[] => [...demoTraffic(planDemoTraffic(o))].flat();
const inside = (e: DemoEvent, a: PlannedAnomaly, from = a.start.getTime(), to = a.end.getTime()) => {
  const t = Date.parse(e.event.occurredAt);
  return t >= from && t < to;
};

describe('demo anomalies', () => {
  let plain: DemoEvent[];
  let injected: DemoEvent[];
  let anomalies: readonly PlannedAnomaly[];
  beforeAll(() => {
    plain = all({ ...OPTIONS, anomalies: false });
    injected = all(OPTIONS);
    anomalies = planDemoTraffic(OPTIONS).anomalies;
  });

  it('plans the same anomalies and events for the same seed, others for another seed', () => {
    expect(JSON.stringify(all(OPTIONS))).toBe(JSON.stringify(injected));
    const other = planDemoTraffic({ ...OPTIONS, seed: 8 }).anomalies;
    expect(other.map((a) => `${a.value}@${a.start.toISOString()}`)).not.toEqual(
      anomalies.map((a) => `${a.value}@${a.start.toISOString()}`),
    );
  });

  it('records every kind with its window in the last three weeks, one anomaly per day', () => {
    const seeded = anomalies.filter((a) => a.kind !== 'support-incident');
    expect(new Set(seeded.map((a) => a.kind))).toEqual(
      new Set([
        'customer-spike',
        'long-prompts',
        'unpriced-model',
        'model-upgrade',
        'runaway-job',
        'customer-burst',
        'agent-loop',
        'long-prompts-burst',
      ]),
    );
    expect(seeded.filter((a) => a.granularity === 'HOUR').length).toBeGreaterThanOrEqual(3);
    for (const a of seeded) {
      expect(a.start.getTime()).toBeGreaterThanOrEqual(END.getTime() - 22 * DAY);
      expect(a.end.getTime()).toBeLessThanOrEqual(END.getTime());
    }
    expect(new Set(seeded.map((a) => Math.floor(a.start.getTime() / DAY))).size).toBe(seeded.length);
  });

  it('leaves other days alone and changes the anomalies’ days as recorded', () => {
    const ids = new Set(injected.map((e) => e.event.eventId));
    expect(ids.size).toBe(injected.length);
    for (const e of injected.filter(
      (x) => x.event.eventId.includes('x') || x.event.usage.inputTokens >= LONG_PROMPT_TOKENS,
    ))
      expect(validateUsageEvent(JSON.parse(JSON.stringify(toApiEvent(e.event))), END).ok).toBe(true);

    const spike = anomalies.find((a) => a.kind === 'customer-spike')!;
    const count = (events: DemoEvent[]) =>
      events.filter((e) => e.event.customerId === spike.value && inside(e, spike)).length;
    expect(count(injected)).toBe(10 * count(plain));
    const dayBefore = (events: DemoEvent[]) =>
      events.filter(
        (e) =>
          e.event.customerId === spike.value &&
          inside(e, spike, spike.start.getTime() - DAY, spike.start.getTime()),
      ).length;
    expect(dayBefore(injected)).toBe(dayBefore(plain));

    const long = anomalies.find((a) => a.kind === 'long-prompts')!;
    const longOnes = injected.filter((e) => e.event.usage.inputTokens >= LONG_PROMPT_TOKENS);
    expect(longOnes.some((e) => e.event.feature === long.value && inside(e, long))).toBe(true);
    expect(
      plain.filter((e) => e.event.feature === long.value && e.event.usage.inputTokens >= LONG_PROMPT_TOKENS),
    ).toEqual([]);

    const unpriced = anomalies.find((a) => a.kind === 'unpriced-model')!;
    const withModel = injected.filter((e) => e.event.model === DEMO_ANOMALY_UNPRICED_MODEL.model);
    expect(withModel.length).toBeGreaterThan(0);
    expect(Math.min(...withModel.map((e) => Date.parse(e.event.occurredAt)))).toBeGreaterThanOrEqual(
      unpriced.start.getTime(),
    );
  });

  it('refuses a window too short for four weeks of history, naming the option', () => {
    expect(() => planDemoTraffic({ ...OPTIONS, days: MIN_ANOMALY_DAYS - 1 })).toThrow(DemoOptionError);
    expect(() => planDemoTraffic({ ...OPTIONS, days: MIN_ANOMALY_DAYS - 1 })).toThrow(/^anomalies:/);
    expect(planDemoTraffic({ ...OPTIONS, anomalies: false }).idPrefix).not.toBe(
      planDemoTraffic(OPTIONS).idPrefix,
    );
  });
});
