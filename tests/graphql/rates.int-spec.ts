import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QUEUES } from '@tokenledger/contracts';
import type { PrismaClient } from '@tokenledger/db';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../support/api';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

const QUOTE = `query($i: QuoteInput!) { quote(input: $i) { status reason totalUsd flags pricedModel breakdown { component usd } rateVersion { table version } } }`;

describe('GraphQL quote, models, rate tables and publishing', () => {
  let prisma: PrismaClient;
  let app: NestFastifyApplication;
  let queuePrefix: string;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let b: Awaited<ReturnType<typeof createTenant>>;
  const t: Record<string, string> = {};

  beforeAll(async () => {
    prisma = testPrisma();
    ({ app, queuePrefix } = await startApi());
    a = await createTenant(prisma, 'rates-a');
    b = await createTenant(prisma, 'rates-b');
    for (const [name, org, role] of [
      ['adminA', a, 'admin'],
      ['viewerA', a, 'viewer'],
      ['ownerB', b, 'owner'],
    ] as const) {
      const u = await createUser(prisma, org.org.id, role);
      t[name] = await loginAs(app, u.email, u.password);
    }
  });
  afterAll(async () => {
    await app.close();
    await prisma.$disconnect();
  });

  const quote = (input: Record<string, unknown>, token?: string) =>
    gql<{
      quote: {
        status: string;
        reason: string | null;
        totalUsd: string | null;
        flags: string[];
        pricedModel: string | null;
        breakdown: { component: string; usd: string }[];
        rateVersion: { table: string; version: number } | null;
      };
    }>(app, QUOTE, { i: input }, token);

  it("quotes API.md's example exactly, with its breakdown and the version used", async () => {
    const r = await quote({
      provider: 'openai',
      model: 'gpt-5.5',
      usage: { inputTokens: 120000, outputTokens: 4000, cacheReadTokens: 100000 },
      occurredAt: '2026-06-01T12:00:00Z',
    });
    expect(r.data?.quote).toMatchObject({
      status: 'PRICED',
      totalUsd: '0.27',
      pricedModel: 'gpt-5.5',
      rateVersion: { table: 'genai-prices', version: 1 },
      breakdown: expect.arrayContaining([
        { component: 'uncachedInput', usd: '0.1' },
        { component: 'cacheRead', usd: '0.05' },
        { component: 'output', usd: '0.12' },
      ]),
    });
  });

  it('bills the whole request at the long-context tier past 272K input tokens', async () => {
    const at = await quote({
      provider: 'openai',
      model: 'gpt-5.5',
      usage: { inputTokens: 272000, outputTokens: 0 },
      occurredAt: '2026-06-01T12:00:00Z',
    });
    expect(at.data?.quote.totalUsd).toBe('2.72');
    expect(at.data?.quote.flags.some((f) => f.startsWith('tier:'))).toBe(true);
  });

  it('says an unknown model is unpriced, with its reason, never $0', async () => {
    const r = await quote({
      provider: 'acme',
      model: 'acme-9000',
      usage: { inputTokens: 10, outputTokens: 10 },
    });
    expect(r.data?.quote).toMatchObject({
      status: 'UNPRICED_MODEL',
      totalUsd: null,
      reason: expect.stringContaining('acme-9000'),
    });
  });

  it('names the bad field of a quote', async () => {
    const r = await quote({
      provider: 'openai',
      model: 'gpt-5.5',
      usage: { inputTokens: 10, outputTokens: 1, cacheReadTokens: 11 },
    });
    expect(codeOf(r)).toBe('VALIDATION_FAILED');
    expect(r.errors?.[0]?.message).toContain('input.usage.cacheReadTokens');
  });

  it('lists models with prices in force, context windows, modalities and MARKET.md benchmarks', async () => {
    const r = await gql<{
      models: {
        provider: string;
        model: string;
        contextWindow: number;
        inputModalities: string[];
        capabilities: string[];
        benchmarks: { name: string; score: number | null }[];
        priceInForce: { prices: { input: string; output: string } } | null;
      }[];
    }>(
      app,
      '{ models(search: "deepseek-v4-pro", provider: "deepseek") { provider model contextWindow inputModalities capabilities benchmarks { name score } priceInForce { prices } } }',
    );
    const pro = r.data!.models.find((m) => m.model === 'deepseek-v4-pro')!;
    expect(pro).toMatchObject({ provider: 'deepseek', contextWindow: 1_000_000, inputModalities: ['text'] });
    expect(pro.benchmarks).toContainEqual({ name: 'swe-bench-pro', score: 55.4 });
    expect(pro.benchmarks).toContainEqual({ name: 'osworld-verified', score: null });
    expect(pro.priceInForce?.prices).toBeTruthy();
  });

  it('publishes a negotiated price only for its organization, and queues a reprice when it starts in the past', async () => {
    const publish = `mutation($i: PublishRateVersionInput!) { publishRateVersion(input: $i) { published changes { added } version { version rateCount } repriceRun { id status since } } }`;
    const input = {
      table: 'negotiated',
      effectiveFrom: '2026-01-01T00:00:00Z',
      rates: [
        {
          provider: 'openai',
          model: 'gpt-5.5',
          match: { exact: ['gpt-5.5'] },
          prices: { input: '4', output: '24', cacheRead: '0.4' },
        },
      ],
      note: 'contract 2026',
    };
    expect(codeOf(await gql(app, publish, { i: input }, t.viewerA))).toBe('FORBIDDEN');
    const bad = await gql(
      app,
      publish,
      {
        i: {
          ...input,
          rates: [
            {
              provider: 'openai',
              model: 'gpt-5.5',
              match: { exact: ['gpt-5.5'] },
              prices: { input: 'cheap' },
            },
          ],
        },
      },
      t.adminA,
    );
    expect([codeOf(bad), bad.errors?.[0]?.message]).toEqual([
      'VALIDATION_FAILED',
      expect.stringContaining('prices.input'),
    ]);

    const done = await gql<{
      publishRateVersion: {
        published: boolean;
        version: { version: number; rateCount: number };
        repriceRun: { id: string; status: string; since: string };
      };
    }>(app, publish, { i: input }, t.adminA);
    expect(done.data?.publishRateVersion).toMatchObject({
      published: true,
      version: { version: 1, rateCount: 1 },
      repriceRun: { status: 'queued', since: '2026-01-01T00:00:00.000Z' },
    });
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const queue = new Queue(QUEUES.reprice, { connection: redis, prefix: queuePrefix });
    const job = await queue.getJob(done.data!.publishRateVersion.repriceRun.id);
    expect(job?.data).toMatchObject({ organizationId: a.org.id, since: '2026-01-01T00:00:00.000Z' });
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();

    // A's quotes use the override (after the pricer's next check); B's and anonymous ones do not.
    const usage = {
      provider: 'openai',
      model: 'gpt-5.5',
      usage: { inputTokens: 1_000_000, outputTokens: 0 },
      occurredAt: '2026-06-01T12:00:00Z',
    };
    await expect
      .poll(async () => (await quote(usage, t.adminA)).data?.quote.totalUsd, { timeout: 10_000 })
      .toBe('4');
    expect((await quote(usage, t.ownerB)).data?.quote.totalUsd).toBe('10');
    expect((await quote(usage)).data?.quote.totalUsd).toBe('10');

    // Publishing the same content again publishes nothing and queues nothing.
    const again = await gql<{ publishRateVersion: { published: boolean; repriceRun: null } }>(
      app,
      publish,
      { i: input },
      t.adminA,
    );
    expect(again.data?.publishRateVersion).toMatchObject({ published: false, repriceRun: null });

    const tables = async (token: string) =>
      (
        await gql<{ rateTables: { slug: string; own: boolean; versions: { version: number }[] }[] }>(
          app,
          '{ rateTables { slug own versions { version } } }',
          {},
          token,
        )
      ).data!.rateTables;
    expect((await tables(t.adminA)).filter((x) => x.own).map((x) => x.slug)).toEqual(['negotiated']);
    expect((await tables(t.ownerB)).some((x) => x.slug === 'negotiated')).toBe(false);
    expect((await tables(t.ownerB)).map((x) => x.slug)).toEqual(
      expect.arrayContaining(['genai-prices', 'list-prices']),
    );

    const history = async (token: string) =>
      (
        await gql<{ models: { priceHistory: { rateVersion: { table: string } }[] }[] }>(
          app,
          '{ models(search: "gpt-5.5", provider: "openai") { priceHistory { rateVersion { table } } } }',
          {},
          token,
        )
      ).data!.models.flatMap((m) => m.priceHistory.map((h) => h.rateVersion.table));
    expect(await history(t.adminA)).toContain('negotiated');
    expect(await history(t.ownerB)).not.toContain('negotiated');
  });

  it('org-only models appear in models(search:) at their effective price; dropping rates needs replace; priority orders tables (issue 20)', async () => {
    const publish = `mutation($i: PublishRateVersionInput!) { publishRateVersion(input: $i) { published changes { removed } repriceRun { status eventsScanned eventsTotal } } }`;
    const homegrown = (model: string) => ({
      provider: 'acme',
      model,
      match: { exact: [model] },
      prices: { input: '0.2', output: '0.6' },
    });
    const first = await gql<{
      publishRateVersion: { repriceRun: { status: string; eventsTotal: number | null } };
    }>(
      app,
      publish,
      {
        i: {
          table: 'self-hosted',
          name: 'Self-hosted models',
          priority: 10,
          effectiveFrom: '2026-01-01T00:00:00Z',
          rates: [homegrown('homegrown-7b')],
        },
      },
      t.adminA,
    );
    // Queued, not yet counted: progress is eventsScanned of eventsTotal once a worker starts it.
    expect(first.data?.publishRateVersion.repriceRun).toMatchObject({
      status: 'queued',
      eventsScanned: 0,
      eventsTotal: null,
    });

    const models = async (token?: string) =>
      (
        await gql<{
          models: {
            provider: string;
            model: string;
            priceInForce: {
              prices: { input: string };
              rateVersion: { table: string; tableName: string };
              derivation: { summary: string };
            } | null;
          }[];
        }>(
          app,
          '{ models(search: "homegrown") { provider model priceInForce { prices rateVersion { table tableName } derivation { summary } } } }',
          {},
          token,
        )
      ).data!.models;
    await expect
      .poll(async () => (await models(t.adminA)).map((m) => `${m.provider}/${m.model}`), { timeout: 10_000 })
      .toEqual(['acme/homegrown-7b']);
    expect((await models(t.adminA))[0]!.priceInForce).toMatchObject({
      prices: { input: '0.2' },
      rateVersion: { table: 'self-hosted', tableName: 'Self-hosted models' },
      derivation: { summary: 'Self-hosted models v1' },
    });
    expect(await models(t.ownerB)).toEqual([]);
    expect(await models()).toEqual([]);

    // A second publication that leaves homegrown-7b out is refused, naming it, unless it says replace.
    const dropping = {
      table: 'self-hosted',
      effectiveFrom: '2026-01-01T00:00:00Z',
      rates: [homegrown('homegrown-13b')],
    };
    const refused = await gql(app, publish, { i: dropping }, t.adminA);
    expect([codeOf(refused), refused.errors?.[0]?.message]).toEqual([
      'VALIDATION_FAILED',
      expect.stringMatching(/would drop 1 rate\(s\) of self-hosted v1 \(acme\/homegrown-7b\).*replace: true/),
    ]);
    const merged = await gql<{ publishRateVersion: { changes: { removed: number } } }>(
      app,
      publish,
      { i: { ...dropping, merge: true } },
      t.adminA,
    );
    expect(merged.data?.publishRateVersion.changes.removed).toBe(0);
    const replaced = await gql<{ publishRateVersion: { changes: { removed: number } } }>(
      app,
      publish,
      { i: { ...dropping, replace: true } },
      t.adminA,
    );
    expect(replaced.data?.publishRateVersion.changes.removed).toBe(1); // v2 held both; v3 only the 13b

    // The order tables are consulted in is visible: own tables by priority (then slug), then the catalog.
    const tables = (
      await gql<{ rateTables: { slug: string; own: boolean; priority: number; position: number }[] }>(
        app,
        '{ rateTables { slug own priority position } }',
        {},
        t.adminA,
      )
    ).data!.rateTables;
    expect(tables.map((x) => x.position)).toEqual(tables.map((_, i) => i + 1));
    expect(tables[0]).toMatchObject({ slug: 'self-hosted', own: true, priority: 10, position: 1 });
    expect(tables.findIndex((x) => !x.own)).toBeGreaterThan(tables.findLastIndex((x) => x.own));
  });
});
