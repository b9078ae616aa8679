import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { UsageEvent } from '@tokenledger/contracts';
import {
  createPgPool,
  UsageEventWriter,
  type PgPool,
  type PricedEvent,
  type PrismaClient,
} from '@tokenledger/db';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi } from '../support/api';
import { pricedAt, usageEvent } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

const TEAMS = ['growth', 'core', 'search'];

function generate(count: number, seed: number): UsageEvent[] {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const tags: Record<string, string> = {};
    if (rand() < 0.8) tags.team = TEAMS[Math.floor(rand() * TEAMS.length)]!;
    if (rand() < 0.5) tags.tier = rand() < 0.5 ? 'free' : 'paid';
    return usageEvent(
      {
        occurredAt: new Date(Date.UTC(2026, 5, 1) + Math.floor(rand() * 72 * 3600_000)).toISOString(),
        tags,
      },
      { inputTokens: 1 + Math.floor(rand() * 100_000), outputTokens: Math.floor(rand() * 4000) },
    );
  });
}

const price = (e: UsageEvent): PricedEvent => ({
  event: e,
  pricing: pricedAt(new Decimal(e.usage.inputTokens).times('0.000001').toFixed()),
});

describe('spend by tag (tag_rollups)', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let app: NestFastifyApplication;
  let token: string;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let b: Awaited<ReturnType<typeof createTenant>>;

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 4);
    ({ app } = await startApi());
    a = await createTenant(prisma, 'tags-a');
    b = await createTenant(prisma, 'tags-b');
    const writer = new UsageEventWriter(pool);
    const write = (organizationId: string, projectId: string, events: UsageEvent[]) =>
      writer.write({
        organizationId,
        projectId,
        source: 'api',
        receivedAt: new Date(),
        events: events.map(price),
      });
    const first = generate(400, 7);
    await write(a.org.id, a.project.id, first);
    // A resend mixing stored and new events takes the other write path: counted once.
    await write(a.org.id, a.project.id, [...first.slice(0, 50), ...generate(100, 8)]);
    await write(b.org.id, b.project.id, generate(300, 9));
    const owner = await createUser(prisma, a.org.id, 'owner');
    token = await loginAs(app, owner.email, owner.password);
  });

  afterAll(async () => {
    await app.close();
    await pool.end();
    await prisma.$disconnect();
  });

  type Row = {
    tag: string | null;
    period: string | null;
    costUsd: string;
    requests: number;
    inputTokens: number;
  };
  const FILTER = { from: '2026-06-01T00:00:00Z', to: '2026-06-05T00:00:00Z' };

  async function spend(extra: Record<string, unknown>, groupBy: string[], as = token) {
    return gql<{ spend: Row[] }>(
      app,
      `query($f: SpendFilter!, $g: [SpendDimension!], $k: String) {
         spend(filter: $f, groupBy: $g, tagKey: $k) { tag period costUsd requests inputTokens } }`,
      { f: { ...FILTER, ...(extra.tags ? { tags: extra.tags } : {}) }, g: groupBy, k: extra.tagKey ?? null },
      as,
    );
  }

  async function raw(orgId: string, key: string) {
    const { rows } = await pool.query<{ tag: string; cost: string; requests: number; input: string }>(
      `SELECT tags->>$2 AS tag, sum(cost_usd)::text AS cost, count(*)::int AS requests, sum(input_tokens)::text AS input
       FROM usage_events WHERE organization_id = $1 AND tags ? $2 GROUP BY 1`,
      [orgId, key],
    );
    return new Map(rows.map((r) => [r.tag, r]));
  }

  it('groups by the values of one key, equal to the raw events', async () => {
    for (const key of ['team', 'tier']) {
      const result = await spend({ tagKey: key }, ['TAG']);
      expect(result.errors).toBeUndefined();
      const expected = await raw(a.org.id, key);
      expect(result.data!.spend.length).toBe(expected.size);
      for (const row of result.data!.spend) {
        const r = expected.get(row.tag!)!;
        expect(new Decimal(row.costUsd).equals(r.cost)).toBe(true);
        expect(row.requests).toBe(r.requests);
        expect(String(row.inputTokens)).toBe(r.input);
      }
    }
  });

  it('filters by a tag value and buckets by day', async () => {
    const result = await spend({ tags: [{ key: 'team', value: 'growth' }] }, ['DAY']);
    expect(result.errors).toBeUndefined();
    const total = result.data!.spend.reduce((s, r) => s.plus(r.costUsd), new Decimal(0));
    expect(result.data!.spend.length).toBe(3);
    expect(total.equals((await raw(a.org.id, 'team')).get('growth')!.cost)).toBe(true);
  });

  it('sees only its own organization', async () => {
    const bOwner = await createUser(prisma, b.org.id, 'owner');
    const bToken = await loginAs(app, bOwner.email, bOwner.password);
    const result = await spend({ tagKey: 'team' }, ['TAG'], bToken);
    const expected = await raw(b.org.id, 'team');
    const total = result.data!.spend.reduce((s, r) => s + r.requests, 0);
    expect(total).toBe([...expected.values()].reduce((s, r) => s + r.requests, 0));
  });

  it('refuses TAG without a key and tags mixed with other dimensions, naming the argument', async () => {
    const noKey = await spend({}, ['TAG']);
    expect(codeOf(noKey)).toBe('VALIDATION_FAILED');
    expect(noKey.errors![0]!.message).toContain('tagKey');
    const mixed = await spend({ tagKey: 'team' }, ['TAG', 'MODEL']);
    expect(codeOf(mixed)).toBe('VALIDATION_FAILED');
    expect(mixed.errors![0]!.message).toContain('tags');
  });
});
