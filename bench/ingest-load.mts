// The load process of `npm run bench:ingest`, forked so that its CPU is not the API's: realistic
// demo traffic (libs/demo) as API.md batches, POSTed to /v1/events, every accept latency recorded.
// Closed loop (N requests always in flight, to find the sustained rate) or open loop (a fixed
// request rate, to measure latency at a given load).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { generateHour, planDemoTraffic, toApiEvent, type DemoTrafficPlan } from '@tokenledger/demo';

export interface LoadRequest {
  url: string;
  key: string;
  seconds: number;
  /** Latencies of requests sent in this first part are not recorded (new connections, cold JIT). */
  warmupSeconds: number;
  batchSize: number;
  /** Closed loop with this many requests in flight, or an open loop at this many events/s. */
  mode: { kind: 'closed'; concurrency: number } | { kind: 'open'; eventsPerSecond: number };
  /** Each phase its own seed: eventIds never repeat between phases. */
  seed: number;
  end: string;
}

export interface LoadResult {
  requests: number;
  accepted: number;
  rejected: number;
  /** Non-202 answers and network errors, by status. */
  failures: Record<string, number>;
  /** Accept latency of every 202 after the warm-up, in ms. */
  latencies: number[];
  /** When each of those requests left, in ms from the start of the load. */
  sentAt: number[];
  startedAt: number;
  endedAt: number;
  /** The generated traffic ran out before the time did. */
  exhausted: boolean;
  /** CPU this load process used (user + system), in seconds. */
  cpuSeconds: number;
}

/** Yields request bodies of `size` events, hour after hour of the plan. */
function* bodies(plan: DemoTrafficPlan, size: number): Generator<string> {
  let batch: unknown[] = [];
  for (let hour = 0; hour < plan.hours; hour++) {
    for (const { event } of generateHour(plan, hour)) {
      batch.push(toApiEvent(event));
      if (batch.length === size) {
        yield JSON.stringify({ events: batch });
        batch = [];
      }
    }
  }
}

export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const plan = planDemoTraffic({
    seed: request.seed,
    events: 5_000_000,
    days: 30,
    end: new Date(request.end),
    project: 'bench',
  });
  const source = bodies(plan, request.batchSize);
  // node:http with keep-alive: a fifth of fetch's CPU per request, which the API would otherwise lose.
  const target = new URL(`${request.url}/v1/events`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const post = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${request.key}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const result: LoadResult = {
    requests: 0,
    accepted: 0,
    rejected: 0,
    failures: {},
    latencies: [],
    sentAt: [],
    startedAt: Date.now(),
    endedAt: 0,
    exhausted: false,
    cpuSeconds: 0,
  };
  const cpuAtStart = process.cpuUsage();
  const loadStart = performance.now();
  const deadline = loadStart + request.seconds * 1000;

  const send = async (body: string) => {
    const t0 = performance.now();
    result.requests++;
    try {
      const response = await post(body);
      const text = response.text;
      const ms = performance.now() - t0;
      if (response.status === 202) {
        const json = JSON.parse(text) as { accepted: number; rejected: unknown[] };
        result.accepted += json.accepted;
        result.rejected += json.rejected.length;
        if (t0 - loadStart >= request.warmupSeconds * 1000) {
          result.latencies.push(ms);
          result.sentAt.push(t0 - loadStart);
        }
      } else {
        result.failures[response.status] = (result.failures[response.status] ?? 0) + 1;
      }
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'network';
      result.failures[code] = (result.failures[code] ?? 0) + 1;
    }
  };
  const next = (): string | null => {
    const item = source.next();
    if (item.done) {
      result.exhausted = true;
      return null;
    }
    return item.value;
  };

  if (request.mode.kind === 'closed') {
    const lanes = Array.from({ length: request.mode.concurrency }, async () => {
      while (performance.now() < deadline) {
        const body = next();
        if (body === null) return;
        await send(body);
      }
    });
    await Promise.all(lanes);
  } else {
    // Requests leave on a fixed schedule whatever the answers do (no coordinated omission).
    const intervalMs = (1000 * request.batchSize) / request.mode.eventsPerSecond;
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; ; i++) {
      const at = started + i * intervalMs;
      if (at >= deadline) break;
      const wait = at - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const body = next();
      if (body === null) break;
      const p: Promise<void> = send(body).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  }
  result.endedAt = Date.now();
  agent.destroy();
  const cpu = process.cpuUsage(cpuAtStart);
  result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return result;
}

// Forked by ingest.bench.mjs: one request in, one result out.
const send = process.send?.bind(process);
if (send) {
  process.once('message', (message: LoadRequest) => {
    runLoad(message).then(
      (result) => send(result, () => process.exit(0)),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
