// `npm run bench:pricing`: events per second on one core, Tokenledger's pricer against
// @pydantic/genai-prices' calcPrice on the same fixed set of generated events, with a warm catalog.
// Before timing anything it checks that both give identical totals (1e-9 USD) wherever both price.
// No database: the built-in catalog is converted in memory, exactly as `seed` publishes it.
//
//   BENCH_TIME_MS=3000   time per task (default 3000 ms), BENCH_EVENTS=20000   events per scenario
import { mkdirSync, writeFileSync } from 'node:fs';
import { calcPrice, waitForUpdate, type Provider } from '@pydantic/genai-prices';
import type { UsageEvent } from '@tokenledger/contracts';
import {
  BUILTIN_TABLES,
  buildBuiltInCatalog,
  buildPricer,
  snapshotOf,
  type Pricer,
} from '@tokenledger/pricing';
import Decimal from 'decimal.js';
import { Bench } from 'tinybench';
import { expect, test } from 'vitest';
import {
  generateEvents,
  genaiUsage,
  makeEvent,
  randomInstant,
  randomUsage,
  rng,
} from '../libs/pricing/src/testing/generate';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 3000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const TOLERANCE = new Decimal('1e-9');

interface Scenario {
  name: string;
  events: UsageEvent[];
}

/** MARKET.md's four models with production-like usage: what a typical Tokenledger tenant sends. */
function marketEvents(count: number): UsageEvent[] {
  const random = rng(5);
  const targets = [
    { provider: 'openai', name: 'gpt-5.5' },
    { provider: 'openai', name: 'gpt-5.5-pro' },
    { provider: 'deepseek', name: 'deepseek-v4-pro' },
    { provider: 'deepseek', name: 'deepseek-v4-flash' },
  ];
  return Array.from({ length: count }, (_, i) => {
    const usage = randomUsage(random);
    usage.inputAudioTokens = 0;
    usage.inputImageTokens = 0;
    usage.outputAudioTokens = 0;
    return makeEvent(i, targets[i % targets.length]!, usage, randomInstant(random));
  });
}

/**
 * DeepSeek V4 inside a peak window before 2026-08-17 or on a weekend after 2026-08-23: Tokenledger
 * bills off-peak there on purpose (genai-prices issue #582); see genai-prices.crosscheck.spec.ts.
 */
function deepseekWindow(e: UsageEvent): boolean {
  if (e.provider !== 'deepseek' || !e.model.startsWith('deepseek-v4')) return false;
  const ms = Date.parse(e.occurredAt);
  const hour = (ms % 86_400_000) / 3_600_000;
  if (!((hour >= 1 && hour < 4) || (hour >= 6 && hour < 10))) return false;
  const weekday = new Date(ms).getUTCDay();
  return (
    ms < Date.parse('2026-08-17T00:00:00Z') ||
    (ms >= Date.parse('2026-08-23T00:00:00Z') && (weekday === 0 || weekday === 6))
  );
}

function checkTotals(pricer: Pricer, events: UsageEvent[]) {
  let compared = 0;
  let namedDifferences = 0;
  const mismatches: string[] = [];
  for (const e of events) {
    const ours = pricer.price(e, null);
    let theirs: number | null = null;
    try {
      theirs =
        calcPrice(genaiUsage(e.usage), e.model, { providerId: e.provider, timestamp: new Date(e.occurredAt) })
          ?.total_price ?? null;
    } catch {
      theirs = null;
    }
    if (ours.status !== 'priced' || theirs === null) continue;
    if (ours.totalUsd!.minus(theirs).abs().lte(TOLERANCE)) compared++;
    else if (deepseekWindow(e)) namedDifferences++;
    else
      mismatches.push(`${e.provider}/${e.model} ${e.occurredAt}: ${ours.totalUsd!.toFixed()} vs ${theirs}`);
  }
  return { compared, namedDifferences, mismatches };
}

/** `.reports/bench-pricing.json`, which `npm run bench` turns into a section of docs/BENCHMARKS.md. */
function writeReport(
  measured: {
    scenario: string;
    ours: ReturnType<typeof perSecond>;
    theirs: ReturnType<typeof perSecond>;
    check: ReturnType<typeof checkTotals>;
  }[],
  catalog: { converted: number; built: number; providers: number; rates: number },
) {
  const figures = measured.flatMap(({ scenario, ours, theirs }) => {
    const ratio = ours.eventsPerSecond / theirs.eventsPerSecond;
    return [
      {
        name: `Tokenledger price(), ${scenario}, one core`,
        value: Math.round(ours.eventsPerSecond),
        unit: 'events/s',
        reference: {
          name: '@pydantic/genai-prices calcPrice() on the same events',
          value: Math.round(theirs.eventsPerSecond),
          unit: 'events/s',
          ratio,
          ratioText: `${ratio.toFixed(1)}× the reference`,
        },
      },
      {
        name: `Speed-up over calcPrice(), ${scenario}`,
        value: Number(ratio.toFixed(1)),
        unit: '×',
        target: { op: '>=', value: 10, met: ratio >= 10 },
      },
    ];
  });
  const finished = new Date();
  mkdirSync('.reports', { recursive: true });
  writeFileSync(
    '.reports/bench-pricing.json',
    `${JSON.stringify(
      {
        name: 'pricing',
        title: 'Pricing throughput: Tokenledger’s pricer against @pydantic/genai-prices',
        startedAt: STARTED.toISOString(),
        finishedAt: finished.toISOString(),
        seconds: Math.round((finished.getTime() - STARTED.getTime()) / 1000),
        figures,
        notes: [
          `One core (one forked Vitest process), ${TIME_MS} ms per task with a warm catalog; both engines price the same generated events, and give identical totals (1e-9 USD) wherever both price: ${measured
            .map(
              (m) =>
                `${m.scenario}: ${m.check.compared} equal${m.check.namedDifferences ? `, ${m.check.namedDifferences} named differences (DeepSeek V4 windows)` : ''}`,
            )
            .join('; ')}.`,
          `Catalog: ${catalog.rates} rates from ${catalog.providers} providers, converted in ${catalog.converted.toFixed(0)} ms, compiled by buildPricer in ${catalog.built.toFixed(0)} ms.`,
        ],
        details: { measured, catalog },
      },
      null,
      2,
    )}\n`,
  );
}

