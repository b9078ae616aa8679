import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createPgPool,
  UsageEventWriter,
  type PgPool,
  type PricedEvent,
  type PrismaClient,
} from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { pricedAt, UNPRICED, usageEvent } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

const DAY = 86_400_000;

describe('anomalies', () => {
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

  it('finds a customer whose spend jumps 10× and a model appearing unpriced, and explains them', async () => {
    const a = await createTenant(prisma, 'anom-a');
    const b = await createTenant(prisma, 'anom-b');
    const today = Math.floor(Date.now() / DAY) * DAY;
    const events: PricedEvent[] = [];
    for (let d = 35; d >= 1; d--) {
      const weekend = new Date(today - d * DAY).getUTCDay() % 6 === 0;
      for (const customer of ['acme', 'globex', 'initech']) {
        const n = (weekend ? 2 : 6) * (customer === 'acme' && d === 3 ? 10 : 1);
        for (let i = 0; i < n; i++)
          events.push({
            event: usageEvent(
              {
                occurredAt: new Date(today - d * DAY + (i + 1) * 600_000).toISOString(),
                customerId: customer,
              },
              { inputTokens: customer === 'acme' && d === 3 ? 300_000 : 2000, outputTokens: 100 },
            ),
            pricing: pricedAt(customer === 'acme' && d === 3 ? '30' : '1'),
          });
      }
    }
    events.push({
      event: usageEvent({
        occurredAt: new Date(today - 2 * DAY + 3600_000).toISOString(),
        customerId: 'globex',
        model: 'mystery',
      }),
      pricing: UNPRICED,
    });
    const writer = new UsageEventWriter(pool);
    await writer.write({
      organizationId: a.org.id,
      projectId: a.project.id,
      source: 'api',
      receivedAt: new Date(),
      events,
    });

    const user = await createUser(prisma, a.org.id, 'viewer');
    const token = await loginAs(app, user.email, user.password);
    const q = `query($f: AnomalyFilter!) { anomalies(filter: $f) { value kind bucketStart score
      actual { costUsd requests tokensPerRequest unpricedRequests } baseline { costUsd requests tokensPerRequest }
      modelMix { model shareNow shareBefore } } }`;
    const since = new Date(today - 7 * DAY).toISOString();
    const r = await gql<{
      anomalies: {
        value: string;
        kind: string;
        bucketStart: string;
        actual: Record<string, number>;
        baseline: Record<string, number>;
        modelMix: unknown[];
      }[];
    }>(app, q, { f: { dimension: 'CUSTOMER', granularity: 'DAY', since } }, token);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const found = r.data!.anomalies;
    const spike = found.find((x) => x.kind === 'spike')!;
    expect(spike).toMatchObject({ value: 'acme', bucketStart: new Date(today - 3 * DAY).toISOString() });
    expect(spike.actual.requests / spike.baseline.requests).toBeGreaterThan(5);
    expect(spike.actual.tokensPerRequest).toBeGreaterThan(100 * spike.baseline.tokensPerRequest);
    expect(spike.modelMix.length).toBeGreaterThan(0);
    expect(found.filter((x) => x.kind === 'spike')).toHaveLength(1);
    expect(found.find((x) => x.kind === 'unpriced')).toMatchObject({
      value: 'globex',
      actual: { unpricedRequests: 1 },
    });

    const other = await createKey(prisma, b.org.id, null, ['read']);
    const theirs = await gql<{ anomalies: unknown[] }>(
      app,
      q,
      { f: { dimension: 'CUSTOMER', since } },
      other.secret,
    );
    expect(theirs.data!.anomalies).toEqual([]);
    const tooOld = await gql(
      app,
      q,
      { f: { dimension: 'CUSTOMER', granularity: 'HOUR', since: new Date(today - 20 * DAY).toISOString() } },
      token,
    );
    expect(codeOf(tooOld)).toBe('VALIDATION_FAILED');
  });
});
