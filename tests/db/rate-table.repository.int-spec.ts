import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenledgerError } from '@tokenledger/contracts';
import { buildPricer, type RateInput } from '@tokenledger/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genaiPricesVersion, RateTableRepository, type PrismaClient } from '@tokenledger/db';
import { createTenant, testPrisma } from '../support/tenant';

const LITELLM_SAMPLE = join(
  __dirname,
  '..',
  '..',
  'libs',
  'pricing',
  'src',
  'testing',
  'litellm-sample.json',
);

function usageEvent(
  provider: string,
  model: string,
  occurredAt: string,
  inputTokens = 1_000_000,
  outputTokens = 0,
) {
  return {
    eventId: 'e',
    occurredAt,
    provider,
    model,
    usage: {
      inputTokens,
      outputTokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      inputAudioTokens: 0,
      outputAudioTokens: 0,
      inputImageTokens: 0,
    },
    serviceTier: 'standard' as const,
    feature: null,
    customerId: null,
    environment: 'production',
    inputModalities: ['text' as const],
    latencyMs: null,
    status: 'success' as const,
    tags: {},
  };
}

const rate = (model: string, input: string): RateInput => ({
  provider: 'acme',
  model,
  match: { exact: [model] },
  prices: { input, output: input },
  source: 'negotiated contract 2026-01',
});

