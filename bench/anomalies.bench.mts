// `npm run bench:anomalies` (issue 16, "Anomalies"): precision and recall of the daily anomaly
// detector (libs/budgeting detectAnomalies, what GraphQL `anomalies` runs) on the demo company's
// traffic with seeded anomalies injected into its last 8 weeks:
//   - customers whose spend jumps 10× for a day (10× the requests),
//   - features that start sending 300K-token prompts for a day (input tokens and cost ×6).
// A (series, day) cell counts as found when the detector flags it; every other flagged cell of the
// examined weeks is a false positive (the demo's own support incidents included).
//
//   BENCH_ANOMALY_EVENTS=300000  BENCH_ANOMALY_DAYS=120  BENCH_ANOMALY_THRESHOLD=5 (robust score)
import { DAILY_ANOMALY_OPTIONS, detectAnomalies } from '@tokenledger/budgeting';
import { createRandom } from '@tokenledger/demo';
import { pricedDemoEvents } from './support/demo-spend.mjs';

const EVENTS = Number(process.env.BENCH_ANOMALY_EVENTS ?? 300_000);
const DAYS = Number(process.env.BENCH_ANOMALY_DAYS ?? 120);
const EXAMINED = 56;
const OPTIONS = {
  ...DAILY_ANOMALY_OPTIONS,
  threshold: Number(process.env.BENCH_ANOMALY_THRESHOLD ?? DAILY_ANOMALY_OPTIONS.threshold),
};
const END = new Date('2026-11-01T00:00:00Z');
const DAY = 86_400_000;

async function main(): Promise<void> {
  const start = END.getTime() - DAYS * DAY;
  const customers = new Map<string, number[]>();
  const features = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, key: string, day: number, usd: number) => {
    let s = m.get(key);
    if (!s) m.set(key, (s = new Array<number>(DAYS).fill(0)));
    s[day] = (s[day] ?? 0) + usd;
  };
  const cells: { customer: string | null; feature: string; day: number; usd: number }[] = [];
  for await (const { event, usd } of pricedDemoEvents(16, EVENTS, DAYS, END)) {
    const day = Math.floor((Date.parse(event.occurredAt) - start) / DAY);
    cells.push({ customer: event.customerId, feature: event.feature ?? '', day, usd });
  }
  // Where to inject: regular customers (spending on most days) and every feature, on days of the examined weeks.
  const perCustomerDays = new Map<string, Set<number>>();
  for (const c of cells)
    if (c.customer) {
      const seen = perCustomerDays.get(c.customer) ?? new Set<number>();
      seen.add(c.day);
      perCustomerDays.set(c.customer, seen);
    }
  const regular = [...perCustomerDays]
    .filter(([, d]) => d.size >= DAYS * 0.8)
    .map(([c]) => c)
    .sort();
  const featureNames = [...new Set(cells.map((c) => c.feature))].sort();
  const random = createRandom(16, 'anomaly-injection');
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)] as T;
  const firstExamined = DAYS - EXAMINED;
  const injected = new Set<string>();
  const customerSpikes = new Map<string, number>();
  const featureSpikes = new Map<string, number>();
  for (let i = 0; i < 20 && regular.length > 0; i++) {
    const key = `${pick(regular)}|${firstExamined + Math.floor(random.next() * EXAMINED)}`;
    customerSpikes.set(key, 10);
    injected.add(`customer:${key}`);
  }
  for (let i = 0; i < 10; i++) {
    const key = `${pick(featureNames)}|${firstExamined + Math.floor(random.next() * EXAMINED)}`;
    featureSpikes.set(key, 6);
    injected.add(`feature:${key}`);
  }
  for (const c of cells) {
    const factor =
      (c.customer ? (customerSpikes.get(`${c.customer}|${c.day}`) ?? 1) : 1) *
      (featureSpikes.get(`${c.feature}|${c.day}`) ?? 1);
    if (c.customer) add(customers, c.customer, c.day, c.usd * factor);
    add(features, c.feature, c.day, c.usd * factor);
  }
  const flagged = new Set<string>();
  for (const [dim, series] of [
    ['customer', customers],
    ['feature', features],
  ] as const)
    for (const [key, s] of series)
      for (const a of detectAnomalies(s, firstExamined, OPTIONS)) flagged.add(`${dim}:${key}|${a.index}`);
  const truePositives = [...flagged].filter((f) => injected.has(f)).length;
  const precision = flagged.size ? truePositives / flagged.size : NaN;
  const recall = injected.size ? truePositives / injected.size : NaN;
  const byKind = (dim: string) => {
    const inj = [...injected].filter((x) => x.startsWith(dim));
    return `${inj.filter((x) => flagged.has(x)).length} of ${inj.length}`;
  };
  console.log(`Robust-score threshold ${OPTIONS.threshold}.\n`);
  console.log(`| Series | Injected found | Flagged | Precision | Recall |`);
  console.log(`| --- | --- | --- | --- | --- |`);
  console.log(
    `| ${customers.size} customers + ${features.size} features × ${EXAMINED} days | customers ${byKind('customer')}, features ${byKind('feature')} | ${flagged.size} | ${(100 * precision).toFixed(0)}% | ${(100 * recall).toFixed(0)}% |`,
  );
  const fps = [...flagged].filter((f) => !injected.has(f));
  console.log(`\nFalse positives: ${fps.slice(0, 10).join(', ')}${fps.length > 10 ? ', …' : ''}`);
}

void main();
