// `quote` and `catalog import` through the built CLI, against the test database.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RateTableRepository, type PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
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

describe('tokenledger quote and catalog import', () => {
  let prisma: PrismaClient;
  let dir: string;

  beforeAll(async () => {
    prisma = testPrisma();
    dir = mkdtempSync(join(tmpdir(), 'tokenledger-quote-'));
    await new RateTableRepository(prisma).importBuiltInCatalog();
  });
  afterAll(async () => prisma.$disconnect());

  it('quotes one usage from flags: breakdown, total and the version used', async () => {
    const res = await runCli([
      'quote',
      '--provider',
      'openai',
      '--model',
      'gpt-5.5',
      '--input',
      '120000',
      '--output',
      '4000',
      '--cache-read',
      '100000',
      '--at',
      '2026-06-01T12:00:00Z',
      '--json',
    ]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({
      status: 'priced',
      totalUsd: '0.27',
      breakdown: { uncachedInput: '0.1', cacheRead: '0.05', output: '0.12' },
      rateVersion: { table: 'genai-prices', version: 1, effectiveFrom: '1970-01-01T00:00:00.000Z' },
      pricedModel: 'gpt-5.5',
      flags: [],
      event: {
        occurredAt: '2026-06-01T12:00:00.000Z',
        usage: { inputTokens: 120000, cacheReadTokens: 100000 },
      },
    });

    const human = await runCli([
      'quote',
      '--provider',
      'openai',
      '--model',
      'gpt-5.5',
      '--input',
      '300000',
      '--output',
      '1000',
      '--at',
      '2026-06-01T12:00:00Z',
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('total          $3.045'); // 300,000 × $10 + 1,000 × $45
    expect(human.stdout).toMatch(
      /rate version +Built-in catalog \(@pydantic\/genai-prices\) \(genai-prices\) v1/,
    );
    expect(human.stdout).toContain('flags          tier:>271999');
  });

  it('an unknown model is unpriced with its reason and exit code 1', async () => {
    const res = await runCli([
      'quote',
      '--provider',
      'acme',
      '--model',
      'foo',
      '--input',
      '10',
      '--output',
      '5',
      '--json',
    ]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({
      status: 'unpriced_model',
      totalUsd: null,
      reason: 'no rate for model "foo" from provider "acme" (no such provider in the rate tables)',
    });
  });

  it('bad flags are errors naming the flag and the field', async () => {
    const res = await runCli([
      'quote',
      '--provider',
      'openai',
      '--model',
      'gpt-5.5',
      '--input',
      '100',
      '--output',
      'ten',
      '--json',
    ]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: '--output (usage.outputTokens): must be a number of tokens',
    });
    const missing = await runCli(['quote', '--provider', 'openai', '--json']);
    expect(JSON.parse(missing.stdout).error.message).toBe(
      '--model, --input, --output: required for a quote (or give --file events.json)',
    );
  });

  it('quotes a file of API.md events as one JSON document with the grand total', async () => {
    const file = join(dir, 'events.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          eventId: 'a',
          occurredAt: '2026-06-01T12:00:00Z',
          provider: 'openai',
          model: 'gpt-5.5',
          usage: { inputTokens: 120000, outputTokens: 4000, cacheReadTokens: 100000 },
        },
        {
          eventId: 'b',
          occurredAt: '2026-09-01T02:30:00Z',
          provider: 'deepseek',
          model: 'deepseek-v4-pro',
          usage: { inputTokens: 1000000, outputTokens: 1000000 },
        },
        {
          eventId: 'c',
          occurredAt: '2026-06-01T12:00:00Z',
          provider: 'openai',
          model: 'gpt-9',
          usage: { inputTokens: 1, outputTokens: 1 },
        },
      ]),
    );
    const res = await runCli(['quote', '--file', file, '--json']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(
      out.events.map((e: { eventId: string; status: string; totalUsd: string | null }) => [
        e.eventId,
        e.status,
        e.totalUsd,
      ]),
    ).toEqual([
      ['a', 'priced', '0.27'],
      ['b', 'priced', '5.28'], // a Tuesday at 02:30 UTC: DeepSeek peak
      ['c', 'unpriced_model', null],
    ]);
    expect(out.events[1]).toMatchObject({
      flags: ['window:peak'], // deepseek-v4-pro is the rate's own id: no match flag
      rateVersion: { table: 'genai-prices' },
    });
    expect(out.grandTotalUsd).toBe('5.55');
    expect(out.counts).toEqual({ priced: 2, unpriced_model: 1, unpriced_component: 0, error: 0, invalid: 0 });
  });

  it('reports invalid events in a file by index and field, with exit code 1', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          eventId: 'x',
          occurredAt: '2026-06-01T12:00:00Z',
          provider: 'openai',
          model: 'gpt-5.5',
          usage: { inputTokens: 5, outputTokens: 1, cacheReadTokens: 9 },
        },
      ]),
    );
    const res = await runCli(['quote', '--file', file, '--json']);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).events).toEqual([
      {
        index: 0,
        eventId: 'x',
        status: 'invalid',
        errors: [
          {
            path: 'usage.cacheReadTokens',
            message: 'cacheReadTokens (9) is part of inputTokens and cannot exceed it (5)',
          },
        ],
      },
    ]);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{"events": [');
    const broken = await runCli(['quote', '--file', notJson, '--json']);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout).error.code).toBe('MALFORMED_JSON');
  });

  it('imports a LiteLLM file into an organization, then quotes with its overrides', async () => {
    const { org } = await createTenant(prisma, 'litellm-cli');
    const res = await runCli([
      'catalog',
      'import',
      '--format',
      'litellm',
      LITELLM_SAMPLE,
      '--org',
      org.slug,
      '--effective-from',
      '2026-01-01',
      '--json',
    ]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({
      format: 'litellm',
      organization: org.slug,
      table: 'litellm',
      version: { version: 1, effectiveFrom: '2026-01-01T00:00:00.000Z' },
      entries: 9,
      changed: [],
      unchanged: 0,
    });
    expect(out.added).toHaveLength(6);
    expect(out.skipped).toHaveLength(3);

    const again = await runCli([
      'catalog',
      'import',
      '--format',
      'litellm',
      LITELLM_SAMPLE,
      '--org',
      org.slug,
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing changed');
    expect(again.stdout).toContain('9 entries: 0 added, 0 changed, 6 unchanged, 3 skipped.');

    const quote = await runCli([
      'quote',
      '--provider',
      'my-company',
      '--model',
      'llama-internal',
      '--input',
      '1000000',
      '--output',
      '1000000',
      '--at',
      '2026-06-01T00:00:00Z',
      '--org',
      org.slug,
      '--json',
    ]);
    expect(JSON.parse(quote.stdout)).toMatchObject({
      status: 'priced',
      totalUsd: '0.9',
      flags: ['override:litellm'],
      rateVersion: { table: 'litellm', version: 1 },
    });
    // Without the organization, the catalog alone does not know that model.
    const plain = await runCli([
      'quote',
      '--provider',
      'my-company',
      '--model',
      'llama-internal',
      '--input',
      '1',
      '--output',
      '1',
    ]);
    expect(plain.code).toBe(1);
  });

  it('catalog import errors name the file, the format or the organization', async () => {
    const missing = await runCli([
      'catalog',
      'import',
      '--format',
      'litellm',
      join(dir, 'nope.json'),
      '--json',
    ]);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.message).toMatch(/^file: cannot read .*nope\.json \(ENOENT\)$/);
    const format = await runCli(['catalog', 'import', '--format', 'csv', LITELLM_SAMPLE, '--json']);
    expect(JSON.parse(format.stdout).error.message).toBe(
      '--format: "csv" is not one of genai-prices, litellm',
    );
    const org = await runCli([
      'catalog',
      'import',
      '--format',
      'litellm',
      LITELLM_SAMPLE,
      '--org',
      'no-such-org',
      '--json',
    ]);
    expect(JSON.parse(org.stdout).error).toEqual({
      code: 'NOT_FOUND',
      message: 'org: no organization "no-such-org"',
    });
  });

  it('re-imports the built-in catalog without publishing when nothing changed', async () => {
    const res = await runCli(['catalog', 'import', '--json']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out.source).toMatch(/^@pydantic\/genai-prices@\d+\.\d+\.\d+$/);
    expect(out.catalog).toMatchObject({ table: 'genai-prices', published: false, version: 1 });
    expect(out.listPrices).toMatchObject({
      table: 'list-prices',
      published: false,
      effectiveFrom: '2026-04-24T00:00:00.000Z',
    });
  });
});
