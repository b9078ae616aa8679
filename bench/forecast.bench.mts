// `npm run bench:forecast` (issue 16, "Forecast"): month-end forecasts replayed at days 7, 14 and 21
// of every whole month, against the naive run rate (spend so far ÷ days elapsed × days in month),
// on two companies:
//   - the demo company (libs/demo): its generated traffic over BENCH_FORECAST_DAYS days (default
//     180, so that several whole months have four weeks of history before them), priced with the
//     built-in catalog exactly as `seed` publishes it, summed per UTC day;
//   - a second, seeded company with 25%/month growth, a weekday/weekend rhythm, day-to-day noise and
//     a step change (×1.8 when a new feature ships).
// Each also gets an oracle: spend so far plus the generator's expected spend of the days left (for
// the demo, the mean daily spend of BENCH_FORECAST_ORACLE_SEEDS other seeds; for the growth company,
// its formula). Its MAPE over the run rate's is the best ratio any forecast can expect.
// No database: the forecast is the pure function the API and worker use (libs/budgeting).
//
//   BENCH_FORECAST_EVENTS=300000  BENCH_FORECAST_DAYS=180  BENCH_FORECAST_SEEDS=16,17,18,19
//   BENCH_FORECAST_DEV_SEEDS=16  BENCH_FORECAST_ORACLE_SEEDS=20
import {
  backtestMonthEnd,
  DEFAULT_FORECAST_PARAMS,
  type BacktestPoint,
  type BacktestSummary,
  type SpendDay,
} from '@tokenledger/budgeting';
import { createRandom, generateHour, normal, planDemoTraffic } from '@tokenledger/demo';
import { figure, log, writeReport } from './support/bench-env.mjs';
import { builtInPricer } from './support/demo-spend.mjs';

const EVENTS = Number(process.env.BENCH_FORECAST_EVENTS ?? 300_000);
const DAYS = Number(process.env.BENCH_FORECAST_DAYS ?? 180);
const END = new Date('2026-11-01T00:00:00Z');
const CHECKPOINTS = [7, 14, 21];
const seedList = (text: string) => text.split(',').filter(Boolean).map(Number);
const SEEDS = seedList(process.env.BENCH_FORECAST_SEEDS ?? '16,17,18,19');
/** The method was developed looking only at these; the other seeds are held out. */
const DEV_SEEDS = seedList(process.env.BENCH_FORECAST_DEV_SEEDS ?? '16');
/** The demo's expected daily spend: the mean over this many seeds (1000, 1001, …), none of SEEDS. */
const ORACLE_SEEDS = Array.from(
  { length: Number(process.env.BENCH_FORECAST_ORACLE_SEEDS ?? 20) },
  (_, i) => 1000 + i,
);
/** BENCH_FORECAST_PARAMS='{"checkWeeks":8}' tries other parameters (the defaults are what the API uses). */
const PARAMS = {
  ...DEFAULT_FORECAST_PARAMS,
  ...(JSON.parse(process.env.BENCH_FORECAST_PARAMS ?? '{}') as object),
};

type Pricer = Awaited<ReturnType<typeof builtInPricer>>;
type Company = 'demo' | 'growth';

function demoCompany(pricer: Pricer, seed: number): SpendDay[] {
  const plan = planDemoTraffic({ seed, events: EVENTS, days: DAYS, end: END });
  const byDay = new Map<string, number>();
  for (let h = 0; h < plan.hours; h++) {
    for (const { event } of generateHour(plan, h)) {
      const p = pricer.price(event, null);
      const day = event.occurredAt.slice(0, 10);
      byDay.set(
        day,
        (byDay.get(day) ?? 0) + (p.status === 'priced' && p.totalUsd ? p.totalUsd.toNumber() : 0),
      );
    }
  }
  return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, usd]) => ({ date, usd }));
}