describe('RateTableRepository (real Postgres)', () => {
  let prisma: PrismaClient;
  let repo: RateTableRepository;

  beforeAll(async () => {
    prisma = testPrisma();
    repo = new RateTableRepository(prisma);
  });
  afterAll(async () => prisma.$disconnect());

  describe('the built-in catalog', () => {
    it('imports every genai-prices model with its source, then publishes nothing when unchanged', async () => {
      const first = await repo.importBuiltInCatalog();
      const source = `@pydantic/genai-prices@${genaiPricesVersion()}`;
      expect(first.source).toBe(source);
      expect(first.catalog.version).toMatchObject({ version: 1, source });
      expect(first.catalog.version.effectiveFrom.toISOString()).toBe('1970-01-01T00:00:00.000Z');
      expect(first.catalog.rateCount).toBeGreaterThan(1500);
      expect(first.listPrices.version.effectiveFrom.toISOString()).toBe('2026-04-24T00:00:00.000Z');

      const rows = await prisma.modelRate.findMany({ where: { versionId: first.catalog.version.id } });
      expect(rows).toHaveLength(first.catalog.rateCount);
      expect(rows.every((r) => r.source.startsWith(source))).toBe(true);
      const v4 = rows.find((r) => r.provider === 'deepseek' && r.model === 'deepseek-v4-pro')!;
      expect(v4.source).toContain('Tokenledger curation: peak windows only from 2026-08-17');

      const again = await repo.importBuiltInCatalog();
      expect(again.catalog).toMatchObject({ published: false });
      expect(again.catalog.version.id).toBe(first.catalog.version.id);
      expect(again.listPrices).toMatchObject({ published: false });
      expect(again.facts).toEqual({ created: 0, updated: 0 });
      expect(await prisma.rateTableVersion.count({ where: { rateTableId: first.catalog.table.id } })).toBe(1);
    });

    it('keeps model facts beside the rates, with MARKET.md figures', async () => {
      await repo.importBuiltInCatalog();
      const gpt = await prisma.modelFact.findUniqueOrThrow({
        where: { provider_model: { provider: 'openai', model: 'gpt-5.5' } },
      });
      expect(gpt).toMatchObject({
        contextWindow: 256_000,
        inputModalities: ['text', 'image', 'audio', 'video'],
        capabilities: ['tools', 'computer-use'],
      });
      expect(gpt.benchmarks).toMatchObject({
        'swe-bench-pro': { score: 58.6, unit: '%' },
        'osworld-verified': { score: 78.7 },
      });
      const flash = await prisma.modelFact.findUniqueOrThrow({
        where: { provider_model: { provider: 'deepseek', model: 'deepseek-v4-flash' } },
      });
      expect(flash).toMatchObject({
        contextWindow: 1_000_000,
        inputModalities: ['text'],
        capabilities: ['tools'],
      });
      expect(flash.benchmarks).toMatchObject({
        'osworld-verified': null,
        codeforces: { score: 2891, unit: 'rating' },
      });
    });

    it('loads a snapshot the pricer prices from, naming the version used', async () => {
      const { catalog } = await repo.importBuiltInCatalog();
      const pricer = buildPricer(await repo.loadSnapshot());
      const e = usageEvent('openai', 'gpt-5.5', '2026-06-01T12:00:00.000Z', 120_000, 4_000);
      e.usage.cacheReadTokens = 100_000;
      const r = pricer.price(e, null);
      expect(r.totalUsd!.toFixed()).toBe('0.27');
      expect(r.rateVersionId).toBe(catalog.version.id);
    });
  });

  describe('publishing versions', () => {
    it('creates a new immutable version each time; events are priced by the version in force at their time', async () => {
      const { org } = await createTenant(prisma, 'rates');
      const table = { organizationId: org.id, slug: 'overrides' };
      const stamp0 = await repo.catalogStamp();
      const v1 = await repo.publishVersion({
        table,
        effectiveFrom: new Date('2026-01-01T00:00:00Z'),
        rates: [rate('m1', '1'), rate('m2', '2')],
        source: 'negotiated contract 2026-01',
      });
      expect(v1).toMatchObject({ published: true, rateCount: 2, version: { version: 1 } });
      expect(v1.changes.added).toHaveLength(2);
      const stamp1 = await repo.catalogStamp();
      expect(stamp1).not.toBe(stamp0);
      const v1Rows = await prisma.modelRate.findMany({
        where: { versionId: v1.version.id },
        orderBy: { model: 'asc' },
      });

      const v2 = await repo.publishVersion({
        table,
        effectiveFrom: new Date('2026-07-01T00:00:00Z'),
        rates: [rate('m1', '1.5')],
        merge: true,
        source: 'contract amendment 2026-07',
        publishedBy: 'finance@example.com',
      });
      expect(v2).toMatchObject({
        published: true,
        rateCount: 2,
        version: { version: 2, publishedBy: 'finance@example.com' },
      });
      expect(v2.changes).toEqual({
        added: [],
        changed: [{ provider: 'acme', model: 'm1' }],
        removed: [],
        unchanged: 1,
      });
      expect(await repo.catalogStamp()).not.toBe(stamp1);

      // Version 1 is untouched.
      expect(
        await prisma.modelRate.findMany({ where: { versionId: v1.version.id }, orderBy: { model: 'asc' } }),
      ).toEqual(v1Rows);
      expect(
        (await prisma.rateTableVersion.findUniqueOrThrow({ where: { id: v1.version.id } })).contentHash,
      ).toBe(v1.version.contentHash);

      const pricer = buildPricer(await repo.loadSnapshot({ organizationId: org.id }));
      const before = pricer.price(usageEvent('acme', 'm1', '2026-06-30T23:59:59.999Z'), org.id);
      const after = pricer.price(usageEvent('acme', 'm1', '2026-07-01T00:00:00.000Z'), org.id);
      expect(before).toMatchObject({ rateVersionId: v1.version.id, flags: ['override:overrides'] });
      expect(before.totalUsd!.toFixed()).toBe('1');
      expect(after).toMatchObject({ rateVersionId: v2.version.id });
      expect(after.totalUsd!.toFixed()).toBe('1.5');
      // Another organization never sees these rates.
      const { org: other } = await createTenant(prisma, 'rates');
      expect(pricer.price(usageEvent('acme', 'm1', '2026-07-02T00:00:00Z'), other.id).status).toBe(
        'unpriced_model',
      );
    });

    it('refuses a publication that would drop rates unless it says replace (issue 20 item 4)', async () => {
      const { org } = await createTenant(prisma, 'rates');
      const table = { organizationId: org.id, slug: 'overrides' };
      const from = new Date('2026-01-01T00:00:00Z');
      await repo.publishVersion({
        table,
        effectiveFrom: from,
        rates: [rate('m1', '1'), rate('m2', '2')],
        source: 's',
      });
      const dropping = repo.publishVersion({
        table,
        effectiveFrom: from,
        rates: [rate('m1', '3')],
        source: 's',
      });
      await expect(dropping).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/would drop 1 rate\(s\) of overrides v1 \(acme\/m2\).*replace: true/),
      });
      const replaced = await repo.publishVersion({
        table,
        effectiveFrom: from,
        rates: [rate('m1', '3')],
        replace: true,
        source: 's',
      });
      expect(replaced.changes.removed).toEqual([{ provider: 'acme', model: 'm2' }]);
      expect(replaced.rateCount).toBe(1);
    });

    it("sets a table's priority on publication, refusing nonsense", async () => {
      const { org } = await createTenant(prisma, 'rates');
      const table = { organizationId: org.id, slug: 'contract' };
      const from = new Date('2026-01-01T00:00:00Z');
      const v = await repo.publishVersion({
        table,
        effectiveFrom: from,
        rates: [rate('m1', '1')],
        priority: 50,
        source: 's',
      });
      expect(v.table.priority).toBe(50);
      await expect(
        repo.publishVersion({
          table,
          effectiveFrom: from,
          rates: [rate('m1', '1')],
          priority: -1,
          source: 's',
        }),
      ).rejects.toMatchObject({ message: expect.stringContaining('priority: must be a whole number') });
    });

    it('refuses invalid rates and ambiguous versions, naming the field', async () => {
      const { org } = await createTenant(prisma, 'rates');
      const table = { organizationId: org.id, slug: 'overrides' };
      const bad = repo.publishVersion({
        table,
        effectiveFrom: new Date('2026-01-01T00:00:00Z'),
        rates: [{ ...rate('m', '1'), prices: { input: '-3' } }],
        source: 'x',
      });
      await expect(bad).rejects.toBeInstanceOf(TokenledgerError);
      await expect(bad).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [
          { path: 'rates[0].prices.input', message: 'must be a non-negative decimal of USD, e.g. "2.5"' },
        ],
      });
      await expect(
        repo.publishVersion({
          table,
          effectiveFrom: new Date('2026-01-01T00:00:00Z'),
          rates: [
            { ...rate('a', '1'), match: { patterns: [{ startsWith: 'm-' }] } },
            { ...rate('b', '2'), match: { patterns: [{ startsWith: 'm-' }] } },
          ],
          source: 'x',
        }),
      ).rejects.toThrow(/ambiguous rates: "m-" matches "a" and "b" equally well/);
      expect(await prisma.rateTable.count({ where: { organizationId: org.id } })).toBe(0);
    });

    it('publishes nothing for unchanged content when asked, and numbers concurrent publications one by one', async () => {
      const { org } = await createTenant(prisma, 'rates');
      const table = { organizationId: org.id, slug: 'overrides' };
      const input = {
        table,
        effectiveFrom: new Date('2026-01-01T00:00:00Z'),
        rates: [rate('m', '1')],
        source: 'x',
      };
      const results = await Promise.all([
        repo.publishVersion(input),
        repo.publishVersion(input),
        repo.publishVersion(input),
      ]);
      expect(results.map((r) => r.version.version).sort()).toEqual([1, 2, 3]);
      const same = await repo.publishVersion({ ...input, skipIfUnchanged: true });
      expect(same).toMatchObject({ published: false, version: { version: 3 } });
    });
  });

  describe('LiteLLM import', () => {
    it('reads the file into the organization’s table, reporting added, changed and skipped', async () => {
      const { org } = await createTenant(prisma, 'litellm');
      const json = JSON.parse(readFileSync(LITELLM_SAMPLE, 'utf8')) as Record<
        string,
        Record<string, unknown>
      >;
      const first = await repo.importLiteLLM({ organizationId: org.id, json, fileName: 'prices.json' });
      expect(first.version).toMatchObject({ version: 1, source: 'LiteLLM file prices.json' });
      expect(first.table).toMatchObject({ organizationId: org.id, slug: 'litellm', kind: 'override' });
      expect(first.added).toHaveLength(6);
      expect(first.changed).toEqual([]);
      expect(first.skipped.map((s) => s.key)).toEqual(['dall-e-3', 'broken-model', 'openai/gpt-4o']);

      const again = await repo.importLiteLLM({ organizationId: org.id, json, fileName: 'prices.json' });
      expect(again).toMatchObject({ version: null, added: [], changed: [], unchanged: 6 });

      json['gpt-4o']!.input_cost_per_token = 2e-6;
      const changed = await repo.importLiteLLM({ organizationId: org.id, json, fileName: 'prices-v2.json' });
      expect(changed).toMatchObject({
        version: { version: 2 },
        added: [],
        changed: [{ provider: 'openai', model: 'gpt-4o' }],
      });

      await repo.importBuiltInCatalog();
      const pricer = buildPricer(await repo.loadSnapshot());
      const r = pricer.price(
        usageEvent('openai', 'gpt-4o', new Date(Date.now() + 1000).toISOString()),
        org.id,
      );
      expect(r).toMatchObject({
        status: 'priced',
        rateVersionId: changed.version!.id,
        flags: ['override:litellm'],
      });
      expect(r.totalUsd!.toFixed()).toBe('2');
      // The organization's own imports never leak to others.
      expect(
        pricer.price(usageEvent('my-company', 'llama-internal', new Date().toISOString()), null).status,
      ).toBe('unpriced_model');
    });
  });
});
