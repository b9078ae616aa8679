import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { UsageEvent } from '@tokenledger/contracts';
import {
  createPgPool,
  UsageEventWriter,
  type PgPool,
  type PricedEvent,
  type PrismaClient,
} from '@tokenledger/db';
import { SpendService } from '@tokenledger/api/modules/spend/spend.service';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { pricedAt, UNPRICED, usageEvent } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

const MODELS = ['gpt-5.5', 'deepseek-v4-pro', 'deepseek-v4-flash', 'mystery-model'];
const FEATURES = ['support-chat', 'coding-agent', null];
const CUSTOMERS = ['acme', 'globex', 'initech', null];

/** A deterministic spread of events over three days (and a little outside them). */
function generate(count: number, seed: number): UsageEvent[] {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () => {
    const at = new Date(Date.UTC(2026, 5, 1) - 6 * 3600_000 + Math.floor(rand() * 84 * 3600_000));
    return usageEvent(
      {
        occurredAt: at.toISOString(),
        model: MODELS[Math.floor(rand() * MODELS.length)]!,
        feature: FEATURES[Math.floor(rand() * FEATURES.length)] ?? undefined,
        customerId: CUSTOMERS[Math.floor(rand() * CUSTOMERS.length)] ?? undefined,
        environment: rand() < 0.8 ? 'production' : 'staging',
        latencyMs: Math.floor(rand() * 2000),
      },
      { inputTokens: 1 + Math.floor(rand() * 200_000), outputTokens: Math.floor(rand() * 8000) },
    );
  });
}

const price = (e: UsageEvent) =>
  e.model === 'mystery-model'
    ? UNPRICED
    : pricedAt(
        new Decimal(e.usage.outputTokens)
          .times('0.0000031')
          .plus(new Decimal(e.usage.inputTokens).times('0.00000017'))
          .toFixed(),
      );

