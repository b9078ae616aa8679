// Properties over random rate cards and random events (seeded, so a failure reproduces).
import { describe, expect, it } from 'vitest';
import { buildPricer } from './pricer';
import { PRICE_KEYS, type PricedCard, type PriceFields, type RateInput } from './rate-card';
import { Usd } from './money';
import { snapshotOf } from './snapshot';
import { event, rate } from './testing/fixtures';
import { randomInstant, randomUsage, rng } from './testing/generate';

type Random = () => number;

function price(random: Random): string {
  const digits = Math.floor(random() * 7);
  return new Usd(Math.floor(random() * 100 * 10 ** digits)).div(10 ** digits).toFixed();
}

function fields(random: Random, p = 0.6): PriceFields {
  const out: PriceFields = { input: price(random), output: price(random) };
  for (const key of PRICE_KEYS) if (random() < p / 2 && key !== 'request') out[key] = price(random);
  if (random() < 0.1) out.request = price(random);
  return out;
}

function randomCard(random: Random): PricedCard {
  const card: PricedCard = fields(random);
  if (random() < 0.4)
    card.tiers = [{ aboveInputTokens: 100_000 + Math.floor(random() * 200_000), ...fields(random, 0.3) }];
  if (random() < 0.4) {
    const h = Math.floor(random() * 24);
    const span = 1 + Math.floor(random() * 12);
    const hh = (x: number) => `${String(x % 24).padStart(2, '0')}:00`;
    card.rules = [
      {
        label: 'window',
        when: {
          timeOfDay: { start: hh(h), end: hh(h + span) },
          ...(random() < 0.5 ? { weekdays: [1, 2, 3] } : {}),
        },
        ...fields(random),
      },
      { when: { from: '2026-03-01' }, ...fields(random) },
    ];
  }
  if (random() < 0.3) card.serviceTiers = { batch: { multiplier: '0.5' }, priority: fields(random) };
  return card;
}

const TIERS = ['standard', 'batch', 'flex', 'priority'] as const;

function randomEvents(random: Random, n: number) {
  return Array.from({ length: n }, (_, i) =>
    event('acme', `m${i % 5}`, randomUsage(random), randomInstant(random), {
      serviceTier: TIERS[Math.floor(random() * TIERS.length)]!,
    }),
  );
}

function randomRates(random: Random): RateInput[] {
  return Array.from({ length: 5 }, (_, i) => rate('acme', `m${i}`, randomCard(random)));
}

describe('pricing properties', () => {
  it('the parts sum exactly to the total, and no part is negative', () => {
    const random = rng(101);
    let priced = 0;
    for (let round = 0; round < 40; round++) {
      const pricer = buildPricer(
        snapshotOf([{ slug: 't', versions: [{ effectiveFrom: '2000-01-01', rates: randomRates(random) }] }]),
      );
      for (const e of randomEvents(random, 100)) {
        const r = pricer.price(e, null);
        if (r.status !== 'priced') continue;
        priced++;
        const parts = Object.values(r.breakdown!);
        expect(parts.reduce((a, b) => a.plus(b), new Usd(0)).eq(r.totalUsd!)).toBe(true);
        for (const part of parts) expect(part.isNegative()).toBe(false);
      }
    }
    expect(priced).toBeGreaterThan(3000);
  });

  it('publishing a version dated after an event never changes that event’s cost', () => {
    const random = rng(202);
    for (let round = 0; round < 30; round++) {
      const v1 = randomRates(random);
      const events = randomEvents(random, 60);
      const before = buildPricer(
        snapshotOf([{ slug: 't', versions: [{ effectiveFrom: '2000-01-01', rates: v1 }] }]),
      );
      // A new version effective one millisecond after some event: only events before it keep v1.
      const pivot = events[Math.floor(random() * events.length)]!.occurredAt;
      const from = new Date(Date.parse(pivot) + 1).toISOString();
      const after = buildPricer(
        snapshotOf([
          {
            slug: 't',
            versions: [
              { effectiveFrom: '2000-01-01', rates: v1 },
              { effectiveFrom: from, rates: randomRates(random) },
            ],
          },
        ]),
      );
      for (const e of events) {
        if (e.occurredAt > from) continue;
        const a = before.price(e, null);
        const b = after.price(e, null);
        expect(b.status).toBe(a.status);
        expect(b.rateVersionId).toBe(a.rateVersionId);
        expect(b.totalUsd?.toFixed()).toBe(a.totalUsd?.toFixed());
      }
    }
  });

  it('a discount is exact: total × (1 − pct / 100), part by part', () => {
    const random = rng(303);
    for (let round = 0; round < 20; round++) {
      const rates = randomRates(random);
      const pct = String(Math.floor(random() * 1000) / 10);
      const plain = buildPricer(
        snapshotOf([{ slug: 't', versions: [{ effectiveFrom: '2000-01-01', rates }] }]),
      );
      const discounted = buildPricer(
        snapshotOf([
          { slug: 't', versions: [{ effectiveFrom: '2000-01-01', rates }] },
          {
            slug: 'deal',
            organizationId: 'org',
            versions: [
              {
                effectiveFrom: '2000-01-01',
                rates: [rate('acme', '*', { discountPercent: pct }, { allModels: true })],
              },
            ],
          },
        ]),
      );
      const factor = new Usd(100).minus(pct).div(100);
      for (const e of randomEvents(random, 50)) {
        const a = plain.price(e, 'org');
        const b = discounted.price(e, 'org');
        if (a.status !== 'priced') continue;
        expect(b.totalUsd!.eq(a.totalUsd!.times(factor))).toBe(true);
        for (const [k, v] of Object.entries(a.breakdown!))
          expect(b.breakdown![k]!.eq(v.times(factor))).toBe(true);
        expect(b.flags).toContain(`override:discount-${new Usd(pct).toFixed()}%`);
      }
    }
  });
});