const STARTED = new Date();

function perSecond(bench: Bench, name: string, events: number) {
  const task = bench.getTask(name)!;
  const result = task.result;
  if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`);
  return {
    eventsPerSecond: result.throughput.mean * events,
    rme: result.throughput.rme,
    microsPerEvent: (result.latency.mean * 1000) / events,
  };
}

test('pricing throughput: Tokenledger vs @pydantic/genai-prices calcPrice', async () => {
  const providers: Provider[] = (await waitForUpdate())!;
  let started = performance.now();
  const builtin = buildBuiltInCatalog(providers, 'bench');
  const snapshot = snapshotOf([
    {
      slug: BUILTIN_TABLES.catalog.slug,
      priority: BUILTIN_TABLES.catalog.priority,
      versions: [
        {
          effectiveFrom: '1970-01-01T00:00:00Z',
          rates: builtin.catalog.rates,
          providers: builtin.catalog.providers,
        },
      ],
    },
    {
      slug: BUILTIN_TABLES.listPrices.slug,
      priority: BUILTIN_TABLES.listPrices.priority,
      versions: [{ effectiveFrom: builtin.listPrices.effectiveFrom, rates: builtin.listPrices.rates }],
    },
  ]);
  const converted = performance.now() - started;
  started = performance.now();
  const pricer = buildPricer(snapshot);
  const built = performance.now() - started;

  const scenarios: Scenario[] = [
    { name: `whole catalog (${providers.length} providers)`, events: generateEvents(providers, EVENTS) },
    { name: 'MARKET.md models', events: marketEvents(EVENTS) },
  ];
  const rows: Record<string, string>[] = [];
  const ratios: number[] = [];
  const measured: {
    scenario: string;
    ours: ReturnType<typeof perSecond>;
    theirs: ReturnType<typeof perSecond>;
    check: ReturnType<typeof checkTotals>;
  }[] = [];
  for (const scenario of scenarios) {
    const { events } = scenario;
    const check = checkTotals(pricer, events);
    expect(check.mismatches.slice(0, 5)).toEqual([]);
    expect(check.compared).toBeGreaterThan(events.length * 0.8);

    // calcPrice's inputs are prepared outside the timing, as a caller would hold them.
    const usages = events.map((e) => genaiUsage(e.usage));
    const dates = events.map((e) => new Date(e.occurredAt));
    let sink = 0;
    // Each iteration prices the whole set; the time budget, not an iteration count, bounds the run.
    const bench = new Bench({
      time: TIME_MS,
      iterations: 3,
      warmupTime: Math.min(1000, TIME_MS / 3),
      warmupIterations: 1,
    });
    bench.add('tokenledger', () => {
      for (let i = 0; i < events.length; i++) if (pricer.price(events[i]!, null).totalUsd) sink++;
    });
    bench.add('calcPrice', () => {
      for (let i = 0; i < events.length; i++) {
        try {
          if (
            calcPrice(usages[i]!, events[i]!.model, { providerId: events[i]!.provider, timestamp: dates[i] })
          )
            sink++;
        } catch {
          sink--;
        }
      }
    });
    await bench.run();
    const ours = perSecond(bench, 'tokenledger', events.length);
    const theirs = perSecond(bench, 'calcPrice', events.length);
    ratios.push(ours.eventsPerSecond / theirs.eventsPerSecond);
    measured.push({ scenario: `${scenario.name}, ${events.length} events`, ours, theirs, check });
    for (const [engine, r] of [
      ['Tokenledger price()', ours],
      ['genai-prices calcPrice()', theirs],
    ] as const)
      rows.push({
        scenario: `${scenario.name}, ${events.length} events`,
        engine,
        'events/s': Math.round(r.eventsPerSecond).toLocaleString('en-US'),
        '±%': r.rme.toFixed(1),
        'µs/event': r.microsPerEvent.toFixed(2),
        'identical totals': `${check.compared} equal${check.namedDifferences ? `, ${check.namedDifferences} named differences` : ''}`,
      });
    expect(sink).not.toBe(0);
  }
  console.log(
    [
      '',
      `Pricing benchmark on one core (Node ${process.version}), ${TIME_MS} ms per task`,
      `catalog: ${builtin.catalog.rates.length} rates converted in ${converted.toFixed(0)} ms, compiled by buildPricer in ${built.toFixed(0)} ms`,
    ].join('\n'),
  );
  console.table(rows);
  console.log(
    scenarios
      .map((s, i) => `${s.name}: Tokenledger ${ratios[i]!.toFixed(1)}× calcPrice (target ≥ 10×)`)
      .join('\n'),
  );
  writeReport(measured, {
    converted,
    built,
    providers: providers.length,
    rates: builtin.catalog.rates.length,
  });
});
