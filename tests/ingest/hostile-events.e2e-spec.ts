import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MODALITIES, USAGE_FIELDS, type RejectedEvent } from '@tokenledger/contracts';
import type { PrismaClient } from '@tokenledger/db';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';

// Issue 13, item 3: "202, then the event is never stored". Generated events carry hostile strings
// and numbers in every field; for each one the API either rejects it naming the field, or the
// worker stores it exactly as sent. Never 202 then absent, never a 5xx.

/** Strings that have broken stores: NUL, lone surrogates, JSON and array-literal syntax, edges. */
const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    '\u0000',
    'a\u0000b',
    '\uD800',
    '\uDFFF',
    'x\uDBFFy',
    '\uDC00\uD800',
    '\uD83D\uDE00',
    '\uFFFF',
    '\uFEFF',
    '\u2028',
    'NULL',
    'null',
    '__proto__',
    'constructor',
    '"',
    '\\',
    '{',
    '}',
    ',',
    ' ',
    '\t\n',
    'x'.repeat(64),
    'x'.repeat(65),
    'x'.repeat(128),
    'x'.repeat(129),
    'x'.repeat(256),
    'x'.repeat(257),
    '😀'.repeat(64),
  ),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({
    unit: fc.constantFrom('a', '\u0000', '\uD800', '\uDC00', '\uD83D\uDE00', '"', '\\', ',', '{', '}', ' '),
    maxLength: 12,
  }),
);

/** Numbers at and past every column's edge (int4, bigint, 2^53), and of every shape. */
const hostileNumber = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    -(2 ** 31),
    10_000_000_000,
    10_000_000_001,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 63,
    1e21,
    1e308,
    5e-324,
  ),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const hostileOther = fc.constantFrom<unknown>(null, true, false, [], {}, ['text'], { a: 'b' });

const hostile = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: hostileNumber, weight: 2 },
  { arbitrary: hostileOther, weight: 1 },
);

/** Mostly a valid value, often a hostile one: so most events reach the worker. */
const field = <T>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown> = hostile) =>
  fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: bad, weight: 1 });
/** An optional field: absent, valid or hostile. */
const optional = <T>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown> = hostile) =>
  fc.option(field(valid, bad), { nil: undefined, freq: 3 });

