import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  BudgetMonitor,
  BudgetStateCache,
  createPgPool,
  createRedis,
  openStore,
  UsageEventWriter,
  type OpenedStore,
  type PgPool,
  type PrismaClient,
} from '@tokenledger/db';
import Decimal from 'decimal.js';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { pricedAt, usageEvent } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

const DAY = 86_400_000;

describe('forecasts: month-end spend and "forecast to cross" alerts', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let app: NestFastifyApplication;
  let opened: OpenedStore;
  let redis: Redis;

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 2);
    ({ app } = await startApi());
    opened = openStore(inject('databaseUrl'), { poolSize: 2 });
    redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });

  afterAll(async () => {
    await app.close();
    await opened.close();
    redis.disconnect();
    await pool.end();
    await prisma.$disconnect();
  });

  /** $10 a day at noon UTC for the 21 days before today, and $1 today. */
  async function steadySpend(organizationId: string, projectId: string) {
    const today = new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z').getTime();
    const events = Array.from({ length: 21 }, (_, i) => ({
      event: usageEvent({
        occurredAt: new Date(today - (i + 1) * DAY + 12 * 3600_000).toISOString(),
        feature: 'chat',
      }),
      pricing: pricedAt('10'),
    }));
    events.push({
      event: usageEvent({
        occurredAt: new Date(Math.min(today + 60_000, Date.now() - 1000)).toISOString(),
        feature: 'chat',
      }),
      pricing: pricedAt('1'),
    });
    await new UsageEventWriter(pool).write({
      organizationId,
      projectId,
      source: 'api',
      receivedAt: new Date(),
      events,
    });
  }

  it('forecasts the month with a range beside the run rate, per organization and per project, for its own tenant only', async () => {
    const a = await createTenant(prisma, 'fc-a');
    const b = await createTenant(prisma, 'fc-b');
    await steadySpend(a.org.id, a.project.id);
    const user = await createUser(prisma, a.org.id, 'viewer');
    const token = await loginAs(app, user.email, user.password);
    const month = new Date().toISOString().slice(0, 7);
    const q = `query($m: String!, $p: String) { forecast(month: $m, project: $p) { month spentUsd expectedUsd lowUsd highUsd runRateUsd periodStart periodEnd } }`;
    const r = await gql<{ forecast: Record<string, string> }>(app, q, { m: month }, token);
    expect(r.errors).toBeUndefined();
    const f = r.data!.forecast;
    const spent = new Decimal(f.spentUsd!);
    expect(spent.gt(0)).toBe(true);
    expect(new Decimal(f.expectedUsd!).gte(spent)).toBe(true);
    expect(new Decimal(f.lowUsd!).lte(f.expectedUsd!)).toBe(true);
    expect(new Decimal(f.highUsd!).gte(f.expectedUsd!)).toBe(true);
    // Steady $10 a day: whatever is left of the month is forecast near $10 a day.
    const leftDays = (Date.parse(f.periodEnd!) - Date.now()) / DAY;
    expect(new Decimal(f.expectedUsd!).minus(spent).toNumber()).toBeLessThanOrEqual(
      10 * Math.ceil(leftDays) + 1,
    );

    const byProject = await gql<{ forecast: Record<string, string> }>(
      app,
      q,
      { m: month, p: a.project.slug },
      token,
    );
    expect(byProject.data!.forecast.spentUsd).toBe(f.spentUsd);
    // Another organization's key sees none of it; a month in the past or a bad one is refused.
    const other = await createKey(prisma, b.org.id, null, ['read']);
    const theirs = await gql<{ forecast: Record<string, string> }>(app, q, { m: month }, other.secret);
    expect(theirs.data!.forecast.spentUsd).toBe('0');
    expect(codeOf(await gql(app, q, { m: month, p: a.project.slug }, other.secret))).toBe(
      'VALIDATION_FAILED',
    );
    expect(codeOf(await gql(app, q, { m: '2020-01' }, token))).toBe('VALIDATION_FAILED');
    expect(codeOf(await gql(app, q, { m: 'soon' }, token))).toBe('VALIDATION_FAILED');
  });

  it('raises "forecast to cross" once, with the projected day, before spend reaches the amount', async () => {
    const a = await createTenant(prisma, 'fc-cross');
    await steadySpend(a.org.id, a.project.id);
    const { store } = opened;
    const now = new Date();
    const monthStart = new Date(now.toISOString().slice(0, 7) + '-01T00:00:00Z');
    const spentSoFar = (
      await prisma.usageEvent.aggregate({
        where: { organizationId: a.org.id, occurredAt: { gte: monthStart } },
        _sum: { costUsd: true },
      })
    )._sum.costUsd!;
    const budget = await store.budgets.create(
      a.org.id,
      {
        name: 'Chat',
        scope: { kind: 'feature', project: null, key: null, value: 'chat' },
        amountUsd: new Decimal(spentSoFar.toString()).plus(5),
        period: 'month',
        periodDays: null,
        startsAt: now,
        timeZone: 'UTC',
        thresholds: [100],
        kind: 'soft',
      },
      null,
    );
    const monitor = new BudgetMonitor(
      store.budgets,
      store.alerts,
      store.budgetEvaluator,
      new BudgetStateCache(redis),
    );
    const status = await store.budgetEvaluator.status(
      { organizationId: a.org.id, slug: a.org.slug },
      budget,
      now,
    );
    expect(status.exceeded).toBe(false);
    expect(status.projectedCrossingAt).not.toBeNull();
    expect(status.projectedCrossingAt!.getTime()).toBeLessThan(status.period.end.getTime());
    await monitor.evaluate({ id: a.org.id, slug: a.org.slug }, now);
    await monitor.evaluate({ id: a.org.id, slug: a.org.slug }, now);
    const alerts = await store.alerts.alerts(a.org.id, budget.id, 10);
    expect(alerts.map((x) => [x.kind, x.threshold])).toEqual([['forecast', 100]]);
    expect(alerts[0]!.projectedAt!.getTime()).toBe(status.projectedCrossingAt!.getTime());
  });
});
