import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPgPool, UsageEventWriter, type PgPool, type PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi } from '../support/api';
import { pricedAt, UNPRICED, usageEvent } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

describe('GraphQL events drill-down', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let app: NestFastifyApplication;
  let token: string;
  let ids: string[];
  let otherOrgEventId: string;

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 2);
    ({ app } = await startApi());
    const a = await createTenant(prisma, 'events-a');
    const b = await createTenant(prisma, 'events-b');
    const writer = new UsageEventWriter(pool);
    const events = Array.from({ length: 23 }, (_, i) =>
      usageEvent(
        {
          occurredAt: new Date(Date.UTC(2026, 5, 1, 0, i % 5, i)).toISOString(),
          model: i % 4 === 0 ? 'mystery' : 'gpt-5.5',
          tags: { n: String(i) },
        },
        { cacheReadTokens: 10 },
      ),
    );
    ids = events.map((e) => e.eventId);
    await writer.write({
      organizationId: a.org.id,
      projectId: a.project.id,
      source: 'api',
      receivedAt: new Date(),
      events: events.map((event) => ({
        event,
        pricing: event.model === 'mystery' ? UNPRICED : pricedAt('0.0015'),
      })),
    });
    const other = usageEvent();
    otherOrgEventId = other.eventId;
    await writer.write({
      organizationId: b.org.id,
      projectId: b.project.id,
      source: 'api',
      receivedAt: new Date(),
      events: [{ event: other, pricing: pricedAt('1') }],
    });
    const owner = await createUser(prisma, a.org.id, 'owner');
    token = await loginAs(app, owner.email, owner.password);
  });

  afterAll(async () => {
    await app.close();
    await pool.end();
    await prisma.$disconnect();
  });

  type Page = {
    events: {
      nodes: {
        eventId: string;
        occurredAt: string;
        costUsd: string | null;
        pricingStatus: string;
        tags: { key: string; value: string }[];
        usage: { cacheReadTokens: number };
      }[];
      pageInfo: { endCursor: string | null; hasNextPage: boolean };
    };
  };
  const QUERY = `query($f: EventFilter, $first: Int, $after: String) { events(filter: $f, first: $first, after: $after) {
    nodes { eventId occurredAt costUsd pricingStatus tags { key value } usage { cacheReadTokens } } pageInfo { endCursor hasNextPage } } }`;

  it('pages through every event of the organization once, newest first', async () => {
    const seen: Page['events']['nodes'] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const result = await gql<Page>(app, QUERY, { first: 7, after }, token);
      const page: Page['events'] = result.data!.events;
      seen.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.map((n) => n.eventId).sort()).toEqual([...ids].sort());
    const times = seen.map((n) => Date.parse(n.occurredAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const first = seen.find((n) => n.pricingStatus === 'PRICED')!;
    expect(first).toMatchObject({
      costUsd: '0.0015',
      usage: { cacheReadTokens: 10 },
      tags: [{ key: 'n', value: expect.any(String) }],
    });
  });

  it('filters unpriced events, which carry no cost rather than $0', async () => {
    const result = await gql<Page>(
      app,
      QUERY,
      { f: { pricingStatuses: ['UNPRICED_MODEL'] }, first: 100 },
      token,
    );
    expect(result.data!.events.nodes).toHaveLength(6);
    expect(result.data!.events.nodes.every((n) => n.costUsd === null)).toBe(true);
  });

  it("finds one event by its eventId, and never another organization's", async () => {
    const one = await gql<Page>(app, QUERY, { f: { eventId: ids[7] } }, token);
    expect(one.data!.events.nodes.map((n) => [n.eventId, n.tags])).toEqual([
      [ids[7], [{ key: 'n', value: '7' }]],
    ]);
    const foreign = await gql<Page>(app, QUERY, { f: { eventId: otherOrgEventId } }, token);
    expect(foreign.data!.events).toEqual({ nodes: [], pageInfo: { endCursor: null, hasNextPage: false } });
    const elsewhereInTime = await gql<Page>(
      app,
      QUERY,
      { f: { eventId: ids[7], to: '2026-05-01T00:00:00Z' } },
      token,
    );
    expect(elsewhereInTime.data!.events.nodes).toEqual([]);
  });

  it('refuses a forged cursor and an oversized page, naming the argument', async () => {
    const bad = await gql(app, QUERY, { after: 'garbage' }, token);
    expect([codeOf(bad), bad.errors?.[0]?.message]).toEqual([
      'VALIDATION_FAILED',
      expect.stringContaining('after'),
    ]);
    const big = await gql(app, QUERY, { first: 501 }, token);
    expect([codeOf(big), big.errors?.[0]?.message]).toEqual([
      'VALIDATION_FAILED',
      expect.stringContaining('first'),
    ]);
  });
});
