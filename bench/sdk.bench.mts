// `npm run bench:sdk`: what the SDK costs the application, and how fast one instance delivers.
//
// 1. Overhead per tracked call on the application's path: `track()` timed call by call (median,
//    p99), beside an empty timed call (the cost of reading the clock, included in each sample);
//    and a Chat Completions call through the real `openai` client, unwrapped and wrapped, with an
//    in-process `fetch` stub so no network time hides the wrapper's cost.
// 2. Events per second one SDK instance delivers to a local HTTP server (bench/sdk-fake-api.mjs,
//    its own process: gunzip, parse, count, 202).
//
// Runs the built ES module package (`npm run build -w @tokenledger/sdk`), as users get it.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  Tokenledger,
  withContext,
  wrapOpenAI,
  type TokenledgerOptions,
  type TrackEvent,
} from '@tokenledger/sdk';
import OpenAI from 'openai';
import { Bench } from 'tinybench';

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
const quick = process.argv.includes('--quick');
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

const event: TrackEvent = {
  provider: 'openai',
  model: 'gpt-5.5',
  usage: { inputTokens: 120_000, outputTokens: 4000, cacheReadTokens: 100_000, reasoningTokens: 1200 },
  latencyMs: 850,
  feature: 'support-chat',
  customerId: 'acme-corp',
  tags: { team: 'growth' },
};

async function startFakeApi() {
  const child = fork(join(BENCH_DIR, 'sdk-fake-api.mjs'), [], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(Number(d))),
  );
  const url = `http://127.0.0.1:${port}`;
  const count = async () => (await (await fetch(url)).json()) as { events: number; requests: number };
  return { url, count, stop: () => child.kill() };
}

const us = (ms: number) => `${(ms * 1000).toFixed(2)} µs`;

async function overhead(baseUrl: string) {
  const tl = new Tokenledger({ apiKey: 'bench', baseUrl, flushOnExit: false, maxBufferSize: 2_000_000 });
  const bench = new Bench({ time: quick ? 500 : 2000, warmupTime: 300 });
  let n = 0;
  // Let the SDK's background sending run between samples, as it would in an application.
  const sample = async (measure: () => number) => {
    const duration = measure();
    if (++n % 256 === 0) await yieldToLoop();
    return { overriddenDuration: duration };
  };
  // The baseline runs millions of times per second: a shorter run keeps its samples in memory.
  const baseline = new Bench({ time: 300, warmupTime: 100 });
  baseline.add('clock read only (baseline)', () =>
    sample(() => {
      const t0 = performance.now();
      return performance.now() - t0;
    }),
  );
  bench.add('track(event)', () =>
    sample(() => {
      const t0 = performance.now();
      tl.track(event);
      return performance.now() - t0;
    }),
  );
  bench.add('track(event) inside withContext()', () =>
    withContext({ customerId: 'globex', tags: { route: '/chat' } }, () =>
      sample(() => {
        const t0 = performance.now();
        tl.track(event);
        return performance.now() - t0;
      }),
    ),
  );

  const completion = JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1780000000,
    model: 'gpt-5.5-2026-03-05',
    choices: [
      { index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop', logprobs: null },
    ],
    usage: {
      prompt_tokens: 2048,
      completion_tokens: 900,
      total_tokens: 2948,
      prompt_tokens_details: { cached_tokens: 1536 },
      completion_tokens_details: { reasoning_tokens: 640 },
    },
  });
  const stubFetch = async () =>
    new Response(completion, { status: 200, headers: { 'content-type': 'application/json' } });
  const options = { apiKey: 'sk-bench', baseURL: 'http://openai.stub/v1', fetch: stubFetch, maxRetries: 0 };
  const raw = new OpenAI(options);
  // Its own instance, created once the events above are delivered, so their sending is not timed.
  const wrapperTl = new Tokenledger({ apiKey: 'bench', baseUrl, flushOnExit: false });
  const wrapped = wrapOpenAI(new OpenAI(options), { tokenledger: wrapperTl, feature: 'bench' });
  const params = { model: 'gpt-5.5', messages: [{ role: 'user' as const, content: 'Hi' }] };
  await baseline.run();
  await bench.run();
  const rows = [...baseline.tasks, ...bench.tasks].map((task) => {
    const result = task.result as {
      state: string;
      latency?: { p50: number; p99: number; samplesCount: number };
    };
    if (!result.latency) throw new Error(`${task.name}: ${result.state}`);
    return {
      name: task.name,
      median: result.latency?.p50 ?? NaN,
      p99: result.latency?.p99 ?? NaN,
      samples: result.latency?.samplesCount ?? 0,
    };
  });
  const trackMedian = rows.find((r) => r.name === 'track(event)')?.median ?? Number.NaN;
  await tl.shutdown(60_000);

  // The wrappers: the same call through an unwrapped and a wrapped client, alternating call by
  // call so both see the same machine load; the cost is the median of the paired differences.
  const pairs = quick ? 3000 : 10_000;
  const rawTimes: number[] = [];
  const wrappedTimes: number[] = [];
  const differences: number[] = [];
  for (let i = 0; i < pairs + 500; i++) {
    let t0 = performance.now();
    await raw.chat.completions.create(params);
    const a = performance.now() - t0;
    t0 = performance.now();
    await wrapped.chat.completions.create(params);
    const b = performance.now() - t0;
    if (i >= 500) {
      rawTimes.push(a);
      wrappedTimes.push(b);
      differences.push(b - a);
    }
    if (i % 256 === 0) await yieldToLoop();
  }
  const percentile = (xs: number[], p: number) =>
    [...xs].sort((x, y) => x - y)[Math.floor(xs.length * p)] ?? Number.NaN;
  const median = (xs: number[]) => percentile(xs, 0.5);
  const wrapperCost = median(differences);
  await wrapperTl.shutdown(30_000);
  console.log('\nOverhead on the application’s path (one call per sample)\n');
  console.table([
    ...rows.map((r) => ({ task: r.name, median: us(r.median), p99: us(r.p99), samples: r.samples })),
    {
      task: 'openai chat.completions.create (stub fetch), unwrapped',
      median: us(median(rawTimes)),
      p99: us(percentile(rawTimes, 0.99)),
      samples: pairs,
    },
    {
      task: 'openai chat.completions.create (stub fetch), wrapOpenAI',
      median: us(median(wrappedTimes)),
      p99: us(percentile(wrappedTimes, 0.99)),
      samples: pairs,
    },
  ]);
  console.log(
    `track(): median ${us(trackMedian)} (target < 5 µs: ${trackMedian < 0.005 ? 'met' : 'NOT met'}); ` +
      `wrapOpenAI: median ${us(wrapperCost)} more per call than the unwrapped client (paired)`,
  );
  return {
    trackMedianUs: trackMedian * 1000,
    wrapperMedianCostUs: wrapperCost * 1000,
    delivered: tl.stats().delivered,
  };
}

