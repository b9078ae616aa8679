// `npm run bench:anomalies` (issue 16, "Anomalies"): precision and recall of the anomaly detector
// (libs/budgeting detectAnomalies + groupAnomalies) on the demo company's traffic with the seeded
// anomalies `demo load --anomalies` injects (libs/demo anomalies.ts: customer spikes, 300K-token
// prompts, an unpriced model appearing, a model upgrade, a runaway batch job, hourly bursts), on four
// seeds: the detector's settings were chosen looking at seeds 16 and 17; 18 and 19 were run
// afterwards, to check that the settings were not fitted to the first two.
//
// Every series of every dimension (project, feature, customer, model) is examined, daily and
// hourly, over the three weeks the anomalies are placed in; anomalies of the same incident are
// grouped (across series and adjacent buckets). An incident is a true positive when it overlaps in
// time a recorded anomaly (injected, or one of the demo's own support incidents) and one of its
// series is where that anomaly shows; every other incident is a false positive. Recall: injected
// anomalies of a granularity found by an incident of that granularity.
//
//   BENCH_ANOMALY_SEEDS=16,17,18,19  BENCH_ANOMALY_EVENTS=300000  BENCH_ANOMALY_DAYS=120
import {
  DAILY_ANOMALY_OPTIONS,
  detectAnomalies,
  groupAnomalies,
  HOURLY_ANOMALY_OPTIONS,
  materialUsd,
  median,
  type AnomalyOptions,
  type BucketFacts,
  type GroupableAnomaly,
} from '@tokenledger/budgeting';
import { anomalyTruth, generateHour, planDemoTraffic, type DemoAnomaly } from '@tokenledger/demo';
import { figure, writeReport } from './support/bench-env.mjs';
import { builtInPricer } from './support/demo-spend.mjs';

const SEEDS = (process.env.BENCH_ANOMALY_SEEDS ?? '16,17,18,19').split(',').map(Number);
const EVENTS = Number(process.env.BENCH_ANOMALY_EVENTS ?? 300_000);
const DAYS = Number(process.env.BENCH_ANOMALY_DAYS ?? 120);
const END = new Date('2026-11-01T00:00:00Z');
const HOUR = 3_600_000;
const DIMS = ['PROJECT', 'FEATURE', 'CUSTOMER', 'MODEL'] as const;
type Dim = (typeof DIMS)[number];
type Granularity = 'DAY' | 'HOUR';

/** The traffic as columns: one entry per event. */
interface Traffic {
  start: number;
  hours: number;
  /** Event index where each hour begins (events are generated hour by hour). */
  hourOffsets: Int32Array;
  dims: Record<Dim, Int32Array>;
  names: Record<Dim, string[]>;
  usd: Float64Array;
  tokens: Float64Array;
  unpriced: Uint8Array;
  truth: DemoAnomaly[];
}

async function traffic(seed: number): Promise<Traffic> {
  const pricer = await builtInPricer();
  const plan = planDemoTraffic({ seed, events: EVENTS, days: DAYS, end: END, anomalies: true });
  const ids: Record<Dim, Map<string, number>> = {
    PROJECT: new Map(),
    FEATURE: new Map(),
    CUSTOMER: new Map(),
    MODEL: new Map(),
  };
  const intern = (d: Dim, v: string) => {
    let i = ids[d].get(v);
    if (i === undefined) ids[d].set(v, (i = ids[d].size));
    return i;
  };
  const cols = { PROJECT: [], FEATURE: [], CUSTOMER: [], MODEL: [] } as Record<Dim, number[]>;
  const usd: number[] = [];
  const tokens: number[] = [];
  const unpriced: number[] = [];
  const hourOffsets = new Int32Array(plan.hours + 1);
  for (let h = 0; h < plan.hours; h++) {
    hourOffsets[h] = usd.length;
    for (const { project, event } of generateHour(plan, h)) {
      const p = pricer.price(event, null);
      cols.PROJECT.push(intern('PROJECT', project));
      cols.FEATURE.push(intern('FEATURE', event.feature ?? ''));
      cols.CUSTOMER.push(intern('CUSTOMER', event.customerId ?? ''));
      cols.MODEL.push(intern('MODEL', event.model));
      usd.push(p.status === 'priced' && p.totalUsd ? p.totalUsd.toNumber() : 0);
      tokens.push(event.usage.inputTokens + event.usage.outputTokens);
      unpriced.push(p.status === 'priced' ? 0 : 1);
    }
  }
  hourOffsets[plan.hours] = usd.length;
  const names = Object.fromEntries(DIMS.map((d) => [d, [...ids[d].keys()]])) as Record<Dim, string[]>;
  return {
    start: plan.start.getTime(),
    hours: plan.hours,
    hourOffsets,
    dims: Object.fromEntries(DIMS.map((d) => [d, Int32Array.from(cols[d])])) as Record<Dim, Int32Array>,
    names,
    usd: Float64Array.from(usd),
    tokens: Float64Array.from(tokens),
    unpriced: Uint8Array.from(unpriced),
    truth: anomalyTruth(plan.anomalies),
  };
}

