import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createPgPool,
  createRepriceRun,
  runReprice,
  UsageEventWriter,
  type PgPool,
  type PrismaClient,
} from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { pricedAt, usageEvent } from '../support/events';
import { gql } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

describe('GraphQL repriceRuns', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 2);
    ({ app } = await startApi());
  });
  afterAll(async () => {
    await app.close();
    await pool.end();
    await prisma.$disconnect();
  });

  it("shows an organization its runs with before/after per event, and nobody else's", async () => {
    const a = await createTenant(prisma, 'runs-a');
    const b = await createTenant(prisma, 'runs-b');
    const event = usageEvent({ occurredAt: '2026-06-01T00:00:00Z' });
    await new UsageEventWriter(pool).write({
      organizationId: a.org.id,
      projectId: a.project.id,
      source: 'api',
      receivedAt: new Date(),
      events: [{ event, pricing: pricedAt('1') }],
    });
    const runId = await createRepriceRun(prisma, {
      organizationId: a.org.id,
      since: new Date('2026-05-01'),
      reason: 'negotiated rate',
    });
    await runReprice(pool, { price: () => pricedAt('0.8', '00000000-0000-4000-8000-0000000000aa') }, runId);

    const query =
      '{ repriceRuns { id reason status eventsChanged totalBefore totalAfter versionsUsed { rateVersionId events } changes { eventId costBefore costAfter } } }';
    const seen = await gql<{ repriceRuns: unknown[] }>(
      app,
      query,
      {},
      (await createKey(prisma, a.org.id, null, ['read'])).secret,
    );
    expect(seen.data?.repriceRuns).toEqual([
      {
        id: runId,
        reason: 'negotiated rate',
        status: 'succeeded',
        eventsChanged: 1,
        totalBefore: '1',
        totalAfter: '0.8',
        versionsUsed: [{ rateVersionId: '00000000-0000-4000-8000-0000000000aa', events: 1 }],
        changes: [{ eventId: event.eventId, costBefore: '1', costAfter: '0.8' }],
      },
    ]);
    const other = await gql<{ repriceRuns: unknown[]; repriceRun: unknown }>(
      app,
      `{ repriceRuns { id } repriceRun(id: "${runId}") { id } }`,
      {},
      (await createKey(prisma, b.org.id, null, ['read'])).secret,
    );
    expect(other.data).toEqual({ repriceRuns: [], repriceRun: null });
  });
});