/** Mean daily spend over `seeds`, and the standard error of that mean per day. */
function demoExpected(
  pricer: Pricer,
  seeds: readonly number[],
): { days: SpendDay[]; se: Map<string, number> } {
  const runs = seeds.map((seed) => demoCompany(pricer, seed));
  const days = runs[0].map((d, i) => ({
    date: d.date,
    usd: runs.reduce((s, r) => s + r[i].usd, 0) / runs.length,
  }));
  const se = new Map(
    days.map((d, i) => {
      const variance = runs.reduce((s, r) => s + (r[i].usd - d.usd) ** 2, 0) / (runs.length - 1);
      return [d.date, Math.sqrt(variance / runs.length)];
    }),
  );
  return { days, se };
}

/** Seeded: 25%/month growth, Monday ×1.1, weekends ×0.35, log-normal noise (σ 0.1), ×1.8 step. */
function growthCompany(seed: number, expected = false): SpendDay[] {
  const random = createRandom(seed, 'forecast-growth');
  const days: SpendDay[] = [];
  const start = Date.UTC(2026, 4, 1);
  for (let t = 0; t < DAYS; t++) {
    const at = new Date(start + t * 86_400_000);
    const w = at.getUTCDay();
    const weekly = w === 0 || w === 6 ? 0.35 : w === 1 ? 1.1 : 1;
    const growth = Math.pow(1.25, t / 30);
    const step = t >= Math.floor(DAYS * 0.55) ? 1.8 : 1;
    const noise = normal(random);
    // E[exp(0.1·z)] = exp(0.005) for a standard normal z.
    days.push({
      date: at.toISOString().slice(0, 10),
      usd: 400 * weekly * growth * step * (expected ? Math.exp(0.005) : Math.exp(0.1 * noise)),
    });
  }
  return days;
}

/**
 * The ceiling on a flat series: daily spend = weekday factor × log-normal noise (σ), nothing else,
 * months of 30 and 31 days starting on every weekday. The oracle knows the factors; the run rate
 * does not need them at whole weeks. `known`: the best forecast that sees only the past, told that
 * the series is flat and what its factors are: spend so far plus the days left at the level of the
 * last `history` days and the month so far. Returns MAPE (%) of the three per checkpoint.
 */
function flatCeiling(factors: readonly number[], sigma: number, runs = 100_000, history = 56) {
  const random = createRandom(1, 'forecast-flat');
  const sums = Object.fromEntries(CHECKPOINTS.map((d) => [d, { runRate: 0, oracle: 0, known: 0 }]));
  const day = () => Math.exp(sigma * normal(random) - sigma ** 2 / 2);
  for (let it = 0; it < runs; it++) {
    const start = it % 7;
    const days = 30 + (Math.floor(it / 7) % 2);
    const f = (t: number) => factors[(((start + t) % 7) + 7) % 7];
    // Days -history … -1 before the month, then the month.
    let pastSpend = 0;
    let pastFactors = 0;
    for (let t = -history; t < 0; t++) {
      pastSpend += f(t) * day();
      pastFactors += f(t);
    }
    const x = Array.from({ length: days }, (_, t) => f(t) * day());
    const total = x.reduce((a, b) => a + b, 0);
    for (const d of CHECKPOINTS) {
      let soFar = 0;
      let soFarFactors = 0;
      for (let t = 0; t < d; t++) {
        soFar += x[t];
        soFarFactors += f(t);
      }
      let rest = 0;
      for (let t = d; t < days; t++) rest += f(t);
      const level = (pastSpend + soFar) / (pastFactors + soFarFactors);
      sums[d].runRate += Math.abs(((soFar / d) * days) / total - 1);
      sums[d].oracle += Math.abs((soFar + rest) / total - 1);
      sums[d].known += Math.abs((soFar + level * rest) / total - 1);
    }
  }
  return Object.fromEntries(
    CHECKPOINTS.map((d) => [
      d,
      {
        runRate: (100 * sums[d].runRate) / runs,
        oracle: (100 * sums[d].oracle) / runs,
        known: (100 * sums[d].known) / runs,
      },
    ]),
  );
}