interface Found extends GroupableAnomaly {
  dimension: Dim;
  score: number;
  facts: BucketFacts;
  before: BucketFacts;
}

interface Incident {
  shows: (m: Found, a: DemoAnomaly) => boolean;
  granularity: Granularity;
  members: Found[];
  from: number;
  to: number;
  matches: DemoAnomaly[];
}

/** Events [first, last) of bucket `i`. */
function span(t: Traffic, g: Granularity, i: number): [number, number] {
  const per = g === 'DAY' ? 24 : 1;
  const h0 = Math.max(0, Math.min(t.hours, i * per));
  const h1 = Math.max(0, Math.min(t.hours, (i + 1) * per));
  return [t.hourOffsets[h0], t.hourOffsets[h1]];
}

function detect(t: Traffic, g: Granularity, o: AnomalyOptions, from: number): Incident[] {
  const per = g === 'DAY' ? 24 : 1;
  const n = Math.ceil(t.hours / per);
  const total = new Array<number>(n).fill(0);
  const series = new Map<string, BucketFacts[]>();
  const key = (d: Dim, v: number) => `${d}\u0000${v}`;
  for (let i = 0; i < n; i++) {
    const [a, b] = span(t, g, i);
    for (let e = a; e < b; e++) {
      total[i] += t.usd[e];
      for (const d of DIMS) {
        const k = key(d, t.dims[d][e]);
        let s = series.get(k);
        if (!s) {
          s = Array.from({ length: n }, () => ({ costUsd: 0, requests: 0, tokens: 0, unpricedRequests: 0 }));
          series.set(k, s);
        }
        const f = s[i];
        f.costUsd += t.usd[e];
        f.requests++;
        f.tokens += t.tokens[e];
        f.unpricedRequests += t.unpriced[e];
      }
    }
  }
  const material = materialUsd(total.slice(0, from), o);
  const found: Found[] = [];
  for (const [k, s] of series) {
    const [d, v] = k.split('\u0000') as [Dim, string];
    const value = t.names[d][Number(v)];
    if (value === '') continue; // usage without a customer (or feature): not a series of its own
    for (const a of detectAnomalies(s, from, o, material)) {
      const past = [1, 2, 3, 4].map((j) => s[a.index - j * o.season]).filter((x): x is BucketFacts => !!x);
      const before: BucketFacts = {
        costUsd: median(past.map((x) => x.costUsd)),
        requests: median(past.map((x) => x.requests)),
        tokens: median(past.map((x) => x.tokens)),
        unpricedRequests: median(past.map((x) => x.unpricedRequests)),
      };
      found.push({
        dimension: d,
        value,
        index: a.index,
        kind: a.kind,
        cost: a.value,
        baseline: a.baseline,
        score: a.score,
        facts: s[a.index],
        before,
      });
    }
  }
  const debug = process.env.BENCH_ANOMALY_DEBUG;
  if (debug)
    for (const [k, s] of series) {
      const [d, v] = k.split('\u0000') as [Dim, string];
      if (`${d}:${t.names[d][Number(v)]}` !== debug) continue;
      const lo = g === 'DAY' ? from : from;
      console.log(
        g,
        debug,
        s
          .slice(lo)
          .map((f, i) => `${lo + i}:${f.costUsd.toFixed(2)}/${f.requests}`)
          .join(' '),
      );
      console.log(found.filter((f) => `${f.dimension}:${f.value}` === debug));
    }
  // Joint cost of two series in a bucket, and the unpriced models a series shows in a bucket.
  const matches = (e: number, x: Found) => t.names[x.dimension][t.dims[x.dimension][e]] === x.value;
  const joint = (i: number, a: Found, b: Found) => {
    const [s, e] = span(t, g, i);
    let c = 0;
    for (let k = s; k < e; k++) if (matches(k, a) && matches(k, b)) c += t.usd[k];
    return c;
  };
  const unpricedModels = (x: Found) => {
    const [s, e] = span(t, g, x.index);
    const models = new Set<string>();
    for (let k = s; k < e; k++)
      if (t.unpriced[k] && matches(k, x)) models.add(t.names.MODEL[t.dims.MODEL[k]]);
    return models;
  };
  const related = (a: Found, b: Found) => {
    if (a.kind === 'unpriced') {
      const mb = unpricedModels(b);
      return [...unpricedModels(a)].some((m) => mb.has(m));
    }
    // The same traffic: most of the smaller excess is in both series (now against the baseline).
    const i = Math.max(a.index, b.index);
    const now = joint(i, a, b);
    const baseline = median([1, 2, 3, 4].map((j) => joint(i - j * o.season, a, b)));
    const smaller = Math.min(a.cost - a.baseline, b.cost - b.baseline);
    return now - baseline >= 0.5 * smaller;
  };
  // A member shows a recorded anomaly when it is that anomaly's series, or most of its excess is
  // that series' traffic (a customer whose spend went up through the feature sending long prompts).
  const truthSeries = (a: DemoAnomaly): Found => ({
    ...found[0],
    dimension: a.dimension as Dim,
    value: a.value,
  });
  const shows = (m: Found, a: DemoAnomaly) => {
    if (
      [{ dimension: a.dimension, value: a.value }, ...a.alsoIn].some(
        (x) => x.dimension === m.dimension && x.value === m.value,
      )
    )
      return true;
    if (m.kind === 'unpriced') return a.dimension === 'MODEL' && unpricedModels(m).has(a.value);
    const now = joint(m.index, m, truthSeries(a));
    const baseline = median([1, 2, 3, 4].map((j) => joint(m.index - j * o.season, m, truthSeries(a))));
    return now - baseline >= 0.5 * (m.cost - m.baseline);
  };
  return groupAnomalies(found, related, material).map((members) => ({
    shows,
    granularity: g,
    members,
    from: t.start + Math.min(...members.map((m) => m.index)) * per * HOUR,
    to: t.start + (Math.max(...members.map((m) => m.index)) + 1) * per * HOUR,
    matches: [],
  }));
}

