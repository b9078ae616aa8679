import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  ErrorCode,
  errorEnvelope,
  MAX_BATCH_BYTES,
  MAX_EVENTS_PER_BATCH,
  validateBatch,
} from '@tokenledger/contracts';
import type { UsageEvent } from '@tokenledger/contracts';

/** How the fake answers the next requests (a fault, or the contract's normal behaviour). */
export type Fault =
  | { kind: 'status'; status: 429 | 500 | 502 | 503; retryAfter?: string }
  /** The connection is reset before anything is read: the request never reached the API. */
  | { kind: 'reset' }
  /** The batch is accepted, then the connection is reset: the client cannot know it landed. */
  | { kind: 'accept-then-reset' }
  /** No answer at all until the client gives up. */
  | { kind: 'hang' };

export interface ReceivedRequest {
  at: number;
  gzip: boolean;
  eventIds: string[];
  status: number;
}

/**
 * `POST /v1/events` as API.md specifies it, in one process: bearer auth, gzip bodies, the 5 MB
 * and 1,000-event limits, per-event validation by the contracts' own `validateBatch` (202 with
 * rejections by index), idempotency by eventId, and the error envelope. Faults are queued with
 * `failNext` and consumed one per request; `stop()`/`start()` take the port down and back.
 */
export class FakeTokenledger {
  readonly requests: ReceivedRequest[] = [];
  /** Accepted events by id: a repeated id is counted once, as the real pipeline does. */
  readonly accepted = new Map<string, UsageEvent>();
  /** The same events as the client sent them, before the API's defaults. */
  readonly sent = new Map<string, unknown>();
  duplicates = 0;
  private faults: Fault[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(readonly apiKey = 'tlk_fake_ingest') {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Queues faults for the next requests, in order (`times` copies of each). */
  failNext(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** The API goes away: the port refuses connections until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  acceptedIds(): string[] {
    return [...this.accepted.keys()];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fault = req.url === '/v1/events' ? this.faults.shift() : undefined;
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hang') return;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const record = (status: number, eventIds: string[] = []) =>
      this.requests.push({
        at: Date.now(),
        gzip: req.headers['content-encoding'] === 'gzip',
        eventIds,
        status,
      });
    const fail = (status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) => {
      record(status);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(errorEnvelope(code, message)));
    };

    if (req.method !== 'POST' || req.url !== '/v1/events')
      return fail(404, ErrorCode.NotFound, 'No such route');
    if (req.headers.authorization !== `Bearer ${this.apiKey}`)
      return fail(401, ErrorCode.Unauthenticated, 'Missing or unknown API key');
    if (fault?.kind === 'status') {
      const code =
        fault.status === 429
          ? ErrorCode.RateLimited
          : fault.status === 503
            ? ErrorCode.QueueUnavailable
            : ErrorCode.Internal;
      return fail(
        fault.status,
        code,
        'injected fault',
        fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {},
      );
    }
    let text: string;
    try {
      text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    } catch {
      return fail(400, ErrorCode.MalformedJson, 'The body is not valid gzip');
    }
    if (Buffer.byteLength(text) > MAX_BATCH_BYTES)
      return fail(413, ErrorCode.PayloadTooLarge, 'The request body is larger than 5 MB');
    let body: { events?: unknown };
    try {
      body = JSON.parse(text) as { events?: unknown };
    } catch {
      return fail(400, ErrorCode.MalformedJson, 'The request body is not valid JSON');
    }
    if (!Array.isArray(body.events)) return fail(400, ErrorCode.ValidationFailed, 'events must be an array');
    if (body.events.length > MAX_EVENTS_PER_BATCH)
      return fail(413, ErrorCode.PayloadTooLarge, `at most ${MAX_EVENTS_PER_BATCH} events per request`);

    const { accepted, rejected } = validateBatch(body.events, new Date());
    const asSent = new Map((body.events as { eventId?: string }[]).map((e) => [e.eventId, e]));
    for (const event of accepted) {
      if (this.accepted.has(event.eventId)) this.duplicates++;
      else {
        this.accepted.set(event.eventId, event);
        this.sent.set(event.eventId, asSent.get(event.eventId));
      }
    }
    record(
      202,
      (body.events as { eventId?: string }[]).map((e) => String(e.eventId)),
    );
    if (fault?.kind === 'accept-then-reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: accepted.length, rejected }));
  }
}