async function throughput(
  api: Awaited<ReturnType<typeof startFakeApi>>,
  label: string,
  options: TokenledgerOptions,
) {
  const n = quick ? 50_000 : 200_000;
  const before = await api.count();
  const tl = new Tokenledger({
    apiKey: 'bench',
    baseUrl: api.url,
    flushOnExit: false,
    maxBufferSize: n,
    ...options,
  });
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    tl.track(event);
    if (i % 1000 === 999) await yieldToLoop();
  }
  await tl.flush(120_000);
  const seconds = (performance.now() - started) / 1000;
  const after = await api.count();
  const received = after.events - before.events;
  await tl.shutdown();
  const stats = tl.stats();
  if (received !== n || stats.delivered !== n)
    throw new Error(`${label}: sent ${n}, the server counted ${received}`);
  return {
    config: label,
    events: n,
    seconds: Number(seconds.toFixed(2)),
    'events/s': Math.round(n / seconds),
    requests: after.requests - before.requests,
  };
}

const STARTED = new Date();

/** `.reports/bench-sdk.json`, which `npm run bench` turns into a section of docs/BENCHMARKS.md. */
function writeReport(
  cost: Awaited<ReturnType<typeof overhead>>,
  rows: Awaited<ReturnType<typeof throughput>>[],
) {
  const finished = new Date();
  const figures = [
    {
      name: 'track(event) on the application’s path, median',
      value: Number(cost.trackMedianUs.toFixed(2)),
      unit: 'µs',
      target: { op: '<', value: 5, met: cost.trackMedianUs < 5 },
    },
    {
      name: 'wrapOpenAI: extra time per chat.completions.create call, median of paired differences',
      value: Number(cost.wrapperMedianCostUs.toFixed(2)),
      unit: 'µs',
    },
    ...rows.map((r) => ({
      name: `Events one SDK instance delivers to a local HTTP server: ${r.config}`,
      value: r['events/s'],
      unit: 'events/s',
    })),
  ];
  mkdirSync('.reports', { recursive: true });
  writeFileSync(
    '.reports/bench-sdk.json',
    `${JSON.stringify(
      {
        name: 'sdk',
        title: 'What the SDK costs the application, and how fast one instance delivers',
        startedAt: STARTED.toISOString(),
        finishedAt: finished.toISOString(),
        seconds: Math.round((finished.getTime() - STARTED.getTime()) / 1000),
        figures,
        notes: [
          'The built ES module package, as users get it. track() is timed call by call (the cost of reading the clock is included in each sample); the wrapper cost is the median difference between the same Chat Completions call through an unwrapped and a wrapped `openai` client with an in-process fetch stub, alternating call by call.',
          `Delivery: ${rows[0]?.events ?? 0} events per configuration to bench/sdk-fake-api.mjs, its own process (gunzip, parse, count, 202; no validation or queue, so faster than the real API).`,
        ],
        details: { ...cost, throughput: rows },
      },
      null,
      2,
    )}\n`,
  );
}

async function main() {
  const api = await startFakeApi();
  try {
    const cost = await overhead(api.url);
    const rows = [
      await throughput(api, 'defaults (batch 500, 2 in flight, gzip)', {}),
      await throughput(api, 'batch 1000, 4 in flight, gzip', {
        maxBatchSize: 1000,
        maxConcurrentRequests: 4,
      }),
      await throughput(api, 'defaults without gzip', { gzip: false }),
    ];
    console.log(
      '\nEvents per second one SDK instance delivers to a local HTTP server (bench/sdk-fake-api.mjs)\n',
    );
    console.table(rows);
    console.log(JSON.stringify({ node: process.version, ...cost, throughput: rows }));
    writeReport(cost, rows);
  } finally {
    api.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