/** The recorded anomalies an incident found: one of its series shows one, in one of its buckets. */
function match(t: Traffic, incidents: Incident[], truth: readonly DemoAnomaly[]): void {
  for (const inc of incidents) {
    const per = (inc.granularity === 'DAY' ? 24 : 1) * HOUR;
    inc.matches = truth.filter((a) =>
      inc.members.some(
        (m) =>
          t.start + m.index * per < a.end.getTime() &&
          a.start.getTime() < t.start + (m.index + 1) * per &&
          inc.shows(m, a),
      ),
    );
  }
}

/** The series' top models by share of requests in its bucket, against the same bucket a season before. */
function modelMix(t: Traffic, g: Granularity, m: Found, season: number): string {
  const shares = (i: number) => {
    const [a, b] = span(t, g, i);
    const counts = new Map<string, number>();
    let total = 0;
    for (let e = a; e < b; e++)
      if (t.names[m.dimension][t.dims[m.dimension][e]] === m.value) {
        const model = t.names.MODEL[t.dims.MODEL[e]];
        counts.set(model, (counts.get(model) ?? 0) + 1);
        total++;
      }
    return { counts, total };
  };
  const now = shares(m.index);
  const before = shares(m.index - season);
  return [...now.counts]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 2)
    .map(
      ([model, c]) =>
        `${model} ${Math.round((100 * c) / Math.max(1, now.total))}% ← ${Math.round((100 * (before.counts.get(model) ?? 0)) / Math.max(1, before.total))}%`,
    )
    .join(', ');
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)}%` : '—');
const ratio = (a: number, b: number) => (b > 0 ? `×${(a / b).toFixed(1)}` : a > 0 ? 'new' : '—');

async function main(): Promise<void> {
  const started = Date.now();
  const rows: string[] = [];
  const kindRows = new Map<string, { found: number; of: number; granularity: string }>();
  let examples: string[] = [];
  const missed: string[] = [];
  const allIncidents: Incident[] = [];
  const totals = { DAY: { tp: 0, n: 0, found: 0, of: 0 }, HOUR: { tp: 0, n: 0, found: 0, of: 0 } };
  for (const seed of SEEDS) {
    const t = await traffic(seed);
    const seeded = t.truth.filter((a) => a.kind !== 'support-incident');
    const firstDay = Math.min(...seeded.map((a) => Math.floor(a.start.getTime() / 86_400_000))) * 86_400_000;
    const fromDay = Math.round((firstDay - t.start) / 86_400_000);
    const lastDay = Math.round((END.getTime() - t.start) / 86_400_000);
    for (const [g, o] of [
      ['DAY', DAILY_ANOMALY_OPTIONS],
      ['HOUR', HOURLY_ANOMALY_OPTIONS],
    ] as const) {
      const incidents = detect(t, g, o, g === 'DAY' ? fromDay : fromDay * 24);
      match(t, incidents, t.truth);
      allIncidents.push(...incidents);
      const tp = incidents.filter((i) => i.matches.length > 0).length;
      const wanted = seeded.filter((a) => a.granularity === g);
      const found = wanted.filter((a) => incidents.some((i) => i.matches.includes(a)));
      for (const a of wanted) {
        const k = kindRows.get(a.kind) ?? { found: 0, of: 0, granularity: g };
        k.of++;
        if (found.includes(a)) k.found++;
        kindRows.set(a.kind, k);
      }
      const fps = incidents.filter((i) => i.matches.length === 0);
      const incidentsFound = t.truth.filter(
        (a) => a.kind === 'support-incident' && incidents.some((i) => i.matches.includes(a)),
      );
      for (const a of wanted.filter((x) => !found.includes(x)))
        missed.push(
          `seed ${seed}, ${g === 'DAY' ? 'daily' : 'hourly'}: ${a.kind} ${a.dimension.toLowerCase()} ${a.value} ${a.start.toISOString().slice(0, 13)}`,
        );
      totals[g].tp += tp;
      totals[g].n += incidents.length;
      totals[g].found += found.length;
      totals[g].of += wanted.length;
      rows.push(
        `| ${seed} | ${g === 'DAY' ? 'daily' : 'hourly'} | ${lastDay - fromDay} days | ${incidents.length} (${incidents.reduce((s, i) => s + i.members.length, 0)} series-buckets) | ${tp} | ${pct(tp, incidents.length)} | ${found.length} of ${wanted.length} | ${pct(found.length, wanted.length)} | ${incidentsFound.length} | ${
          fps
            .slice(0, 3)
            .map(
              (i) =>
                `${i.members[0].dimension.toLowerCase()} ${i.members[0].value} ${new Date(i.from).toISOString().slice(0, g === 'DAY' ? 10 : 13)} cost ${ratio(i.members[0].cost, i.members[0].baseline)}, requests ${ratio(i.members[0].facts.requests, i.members[0].before.requests)}`,
            )
            .join('; ') || '—'
        }${fps.length > 3 ? '; …' : ''} |`,
      );
      if (seed === SEEDS[0])
        examples = examples.concat(
          incidents
            .filter((i) => i.matches.some((a) => a.kind !== 'support-incident'))
            .map((i) => {
              const p = i.members[0];
              const tpr = (f: BucketFacts) => (f.requests ? f.tokens / f.requests : 0);
              return `| ${i.matches.map((a) => a.kind).join(', ')} | ${g.toLowerCase()} | ${p.dimension.toLowerCase()} ${p.value}${i.members.length > 1 ? ` (+${i.members.length - 1})` : ''} | ${p.kind} | $${p.cost.toFixed(2)} vs $${p.baseline.toFixed(2)} | ${ratio(p.facts.requests, p.before.requests)} | ${ratio(tpr(p.facts), tpr(p.before))} | ${p.facts.unpricedRequests} | ${modelMix(t, g, p, g === 'DAY' ? 7 : 168)} |`;
            }),
        );
    }
  }
  const out: string[] = [];
  out.push(`Seeds ${SEEDS.join(', ')}; ${EVENTS.toLocaleString('en-US')} events over ${DAYS} days each.\n`);
  out.push(
    '| Seed | Detector | Examined | Incidents flagged | True | Precision | Injected found | Recall | Support incidents found | False positives (first 3: primary series, bucket, cost jump) |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  out.push(...rows);
  out.push('\n| Detector | Precision (all seeds) | Recall (all seeds) |');
  out.push('| --- | --- | --- |');
  for (const g of ['DAY', 'HOUR'] as const)
    out.push(
      `| ${g === 'DAY' ? 'daily' : 'hourly'} | ${pct(totals[g].tp, totals[g].n)} (${totals[g].tp}/${totals[g].n}) | ${pct(totals[g].found, totals[g].of)} (${totals[g].found}/${totals[g].of}) |`,
    );
  const tp = totals.DAY.tp + totals.HOUR.tp;
  const n = totals.DAY.n + totals.HOUR.n;
  const f = totals.DAY.found + totals.HOUR.found;
  const of = totals.DAY.of + totals.HOUR.of;
  out.push(`| both | ${pct(tp, n)} (${tp}/${n}) | ${pct(f, of)} (${f}/${of}) |`);
  out.push('\n| Injected kind | Detector | Found (all seeds) | Recall |');
  out.push('| --- | --- | --- | --- |');
  for (const [kind, k] of [...kindRows].sort(([a], [b]) => a.localeCompare(b)))
    out.push(
      `| ${kind} | ${k.granularity === 'DAY' ? 'daily' : 'hourly'} | ${k.found} of ${k.of} | ${pct(k.found, k.of)} |`,
    );
  out.push('\n| Incident led by a series of | Incidents (all seeds) | True | Precision |');
  out.push('| --- | --- | --- | --- |');
  for (const d of DIMS) {
    const mine = allIncidents.filter((i) => i.members[0].dimension === d);
    const t = mine.filter((i) => i.matches.length > 0).length;
    out.push(`| ${d.toLowerCase()} | ${mine.length} | ${t} | ${pct(t, mine.length)} |`);
  }
  out.push(`\nMissed: ${missed.join('; ') || 'none'}.`);
  out.push(
    `\nWhat changed, seed ${SEEDS[0]} (each incident's primary series against its seasonal baseline):\n`,
  );
  out.push(
    '| Injected | Detector | Primary (+ grouped series) | Kind | Cost vs baseline | Requests | Tokens per request | Unpriced requests | Model mix (requests, now ← a season before) |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  out.push(...examples);

  const seconds = Math.round((Date.now() - started) / 1000);
  const text = out.join('\n').split('\n');
  console.log(text.join('\n'));
  const p = (a: number, b: number) => Math.round((1000 * a) / Math.max(1, b)) / 10;
  writeReport({
    name: 'anomalies',
    title: 'Anomaly detection on demo traffic with seeded anomalies (`demo load --anomalies`)',
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    seconds,
    figures: [
      figure(`Anomaly precision, daily and hourly incidents, seeds ${SEEDS.join(', ')}`, p(tp, n), '%', {
        target: { op: '>=', value: 80 },
      }),
      figure(`Anomaly recall of injected anomalies, seeds ${SEEDS.join(', ')}`, p(f, of), '%', {
        target: { op: '>=', value: 80 },
      }),
      figure('Precision, daily detector', p(totals.DAY.tp, totals.DAY.n), '%'),
      figure('Recall, daily detector', p(totals.DAY.found, totals.DAY.of), '%'),
      figure('Precision, hourly detector', p(totals.HOUR.tp, totals.HOUR.n), '%'),
      figure('Recall, hourly detector', p(totals.HOUR.found, totals.HOUR.of), '%'),
    ],
    notes: [
      `No database: libs/budgeting detectAnomalies and groupAnomalies (GraphQL \`anomalies\` runs the same detector per dimension) over the traffic \`demo load --anomalies\` generates: ${EVENTS.toLocaleString('en-US')} events over ${DAYS} days per seed, priced with the built-in catalog, as series per project, feature, customer and model, by UTC day and by hour.`,
      'Injected per seed (libs/demo anomalies.ts), each on its own day of the last three weeks: customer spikes (10× requests for a day: a large and a mid-size account), 300K-token prompts on 15% of a feature’s requests for a day, a feature moving 30% of its requests to a model no catalog prices, a feature running half its requests on the flagship model, a batch job running 20 times over; hourly: a large account at 20× for two hours, the coding agent at 8× for three hours, 300K-token prompts on 40% of a feature’s requests for two hours.',
      'An incident (anomalies of several series and adjacent buckets grouped as one) is a true positive when one of its series, in one of its buckets, shows a recorded anomaly: it is that anomaly’s series (or one recorded with it), or most of its excess is that series’ traffic. The demo’s own support incidents count as recorded (real spikes, not noise), not toward recall.',
      'The detector’s settings were chosen looking at seeds 16 and 17 only; seeds 18 and 19 were run afterwards as a check.',
    ],
    details: { seeds: SEEDS, events: EVENTS, days: DAYS, totals },
    markdown: text,
  });
}

void main();