const ratioText = (x: number) => `${x.toFixed(2)} — ${x <= 0.5 ? '**met**' : '**NOT met**'}`;

function table(name: string, r: BacktestSummary): string {
  const months = new Set(r.points.map((p) => p.month)).size;
  const rows = CHECKPOINTS.map((d) => {
    const f = r.mapeForecast[d] ?? NaN;
    const n = r.mapeRunRate[d] ?? NaN;
    const o = r.mapeOracle?.[d] ?? NaN;
    return `| ${d} | ${f.toFixed(1)}% | ${n.toFixed(1)}% | ${ratioText(f / n)} | ${o.toFixed(1)}% | ${(o / n).toFixed(2)} |`;
  });
  const e = (x: number, a: number) => `${x >= a ? '+' : ''}${((100 * (x - a)) / a).toFixed(1)}%`;
  return [
    `#### ${name} (${months} months replayed)`,
    '',
    '| Day of month | Forecast MAPE | Run-rate MAPE | Ratio (target ≤ 0.50) | Oracle MAPE | Oracle ratio |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Actual month totals inside the forecast's 80% range: ${(100 * r.coverage).toFixed(0)}% of ${r.points.length} forecasts.`,
    '',
    'Error per month (forecast / run rate / oracle, signed: + is over the actual total):',
    '',
    `| Month | Actual | ${CHECKPOINTS.map((d) => `Day ${d}`).join(' | ')} |`,
    `| --- | --- | ${CHECKPOINTS.map(() => '---').join(' | ')} |`,
    ...[...new Set(r.points.map((p) => p.month))].map((month) => {
      const ps = r.points.filter((p) => p.month === month);
      return `| ${month} | $${ps[0].actual.toFixed(0)} | ${CHECKPOINTS.map((d) => {
        const p = ps.find((q) => q.day === d);
        return p
          ? `${e(p.forecast, p.actual)} / ${e(p.runRate, p.actual)} / ${e(p.oracle ?? NaN, p.actual)}`
          : '—';
      }).join(' | ')} |`;
    }),
  ].join('\n');
}

interface Pooled {
  forecast: number;
  runRate: number;
  oracle: number;
  coverage: number;
  n: number;
}

/** MAPE of the forecast, the run rate and the oracle at a checkpoint, pooled over several backtests. */
function pooled(rs: readonly BacktestSummary[], day: number | null): Pooled {
  const ps = rs.flatMap((r) => r.points.filter((p) => (day === null || p.day === day) && p.actual > 0));
  const mape = (pick: (p: BacktestPoint) => number) =>
    (100 * ps.reduce((a, p) => a + Math.abs(pick(p) - p.actual) / p.actual, 0)) / Math.max(1, ps.length);
  return {
    forecast: mape((p) => p.forecast),
    runRate: mape((p) => p.runRate),
    oracle: mape((p) => p.oracle ?? NaN),
    coverage: ps.filter((p) => p.actual >= p.low && p.actual <= p.high).length / Math.max(1, ps.length),
    n: ps.length,
  };
}

const COMPANY_NAME: Record<Company, string> = { demo: 'Demo company', growth: 'Growth/step company' };

async function main(): Promise<void> {
  const started = Date.now();
  const pricer = await builtInPricer();
  log(`demo expectation: mean of ${ORACLE_SEEDS.length} seeds (${ORACLE_SEEDS[0]}–${ORACLE_SEEDS.at(-1)})`);
  const demoExp = demoExpected(pricer, ORACLE_SEEDS);
  const growthExp = growthCompany(0, true);
  const out: string[] = [];
  const results: { seed: number; company: Company; r: BacktestSummary; series: SpendDay[] }[] = [];
  for (const seed of SEEDS) {
    log(`seed ${seed}`);
    const demoSeries = demoCompany(pricer, seed);
    const growthSeries = growthCompany(seed);
    const demo = backtestMonthEnd(demoSeries, CHECKPOINTS, 28, PARAMS, demoExp.days);
    const growth = backtestMonthEnd(growthSeries, CHECKPOINTS, 28, PARAMS, growthExp);
    results.push({ seed, company: 'demo', r: demo, series: demoSeries });
    results.push({ seed, company: 'growth', r: growth, series: growthSeries });
    const role = DEV_SEEDS.includes(seed) ? 'development seed' : 'held-out seed';
    out.push(
      table(
        `Demo company, seed ${seed}, ${role} (${EVENTS.toLocaleString('en-US')} events over ${DAYS} days)`,
        demo,
      ),
      '',
      table(`Growth company, seed ${seed}, ${role} (25%/month, ×1.8 step change)`, growth),
      '',
    );
  }
  // The oracle's own uncertainty: the standard error of the estimated expected spend of the days
  // left, as a share of the month's actual total, averaged over the demo's forecasts.
  const demoSe = results
    .filter((x) => x.company === 'demo')
    .flatMap((x) =>
      x.r.points.map((p) => {
        const days = x.series.filter((d) => d.date.startsWith(p.month)).slice(p.day);
        return Math.sqrt(days.reduce((s, d) => s + (demoExp.se.get(d.date) ?? 0) ** 2, 0)) / p.actual;
      }),
    );
  const oracleSe = (100 * demoSe.reduce((a, b) => a + b, 0)) / Math.max(1, demoSe.length);

  // The demo's day-to-day noise (log spend against the expectation) and weekly rhythm, for the
  // ceiling on a flat series with that noise.
  const logDev = results
    .filter((x) => x.company === 'demo')
    .flatMap((x) => x.series.map((d, i) => Math.log(d.usd / demoExp.days[i].usd)));
  const devMean = logDev.reduce((a, b) => a + b, 0) / logDev.length;
  const sigma = Math.sqrt(logDev.reduce((a, b) => a + (b - devMean) ** 2, 0) / (logDev.length - 1));
  const byWeekday = [0, 1, 2, 3, 4, 5, 6].map((w) => {
    const ds = demoExp.days.filter((d) => new Date(`${d.date}T00:00:00Z`).getUTCDay() === w);
    return ds.reduce((a, d) => a + d.usd, 0) / ds.length;
  });
  const flat = flatCeiling(
    byWeekday.map((v) => (7 * v) / byWeekday.reduce((a, b) => a + b, 0)),
    sigma,
  );

  const groups = [
    {
      label: `development (seed ${DEV_SEEDS.join(', ')})`,
      seeds: SEEDS.filter((s) => DEV_SEEDS.includes(s)),
    },
    {
      label: `held out (seeds ${SEEDS.filter((s) => !DEV_SEEDS.includes(s)).join(', ')})`,
      seeds: SEEDS.filter((s) => !DEV_SEEDS.includes(s)),
    },
    { label: 'all seeds', seeds: SEEDS },
  ].filter((g) => g.seeds.length > 0);
  const summary: string[] = [
    `| Company, seeds | ${CHECKPOINTS.map((d) => `Day ${d}: forecast / run rate (ratio); oracle ratio`).join(' | ')} | In 80% range |`,
    `| --- | ${CHECKPOINTS.map(() => '---').join(' | ')} | --- |`,
  ];
  const pooledBy: Record<string, Pooled> = {};
  for (const company of ['demo', 'growth'] as const) {
    for (const g of groups) {
      const rs = results.filter((x) => x.company === company && g.seeds.includes(x.seed)).map((x) => x.r);
      const cells = CHECKPOINTS.map((d) => {
        const m = pooled(rs, d);
        pooledBy[`${company}/${g.label}/${d}`] = m;
        return `${m.forecast.toFixed(1)}% / ${m.runRate.toFixed(1)}% (${ratioText(m.forecast / m.runRate)}); ${(m.oracle / m.runRate).toFixed(2)}`;
      });
      const all = pooled(rs, null);
      summary.push(
        `| ${COMPANY_NAME[company]}, ${g.label}, ${all.n / CHECKPOINTS.length} months | ${cells.join(' | ')} | ${(100 * all.coverage).toFixed(0)}% of ${all.n} |`,
      );
    }
  }
  const text = [
    ...summary,
    '',
    `Oracle: spend so far plus the expected spend of the days left. Demo: the mean daily spend of seeds ${ORACLE_SEEDS[0]}–${ORACLE_SEEDS.at(-1)} (${EVENTS.toLocaleString('en-US')} events over ${DAYS} days each); that estimate's standard error is ${oracleSe.toFixed(2)}% of the month's total on average, included in the oracle's MAPE. Growth company: its formula (400 × weekday × 1.25^(t/30) × step × e^0.005).`,
    '',
    `A flat series with the demo's weekly rhythm and its day-to-day noise (σ ${sigma.toFixed(3)} in log spend, measured against that expectation), nothing else: ${CHECKPOINTS.map((d) => `day ${d} run rate ${flat[d].runRate.toFixed(1)}%, oracle ${flat[d].oracle.toFixed(1)}% (${(flat[d].oracle / flat[d].runRate).toFixed(2)}), a forecast told the series is flat and its weekday factors, from the 8 weeks before and the month so far, ${flat[d].known.toFixed(1)}% (${(flat[d].known / flat[d].runRate).toFixed(2)})`).join('; ')}.`,
    '',
    ...out,
  ]
    .join('\n')
    .split('\n');
  console.log(text.join('\n'));
  const heldOut = groups.find((g) => g.label.startsWith('held out')) ?? groups[0];
  const figures = (['demo', 'growth'] as const).flatMap((company) =>
    CHECKPOINTS.flatMap((day) => {
      const m = pooledBy[`${company}/${heldOut.label}/${day}`];
      const where = `${company === 'demo' ? 'demo company' : 'growth/step company'} (${heldOut.label}, ${m.n} months)`;
      const reference = {
        name: 'run rate (spend so far ÷ days × days in month)',
        value: Math.round(m.runRate * 10) / 10,
        unit: '%',
      };
      return [
        figure(`Forecast MAPE at day ${day}, ${where}`, Math.round(m.forecast * 10) / 10, '%', {
          target: { op: '<=', value: Math.round(5 * m.runRate) / 10 },
          reference,
        }),
        figure(`Oracle MAPE at day ${day}, ${where}`, Math.round(m.oracle * 10) / 10, '%', { reference }),
      ];
    }),
  );
  writeReport({
    name: 'forecast',
    title: 'Month-end forecast against the run rate (backtest)',
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    figures,
    notes: [
      'No database: libs/budgeting backtestMonthEnd replays every whole month with four weeks of history before it at days 7, 14 and 21; the forecast (forecastDays, what `forecast`, `budgetStatus` and the "forecast to cross" alerts use) and the run rate see only the days up to then and are compared with the month’s actual total. Target: at most half the run rate’s MAPE (the target column is that half).',
      `Demo company: libs/demo traffic, ${EVENTS.toLocaleString('en-US')} events over ${DAYS} days per seed, priced with the built-in catalog, summed per UTC day. Growth company: seeded, 25%/month growth, weekday/weekend rhythm, 10% daily noise, ×1.8 step change at 55% of the window (8 August: the day after the day-7 checkpoint of that month, which no forecast can see).`,
      `The method was developed looking at seed ${DEV_SEEDS.join(', ')} only; the other seeds were run afterwards. The oracle knows the generator's expected spend of the days left: its ratio is the best a forecast can expect on these series.`,
    ],
    details: {
      seeds: SEEDS,
      devSeeds: DEV_SEEDS,
      oracleSeeds: ORACLE_SEEDS,
      events: EVENTS,
      days: DAYS,
      params: PARAMS,
      oracleSePercent: oracleSe,
    },
    markdown: text,
  });
}

void main();
