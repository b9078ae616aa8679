import { gzipSync } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QUEUES, type IngestBatchJob } from '@tokenledger/contracts';
import { createRedis, type PrismaClient } from '@tokenledger/db';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { eventInput } from '../support/events';
import { createTenant, testPrisma } from '../support/tenant';

describe('POST /v1/events', () => {
  let prisma: PrismaClient;
  let app: NestFastifyApplication;
  let redis: Redis;
  let queue: Queue<IngestBatchJob>;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let auth: { authorization: string };

  beforeAll(async () => {
    prisma = testPrisma();
    const started = await startApi();
    app = started.app;
    redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    queue = new Queue(QUEUES.ingest, { connection: redis, prefix: started.queuePrefix });
    tenant = await createTenant(prisma, 'ingest');
    ({ auth } = await createKey(prisma, tenant.org.id, tenant.project.id));
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await app.close();
    redis.disconnect();
    await prisma.$disconnect();
  });

  const post = (payload: unknown, headers: Record<string, string> = auth) =>
    app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', ...headers },
      payload: payload as string,
    });

  it('accepts the valid events of a mixed batch and rejects the others by index, naming fields', async () => {
    const good1 = eventInput();
    const good2 = eventInput({ feature: 'support-chat', customerId: 'acme' });
    const res = await post({
      events: [
        good1,
        eventInput({}, { inputTokens: 10, cacheReadTokens: 20 }),
        good2,
        { ...eventInput(), occurredAt: 'yesterday', provider: 'OpenAI' },
      ],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([
      {
        index: 1,
        eventId: expect.any(String),
        errors: [{ path: 'usage.cacheReadTokens', message: expect.stringContaining('cannot exceed') }],
      },
      {
        index: 3,
        eventId: expect.any(String),
        errors: expect.arrayContaining([
          { path: 'occurredAt', message: expect.any(String) },
          { path: 'provider', message: expect.any(String) },
        ]),
      },
    ]);
    const job = await queue.getJob(body.batchId);
    expect(job?.data.projectId).toBe(tenant.project.id);
    expect(job?.data.events.map((e) => e.eventId)).toEqual([good1.eventId, good2.eventId]);
    expect(job?.data.events[1]).toMatchObject({
      feature: 'support-chat',
      customerId: 'acme',
      environment: 'production',
    });
  });

  it('rejects Unicode bidi controls in identifiers, naming each field (issue 20 item 6)', async () => {
    const good = eventInput({ customerId: 'عميل-acme' }); // right-to-left text itself is fine
    const res = await post({
      events: [
        good,
        eventInput({ model: 'gpt-5.5\u202e: 3 requests' }),
        eventInput({ feature: 'chat\u2066', customerId: 'acme\u200f', environment: 'prod\u061c' }),
        eventInput({ tags: { team: 'growth\u202a', ['k\u2069']: 'v' } }),
      ],
    });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.accepted).toBe(1);
    const paths = (i: number) =>
      (body.rejected as { index: number; errors: { path: string; message: string }[] }[])
        .find((r) => r.index === i)!
        .errors.map((e) => e.path)
        .sort();
    expect(paths(1)).toEqual(['model']);
    expect(paths(2)).toEqual(['customerId', 'environment', 'feature']);
    expect(paths(3)).toEqual(['tags.k\u2069', 'tags.team']);
    expect(body.rejected[0].errors[0].message).toBe(
      'must not contain Unicode bidirectional control characters (found U+202E at position 7)',
    );
  });

  it('answers 400 with every rejection when nothing is valid', async () => {
    const res = await post({ events: [{ eventId: 'x' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { accepted: 0, rejected: [{ index: 0 }] },
    });
  });

  it.each([
    { what: 'a body that is not JSON', payload: '{"events": [', status: 400, code: 'MALFORMED_JSON' },
    { what: 'a body without events', payload: { event: [] }, status: 400, code: 'VALIDATION_FAILED' },
    { what: 'an empty batch', payload: { events: [] }, status: 400, code: 'VALIDATION_FAILED' },
    {
      what: 'more than 1,000 events',
      payload: { events: Array.from({ length: 1001 }, () => eventInput()) },
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      what: 'more than 5 MB',
      payload: {
        events: [eventInput({ tags: { pad: 'x'.repeat(256) } })],
        pad: 'y'.repeat(5 * 1024 * 1024),
      },
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
  ])('refuses $what with $status $code', async ({ payload, status, code }) => {
    const res = await post(typeof payload === 'string' ? payload : JSON.stringify(payload));
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
  });

  it('accepts a gzip body and refuses a corrupt one with 400', async () => {
    const body = gzipSync(JSON.stringify({ events: [eventInput()] }));
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: body,
    });
    expect(ok.statusCode).toBe(202);
    expect(ok.json().accepted).toBe(1);
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: Buffer.from('not gzip at all'),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('gzip');
    const br = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'br' },
      payload: body,
    });
    expect(br.statusCode).toBe(415);
  });

  it('counts the 5 MB limit on the decompressed body', async () => {
    const huge = gzipSync(JSON.stringify({ events: [eventInput()], pad: ' '.repeat(6 * 1024 * 1024) }));
    expect(huge.length).toBeLessThan(100_000);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: huge,
    });
    expect(res.statusCode).toBe(413);
  });

  it('requires a known key with the ingest scope', async () => {
    const none = await post({ events: [eventInput()] }, {});
    expect([none.statusCode, none.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const unknown = await post({ events: [eventInput()] }, { authorization: 'Bearer tlk_nope_nope' });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'UNAUTHENTICATED']);
    const readOnly = await createKey(prisma, tenant.org.id, tenant.project.id, ['read']);
    const forbidden = await post({ events: [eventInput()] }, readOnly.auth);
    expect([forbidden.statusCode, forbidden.json().error.code]).toEqual([403, 'FORBIDDEN']);
    const revoked = await createKey(prisma, tenant.org.id, tenant.project.id);
    await prisma.apiKey.update({ where: { id: revoked.key.id }, data: { revokedAt: new Date() } });
    const refused = await post({ events: [eventInput()] }, revoked.auth);
    expect(refused.statusCode).toBe(401);
  });

  it('never lets a key write into a project it does not own', async () => {
    const other = await createTenant(prisma, 'other');
    // A project key names another project: refused, naming the header (never silently written to its own).
    const res = await post(
      { events: [eventInput()] },
      { ...auth, 'x-tokenledger-project': other.project.slug },
    );
    expect([res.statusCode, res.json().error.code]).toEqual([403, 'FORBIDDEN']);
    expect(res.json().error.message).toContain('X-Tokenledger-Project');
    // Naming its own project is fine.
    const named = await post(
      { events: [eventInput()] },
      { ...auth, 'x-tokenledger-project': tenant.project.slug },
    );
    expect((await queue.getJob(named.json().batchId))?.data.projectId).toBe(tenant.project.id);
    // An organization key can name only its own organization's projects.
    const orgKey = await createKey(prisma, tenant.org.id, null, ['ingest']);
    const foreign = await post(
      { events: [eventInput()] },
      { ...orgKey.auth, 'x-tokenledger-project': other.project.slug },
    );
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([404, 'NOT_FOUND']);
    const missing = await post({ events: [eventInput()] }, orgKey.auth);
    expect(missing.statusCode).toBe(400);
    const own = await post(
      { events: [eventInput()] },
      { ...orgKey.auth, 'x-tokenledger-project': tenant.project.slug },
    );
    expect((await queue.getJob(own.json().batchId))?.data.projectId).toBe(tenant.project.id);
  });

  it('rate limits per key with Retry-After', async () => {
    const limited = await startApi({ INGEST_RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 3; i++) {
        last = await limited.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { ...auth, 'content-type': 'application/json' },
          payload: { events: [eventInput()] },
        });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([202, 202, 429]);
      expect(last!.json().error.code).toBe('RATE_LIMITED');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(last!.headers['retry-after'])).toBeLessThanOrEqual(60);
    } finally {
      await limited.app.close();
    }
  });

  it('answers 503 with Retry-After and accepts nothing when Redis is unreachable', async () => {
    const down = await startApi({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const res = await down.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: { events: [eventInput()] },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('QUEUE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      await down.app.close();
    }
  });

  it('exposes Prometheus metrics', async () => {
    const countBefore = await prisma.deadLetter.count({ where: { replayedAt: null } });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/tokenledger_events_accepted_total\{source="api"\} \d+/);
    expect(res.body).toMatch(
      /tokenledger_events_rejected_total\{source="api",code="VALIDATION_FAILED"\} \d+/,
    );
    expect(res.body).toMatch(/tokenledger_queue_jobs\{queue="ingest",state="waiting"\} \d+/);
    expect(res.body).toContain('tokenledger_pricing_lag_seconds');
    // The gauge counts the whole database's open dead letters, which other test files add to and
    // replay while this one runs: it must equal the count at some moment around the scrape.
    const open = () => prisma.deadLetter.count({ where: { replayedAt: null } });
    const scraped = Number(/^tokenledger_dead_letter_batches (\d+)$/m.exec(res.body)?.[1]);
    const [before, after] = [countBefore, await open()];
    expect(scraped).toBeGreaterThanOrEqual(Math.min(before, after));
    expect(scraped).toBeLessThanOrEqual(Math.max(before, after));
  });
});

describe('PostgreSQL unreachable', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After on REST and GraphQL, never 500', async () => {
    const { app } = await startApi({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' });
    try {
      const rest = await app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: {
          authorization: 'Bearer tlk_abcdefgh_abcdefghabcdefghabcdefghabcdefgh',
          'content-type': 'application/json',
        },
        payload: { events: [eventInput()] },
      });
      expect([rest.statusCode, rest.json().error.code, rest.headers['retry-after']]).toEqual([
        503,
        'SERVICE_UNAVAILABLE',
        '5',
      ]);
      const graphql = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers: {
          authorization: 'Bearer tlk_abcdefgh_abcdefghabcdefghabcdefghabcdefgh',
          'content-type': 'application/json',
        },
        payload: { query: '{ projects { slug } }' },
      });
      expect(graphql.json().errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
    } finally {
      await app.close();
    }
  });
});