const twoDigits = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
/** RFC 3339 shaped timestamps whose parts may not exist: 2026-02-30, 24:00, year 0001, odd offsets. */
const oddTimestamp = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
    twoDigits(13),
    twoDigits(32),
    twoDigits(24),
    twoDigits(60),
    twoDigits(60),
    fc.constantFrom('Z', '+00:00', '-23:59', '+24:00', '.123456789Z', '.5+05:30'),
  )
  .map(([y, mo, d, h, mi, s, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`);
const validTimestamp = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2026-06-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const tokens = fc.integer({ min: 0, max: 1000 });
const usage = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ inputTokens: fc.integer({ min: 1000, max: 10_000 }), outputTokens: tokens }),
  },
  {
    weight: 2,
    arbitrary: fc.dictionary(fc.constantFrom(...USAGE_FIELDS), field(tokens, hostileNumber), {
      minKeys: 1,
      maxKeys: 4,
    }),
  },
  { weight: 1, arbitrary: hostile },
);

const tags = fc.oneof(
  fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  fc.dictionary(hostileString, field(fc.string({ maxLength: 8 }), hostileString), { maxKeys: 3 }),
  hostile,
);

let serial = 0;
const hostileEvent = fc
  .record(
    {
      eventId: field(
        fc.constant(null).map(() => `evt-${(serial += 1)}`),
        hostileString,
      ),
      occurredAt: field(validTimestamp, fc.oneof(oddTimestamp, hostile)),
      provider: field(fc.constantFrom('openai', 'anthropic', 'acme')),
      model: field(fc.constantFrom('gpt-5.5', 'claude-opus-4-7', 'mystery-1')),
      usage,
      serviceTier: optional(fc.constantFrom('standard', 'batch', 'flex', 'priority')),
      feature: optional(fc.string({ minLength: 1, maxLength: 12 }), hostileString),
      customerId: optional(fc.string({ minLength: 1, maxLength: 12 }), hostileString),
      environment: optional(fc.constantFrom('production', 'staging'), hostileString),
      inputModalities: optional(fc.uniqueArray(fc.constantFrom(...MODALITIES), { minLength: 1 })),
      latencyMs: optional(fc.nat({ max: 600_000 }), hostileNumber),
      status: optional(fc.constantFrom('success', 'error')),
      tags: optional(tags),
    },
    { requiredKeys: ['eventId', 'occurredAt', 'provider', 'model', 'usage'] },
  )
  .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));

type Sent = Record<string, unknown>;

/** The fields every event has, so a rejection may name them when they are missing. */
const REQUIRED = ['eventId', 'occurredAt', 'provider', 'model', 'usage'];

describe('ingestion of generated hostile events', () => {
  let prisma: PrismaClient;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext;
  let auth: { authorization: string };
  let orgId: string;

  beforeAll(async () => {
    prisma = testPrisma();
    // One attempt: an event the store refuses shows at once as a dead letter, not after backoff.
    const env = { INGEST_JOB_ATTEMPTS: '1' };
    const started = await startApi(env);
    api = started.app;
    worker = await startWorker({ ...env, QUEUE_PREFIX: started.queuePrefix });
    const { org } = await createTenant(prisma, 'hostile');
    orgId = org.id;
    ({ auth } = await createKey(prisma, org.id, null, ['ingest']));
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await prisma.$disconnect();
  });

  /** Every event is stored exactly as sent (defaults aside) or rejected naming its field. */
  const seen = { stored: 0, rejected: 0 };

  async function check(events: Sent[]): Promise<RejectedEvent[]> {
    // A project per run: eventIds repeat across runs, and a resend would not be "as sent".
    const project = await prisma.project.create({
      data: { organizationId: orgId, slug: `p-${(serial += 1)}-${process.pid}`, name: 'hostile' },
    });
    const payload = JSON.stringify({ events });
    // "As sent" is what crossed the wire: JSON has no -0, no undefined, no prototypes.
    const wire = (JSON.parse(payload) as { events: Sent[] }).events;
    const res = await api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json', 'x-tokenledger-project': project.slug },
      payload,
    });
    expect(res.statusCode, res.body).toBeLessThan(500);
    expect([202, 400], res.body).toContain(res.statusCode);
    const body = res.json();
    if (res.statusCode === 400 && body.error.code === 'MALFORMED_JSON') {
      // Fastify refuses any "__proto__" key in a body (prototype poisoning): the whole request.
      expect(payload).toContain('"__proto__":');
      expect(await prisma.usageEvent.count({ where: { projectId: project.id } })).toBe(0);
      return events.map((_, index) => ({
        index,
        errors: [{ path: '(request)', message: body.error.message }],
      }));
    }
    const rejected: RejectedEvent[] =
      res.statusCode === 202
        ? body.rejected
        : (expect(body.error.code).toBe('VALIDATION_FAILED'), body.error.details.rejected);
    const rejectedAt = new Map(rejected.map((r) => [r.index, r]));
    if (res.statusCode === 400) expect(rejected).toHaveLength(events.length);

    for (const r of rejected) {
      const sent = wire[r.index]!;
      expect(r.errors.length, JSON.stringify(r)).toBeGreaterThan(0);
      for (const error of r.errors) {
        const root = error.path.split('.')[0]!;
        expect([...Object.keys(sent), ...REQUIRED, '(event)'], JSON.stringify({ sent, error })).toContain(
          root,
        );
        expect(error.message.length).toBeGreaterThan(0);
      }
    }

    const accepted = wire.filter((_, i) => !rejectedAt.has(i));
    expect(res.statusCode === 202 ? body.accepted : 0).toBe(accepted.length);
    // The worker has run when every accepted event is stored, or a batch is dead.
    await expect
      .poll(
        async () =>
          (await prisma.usageEvent.count({ where: { projectId: project.id } })) +
          (await prisma.deadLetter.count({ where: { projectId: project.id } })) * 1_000_000,
        { timeout: 20_000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(accepted.length);
    const dead = await prisma.deadLetter.findMany({ where: { projectId: project.id } });
    expect(dead, 'an accepted batch became a dead letter: 202, then never stored').toEqual([]);

    const rows = await prisma.usageEvent.findMany({ where: { projectId: project.id } });
    expect(rows).toHaveLength(accepted.length);
    const byId = new Map(rows.map((row) => [row.eventId, row]));
    for (const sent of accepted) {
      const row = byId.get(sent.eventId as string);
      expect(row, `accepted, then absent: ${JSON.stringify(sent)}`).toBeDefined();
      const u = sent.usage as Record<string, number>;
      expect({
        eventId: row!.eventId,
        occurredAt: row!.occurredAt.getTime(),
        provider: row!.provider,
        model: row!.model,
        usage: Object.fromEntries(USAGE_FIELDS.map((f) => [f, Number(row![f])])),
        serviceTier: row!.serviceTier,
        feature: row!.feature,
        customerId: row!.customerId,
        environment: row!.environment,
        inputModalities: [...row!.inputModalities].sort(),
        latencyMs: row!.latencyMs,
        status: row!.status,
        tags: row!.tags,
      }).toEqual({
        eventId: sent.eventId,
        occurredAt: Date.parse(sent.occurredAt as string),
        provider: sent.provider,
        model: sent.model,
        usage: Object.fromEntries(USAGE_FIELDS.map((f) => [f, u[f] ?? 0])),
        serviceTier: sent.serviceTier ?? 'standard',
        feature: sent.feature ?? '',
        customerId: sent.customerId ?? '',
        environment: sent.environment ?? 'production',
        inputModalities: [...new Set((sent.inputModalities as string[] | undefined) ?? ['text'])].sort(),
        latencyMs: sent.latencyMs ?? null,
        status: sent.status ?? 'success',
        tags: sent.tags ?? {},
      });
    }
    seen.stored += rows.length;
    seen.rejected += rejected.length;
    return rejected;
  }

  it('rejects each event naming its field, or stores it exactly as sent: never 202 then absent, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileEvent, { minLength: 1, maxLength: 12 }), async (events) => {
        await check(events);
      }),
      { numRuns: Number(process.env.HOSTILE_RUNS ?? 80), endOnFailure: true },
    );
    // Both outcomes are exercised: the property is not vacuous.
    expect(seen.stored).toBeGreaterThan(50);
    expect(seen.rejected).toBeGreaterThan(50);
    console.info(`hostile events: ${seen.stored} stored as sent, ${seen.rejected} rejected naming the field`);
  });

  it.each([
    ['NUL in a string', { model: 'gpt\u00005.5' }],
    ['a lone surrogate in eventId', { eventId: 'evt-\uD800' }],
    ['NUL in a tag key', { tags: { 'a\u0000': 'v' } }],
    ['a lone surrogate in a tag value', { tags: { team: '\uDFFF' } }],
    ['latencyMs past int4', { latencyMs: 2 ** 31 }],
    ['a date that does not exist', { occurredAt: '2026-02-30T00:00:00Z' }],
    ['year 0001', { occurredAt: '0001-01-01T00:00:00Z' }],
  ])('the examples of issue 13: %s', async (_, overrides) => {
    const base = {
      eventId: `evt-example-${(serial += 1)}`,
      occurredAt: '2026-05-01T00:00:00Z',
      provider: 'openai',
      model: 'gpt-5.5',
      usage: { inputTokens: 10, outputTokens: 1 },
    };
    const rejected = await check([base, { ...base, eventId: `${base.eventId}-b`, ...overrides }]);
    expect(rejected).toEqual([
      {
        index: 1,
        eventId: expect.anything(),
        errors: [expect.objectContaining({ path: expect.stringMatching(`^${Object.keys(overrides)[0]}`) })],
      },
    ]);
  });
});