describe('GraphQL spend (rollups) against the raw events', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let app: NestFastifyApplication;
  let token: string;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let a2: { id: string; slug: string };
  let b: Awaited<ReturnType<typeof createTenant>>;

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 4);
    ({ app } = await startApi());
    a = await createTenant(prisma, 'spend-a');
    a2 = await prisma.project.create({ data: { organizationId: a.org.id, slug: 'second', name: 'Second' } });
    b = await createTenant(prisma, 'spend-b');
    const writer = new UsageEventWriter(pool);
    const write = (organizationId: string, projectId: string, events: UsageEvent[]) =>
      writer.write({
        organizationId,
        projectId,
        source: 'api',
        receivedAt: new Date(),
        events: events.map((event): PricedEvent => ({ event, pricing: price(event) })),
      });
    await write(a.org.id, a.project.id, generate(600, 1));
    await write(a.org.id, a2.id, generate(300, 2));
    await write(b.org.id, b.project.id, generate(400, 3));
    const owner = await createUser(prisma, a.org.id, 'owner');
    token = await loginAs(app, owner.email, owner.password);
  });

  afterAll(async () => {
    await app.close();
    await pool.end();
    await prisma.$disconnect();
  });

  type Row = Record<string, string | number | null>;

  async function spend(
    filter: Record<string, unknown>,
    groupBy: string[],
    extra: Record<string, unknown> = {},
    as = token,
  ): Promise<Row[]> {
    const result = await gql<{ spend: Row[] }>(
      app,
      `query($f: SpendFilter!, $g: [SpendDimension!], $tz: String!) { spend(filter: $f, groupBy: $g, timeZone: $tz) {
         project provider model feature customer environment period costUsd requests unpricedRequests inputTokens outputTokens unpricedOutputTokens } }`,
      { f: filter, g: groupBy, tz: 'UTC', ...extra },
      as,
    );
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    return result.data!.spend;
  }

  /** The same aggregate straight from usage_events. */
  async function raw(
    orgId: string,
    from: string,
    to: string,
    dims: string[],
    period: string | null,
    where = '',
  ): Promise<Row[]> {
    const cols: Record<string, string> = {
      project: 'p.slug',
      provider: 'e.provider',
      model: 'e.model',
      feature: "nullif(e.feature, '')",
      customer: "nullif(e.customer_id, '')",
      environment: 'e.environment',
    };
    const select = [...dims.map((d) => `${cols[d]} AS ${d}`), ...(period ? [`${period} AS period`] : [])];
    const group = [...dims.map((d) => cols[d]), ...(period ? [period] : [])];
    const { rows } = await pool.query(
      `SELECT ${[...select, "coalesce(sum(e.cost_usd) FILTER (WHERE e.pricing_status = 'priced'), 0)::text AS cost", 'count(*)::int AS requests', "count(*) FILTER (WHERE e.pricing_status <> 'priced')::int AS unpriced", 'sum(e.input_tokens)::bigint::text AS input', "coalesce(sum(e.output_tokens) FILTER (WHERE e.pricing_status <> 'priced'), 0)::bigint::text AS unpriced_out"].join(', ')}
       FROM usage_events e JOIN projects p ON p.id = e.project_id
       WHERE e.organization_id = $1 AND date_trunc('hour', e.occurred_at) >= date_trunc('hour', $2::timestamptz) AND date_trunc('hour', e.occurred_at) < $3::timestamptz ${where}
       ${group.length ? `GROUP BY ${group.join(', ')}` : ''}`,
      [orgId, from, to],
    );
    return rows;
  }

  const key = (r: Row, dims: string[], withPeriod: boolean) =>
    [...dims.map((d) => r[d]), ...(withPeriod ? [new Date(r.period as string).toISOString()] : [])].join('|');

  async function compare(
    filter: { from: string; to: string },
    groupBy: string[],
    period: string | null,
    rawWhere = '',
    extra: Record<string, unknown> = {},
    gqlFilter: Record<string, unknown> = {},
  ) {
    const names: Record<string, string> = {
      PROJECT: 'project',
      PROVIDER: 'provider',
      MODEL: 'model',
      FEATURE: 'feature',
      CUSTOMER: 'customer',
      ENVIRONMENT: 'environment',
    };
    const dims = groupBy.filter((g) => names[g]).map((g) => names[g]!);
    const got = await spend({ ...filter, ...gqlFilter }, groupBy, extra);
    const want = await raw(a.org.id, filter.from, filter.to, dims, period, rawWhere);
    const g = new Map(
      got.map((r) => [
        key(r, dims, !!period),
        [
          new Decimal(r.costUsd as string).toFixed(),
          r.requests,
          r.unpricedRequests,
          String(r.inputTokens),
          String(r.unpricedOutputTokens),
        ],
      ]),
    );
    const w = new Map(
      want.map((r) => [
        key(r, dims, !!period),
        [new Decimal(r.cost as string).toFixed(), r.requests, r.unpriced, r.input, r.unpriced_out],
      ]),
    );
    expect(g.size).toBeGreaterThan(0);
    expect(Object.fromEntries(g)).toEqual(Object.fromEntries(w));
  }

  const DAYS = { from: '2026-06-01T00:00:00.000Z', to: '2026-06-04T00:00:00.000Z' };

  it('totals equal the sum of the raw events', async () => compare(DAYS, [], null));
  // Only the selected counters are summed: every field, asked alone, through a named fragment or an
  // inline one, must answer exactly what it answers beside all the others.
  it('answers each field the same whether selected alone, in fragments, or with every other', async () => {
    const FIELDS = [
      'costUsd requests pricedRequests unpricedRequests errorRequests inputTokens outputTokens',
      'cacheReadTokens cacheWriteTokens cacheWrite1hTokens reasoningTokens inputAudioTokens',
      'outputAudioTokens inputImageTokens unpricedInputTokens unpricedOutputTokens avgLatencyMs',
    ].join(' ');
    const run = async (selection: string, fragments = '') => {
      const result = await gql<{ spend: Row[] }>(
        app,
        `query($f: SpendFilter!) { spend(filter: $f, groupBy: [MODEL, CUSTOMER], limit: 10000) { model customer ${selection} } } ${fragments}`,
        { f: DAYS },
        token,
      );
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      const rows = new Map(result.data!.spend.map((r) => [`${r.model}|${r.customer}`, r]));
      expect(rows.size).toBeGreaterThan(1);
      return rows;
    };
    const all = await run(FIELDS);
    for (const r of all.values()) expect(Number(r.requests)).toBeGreaterThan(0);
    for (const field of FIELDS.split(' ')) {
      const alone = await run(field);
      for (const [k, r] of alone) expect([k, r[field]]).toEqual([k, all.get(k)![field]]);
    }
    const viaFragments = await run(
      '...Counts ... on SpendRow { reasoningTokens }',
      'fragment Counts on SpendRow { costUsd avgLatencyMs cacheReadTokens }',
    );
    for (const [k, r] of viaFragments)
      for (const field of ['costUsd', 'avgLatencyMs', 'cacheReadTokens', 'reasoningTokens'])
        expect([k, field, r[field]]).toEqual([k, field, all.get(k)![field]]);
    expect([...all.values()].some((r) => Number(r.outputTokens) > 0 && r.avgLatencyMs !== null)).toBe(true);
  });
  it('by model and day (daily rollups)', async () =>
    compare(DAYS, ['MODEL', 'DAY'], "date_trunc('day', e.occurred_at)"));
  it('by customer and month (daily per-customer rollups)', async () =>
    compare(DAYS, ['CUSTOMER', 'MONTH'], "date_trunc('month', e.occurred_at)"));
  it('by project, feature, customer and environment (daily per-customer rollups)', async () =>
    compare(DAYS, ['PROJECT', 'FEATURE', 'CUSTOMER', 'ENVIRONMENT'], null));
  it('by feature and customer, filtered to an environment, over partial days', async () =>
    compare(
      { from: '2026-06-01T10:30:00.000Z', to: '2026-06-03T07:00:00.000Z' },
      ['FEATURE', 'CUSTOMER'],
      null,
      "AND e.environment = 'production'",
      {},
      { environments: ['production'] },
    ));
  it('by project, feature, customer and environment per hour (hourly rollups)', async () =>
    compare(
      DAYS,
      ['PROJECT', 'FEATURE', 'CUSTOMER', 'ENVIRONMENT', 'HOUR'],
      "date_trunc('hour', e.occurred_at)",
    ));
  it('by hour, filtered to two models', async () =>
    compare(
      DAYS,
      ['HOUR', 'PROVIDER'],
      "date_trunc('hour', e.occurred_at)",
      "AND e.model IN ('gpt-5.5', 'mystery-model')",
      {},
      { models: ['gpt-5.5', 'mystery-model'] },
    ));
  it('by day in New York time', async () =>
    compare(
      DAYS,
      ['DAY'],
      "date_trunc('day', e.occurred_at AT TIME ZONE 'America/New_York') AT TIME ZONE 'America/New_York'",
      '',
      { tz: 'America/New_York' },
    ));
  it('over a range that does not start on a whole hour', async () =>
    compare({ from: '2026-06-01T10:30:00.000Z', to: '2026-06-02T07:00:00.000Z' }, ['MODEL'], null));
  // Ranges that are not whole days but span some: whole days from the daily tables, the partial
  // first and last days from the hourly one. Each answer must equal the raw events to the cent.
  const PARTIAL = { from: '2026-06-01T10:30:00.000Z', to: '2026-06-03T07:00:00.000Z' };
  it('over whole days and partial ones: totals', async () => compare(PARTIAL, [], null));
  it('over whole days and partial ones: by model and day', async () =>
    compare(PARTIAL, ['MODEL', 'DAY'], "date_trunc('day', e.occurred_at)"));
  it('over whole days and partial ones: by customer and month, filtered to two models', async () =>
    compare(
      { from: '2026-06-01T23:00:00.000Z', to: '2026-06-03T01:00:00.000Z' },
      ['CUSTOMER', 'MONTH'],
      "date_trunc('month', e.occurred_at)",
      "AND e.model IN ('gpt-5.5', 'mystery-model')",
      {},
      { models: ['gpt-5.5', 'mystery-model'] },
    ));
  it('over whole days and partial ones: only the first day partial, by feature', async () =>
    compare({ from: '2026-06-01T05:00:00.000Z', to: '2026-06-04T00:00:00.000Z' }, ['FEATURE'], null));
  it('filtered to a project and to usage without a feature', async () =>
    compare(
      DAYS,
      ['MODEL'],
      null,
      "AND p.slug = 'second' AND e.feature = ''",
      {},
      { projects: ['second'], features: [''] },
    ));

  it('reads the coarsest rollup table that can answer', async () => {
    const service = app.get(SpendService);
    const access = {
      organizationId: a.org.id,
      slug: a.org.slug,
      role: 'owner' as const,
      projectId: null,
      principal: { kind: 'user' as const, userId: 'u', sessionId: 's', email: 'e' },
    };
    const plan = (filter: object, groupBy: string[], tz = 'UTC') =>
      service
        .plan(
          access,
          { ...DAYS, from: new Date(DAYS.from), to: new Date(DAYS.to), ...filter } as never,
          groupBy as never,
          tz,
          100,
        )
        .then((p) => p.table);
    expect(await plan({}, ['MODEL', 'DAY'])).toBe('daily_rollups');
    expect(await plan({}, ['CUSTOMER', 'MODEL'])).toBe('daily_customer_rollups');
    expect(await plan({ customers: ['acme'] }, ['FEATURE'])).toBe('daily_customer_rollups');
    expect(await plan({}, ['CUSTOMER', 'ENVIRONMENT'])).toBe('daily_customer_rollups');
    expect(await plan({}, ['MODEL', 'HOUR'])).toBe('hourly_rollups');
    expect(await plan({}, ['DAY'], 'Europe/Paris')).toBe('hourly_rollups');
    expect(await plan({ from: new Date('2026-06-01T06:00:00Z') }, ['MODEL'])).toBe(
      'daily_rollups+hourly_rollups',
    );
    expect(await plan({ from: new Date('2026-06-03T06:00:00Z') }, ['MODEL'])).toBe('hourly_rollups');
  });

  it("never includes another organization's usage, and a project key sees only its project", async () => {
    const all = await spend(DAYS, ['PROJECT']);
    expect(all.map((r) => r.project).sort()).toEqual([a.project.slug, 'second'].sort());
    const projectKey = await createKey(prisma, a.org.id, a2.id, ['read']);
    const scoped = await spend(DAYS, ['PROJECT'], {}, projectKey.secret);
    expect(scoped.map((r) => r.project)).toEqual(['second']);
    const bKey = await createKey(prisma, b.org.id, null, ['read']);
    const bRows = await spend(DAYS, [], {}, bKey.secret);
    const [bRaw] = await raw(b.org.id, DAYS.from, DAYS.to, [], null);
    expect(new Decimal(bRows[0]!.costUsd as string).toFixed()).toBe(
      new Decimal(bRaw!.cost as string).toFixed(),
    );
    const cross = await gql(
      app,
      'query($f: SpendFilter!, $o: String) { spend(filter: $f, org: $o) { costUsd } }',
      { f: DAYS, o: a.org.slug },
      bKey.secret,
    );
    expect(codeOf(cross)).toBe('NOT_FOUND');
  });

  it('names the bad field in its errors', async () => {
    const q =
      'query($f: SpendFilter!, $g: [SpendDimension!], $tz: String!) { spend(filter: $f, groupBy: $g, timeZone: $tz) { costUsd } }';
    const cases: [Record<string, unknown>, string, string][] = [
      [{ f: { from: DAYS.to, to: DAYS.from }, g: [], tz: 'UTC' }, 'VALIDATION_FAILED', 'filter.to'],
      [{ f: { ...DAYS, projects: ['nope'] }, g: [], tz: 'UTC' }, 'NOT_FOUND', 'filter.projects'],
      [{ f: DAYS, g: ['DAY', 'HOUR'], tz: 'UTC' }, 'VALIDATION_FAILED', 'groupBy'],
      [{ f: DAYS, g: ['DAY'], tz: 'Mars/Olympus' }, 'VALIDATION_FAILED', 'timeZone'],
      [{ f: { from: 'yesterday', to: DAYS.to }, g: [], tz: 'UTC' }, 'VALIDATION_FAILED', 'from'],
    ];
    for (const [variables, code, field] of cases) {
      const result = await gql(app, q, variables, token);
      expect([codeOf(result), result.errors?.[0]?.message]).toEqual([code, expect.stringContaining(field)]);
    }
  });
});
