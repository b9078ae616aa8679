import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import Anthropic from '@anthropic-ai/sdk';
import { validateUsageEvent } from '@tokenledger/contracts';
import { RateTableRepository, type PrismaClient } from '@tokenledger/db';
import { buildPricer } from '@tokenledger/pricing';
import {
  Tokenledger,
  withContext,
  wrapAnthropic,
  wrapOpenAI,
  type TokenledgerSdkError,
} from '@tokenledger/sdk';
import { WorkerModule } from '@tokenledger/worker/worker.module';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the workspace's openai 7 types: `openai` here would resolve the tests workspace's pinned 6.x
import type OpenAIv7 from '../../node_modules/openai/index.js';
import { createKey, listen, startApi } from '../support/api';
import { createTenant, testPrisma } from '../support/tenant';
import { CHAT_MODEL, CLAUDE_MODEL, FakeProviders, RESPONSES_MODEL } from './support/fake-providers';

/**
 * The SDK against the real pipeline: the API listening on a port (auth, validation, queue), the
 * worker pricing from the built-in catalog and writing to Postgres. Events sent through the SDK's
 * OpenAI and Anthropic wrappers, and by hand, must appear in the database exactly once, priced as
 * the pricing engine prices them, with the SDK's usage intact.
 */

const ROOT = join(__dirname, '..', '..');
const OpenAI = createRequire(join(ROOT, 'package.json'))('openai') as typeof OpenAIv7;
const run = promisify(execFile);

let prisma: PrismaClient;
let api: NestFastifyApplication;
let apiUrl: string;
let worker: INestApplicationContext;
let providers: FakeProviders;
let tenant: Awaited<ReturnType<typeof createTenant>>;
let secret: string;

beforeAll(async () => {
  prisma = testPrisma();
  tenant = await createTenant(prisma, 'sdk');
  ({ secret } = await createKey(prisma, tenant.org.id, tenant.project.id, ['ingest']));
  const rates = new RateTableRepository(prisma);
  // Idempotent, and shared by every test file of the run: another file may be importing it now.
  await rates.importBuiltInCatalog().catch(() => rates.importBuiltInCatalog());

  const started = await startApi();
  api = started.app;
  apiUrl = await listen(api);

  const saved = { ...process.env };
  Object.assign(process.env, { LOG_LEVEL: 'silent', QUEUE_PREFIX: started.queuePrefix });
  try {
    worker = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
    await worker.init();
  } finally {
    process.env = saved;
  }
  providers = await new FakeProviders().start();
}, 120_000);

afterAll(async () => {
  await providers?.stop();
  await worker?.close();
  await api?.close();
  await prisma?.$disconnect();
});

async function storedEvents(eventIds: string[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await prisma.usageEvent.findMany({
      where: { projectId: tenant.project.id, eventId: { in: eventIds } },
    });
    if (rows.length >= eventIds.length || Date.now() > deadline) return rows;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the SDK against the real API and worker', () => {
  it('events sent through the SDK appear in the database once each, priced, with their usage', async () => {
    const errors: TokenledgerSdkError[] = [];
    const sent = new Map<string, Record<string, unknown>>();
    const tl = new Tokenledger({
      apiKey: secret,
      baseUrl: apiUrl,
      flushOnExit: false,
      onError: (e) => errors.push(e),
      // The global fetch, keeping each body the SDK sends to compare with what was stored.
      fetch: (url, init) => {
        const body = typeof init.body === 'string' ? init.body : gunzipSync(init.body).toString('utf8');
        for (const event of (JSON.parse(body) as { events: Record<string, unknown>[] }).events)
          sent.set(event.eventId as string, event);
        return fetch(url, init);
      },
    });

    const openai = wrapOpenAI(
      new OpenAI({ apiKey: 'sk-test', baseURL: `${providers.url}/v1`, maxRetries: 0 }),
      {
        tokenledger: tl,
        feature: 'sdk-e2e',
      },
    );
    const anthropic = wrapAnthropic(
      new Anthropic({ apiKey: 'sk-ant', baseURL: providers.url, maxRetries: 0 }),
      {
        tokenledger: tl,
        feature: 'sdk-e2e',
      },
    );
    await withContext({ customerId: 'acme' }, async () => {
      await openai.chat.completions.create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'Hi' }] });
      const stream = await openai.chat.completions.create({
        model: 'gpt-5.5',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      });
      let chunks = 0;
      for await (const _ of stream) chunks++;
      expect(chunks).toBeGreaterThan(0);
      await openai.responses.create({ model: 'gpt-5.5-pro', input: 'Hi' });
      await anthropic.messages.create({
        model: 'claude-sonnet-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Hi' }],
      });
    });
    const unknownModel = tl.track({
      provider: 'openai',
      model: 'no-such-model-anywhere',
      usage: { inputTokens: 10, outputTokens: 1 },
    })!;
    const invalid = tl.track({
      provider: 'openai',
      model: 'gpt-5.5',
      usage: { inputTokens: 1, outputTokens: -1 },
    })!;
    await tl.shutdown();

    expect(errors.map((e) => e.code)).toEqual(['EVENTS_REJECTED']);
    expect(errors[0]!.rejected.map((r) => [r.eventId, r.errors[0]!.path])).toEqual([
      [invalid, 'usage.outputTokens'],
    ]);
    expect(tl.stats()).toMatchObject({ tracked: 6, delivered: 5, rejected: 1, lost: 0 });

    const ids = [...sent.keys()].filter((id) => id !== invalid);
    const rows = await storedEvents(ids);
    expect(rows.map((r) => r.eventId).sort()).toEqual([...ids].sort());

    // Priced as the pricing engine prices the event the SDK sent, from the same catalog.
    const pricer = buildPricer(await new RateTableRepository(prisma).loadSnapshot());
    for (const row of rows) {
      const event = sent.get(row.eventId)!;
      const validated = validateUsageEvent(event, new Date());
      if (!validated.ok) throw new Error(`sent an invalid event: ${JSON.stringify(validated.errors)}`);
      const expected = pricer.price(validated.event, tenant.org.id);
      const usage = validated.event.usage;
      expect({
        model: row.model,
        inputTokens: Number(row.inputTokens),
        outputTokens: Number(row.outputTokens),
        cacheReadTokens: Number(row.cacheReadTokens),
        cacheWriteTokens: Number(row.cacheWriteTokens),
        cacheWrite1hTokens: Number(row.cacheWrite1hTokens),
        reasoningTokens: Number(row.reasoningTokens),
        pricingStatus: row.pricingStatus,
        costUsd: row.costUsd?.toString() ?? null,
      }).toEqual({
        model: validated.event.model,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cacheReadTokens: usage.cacheReadTokens,
        cacheWriteTokens: usage.cacheWriteTokens,
        cacheWrite1hTokens: usage.cacheWrite1hTokens,
        reasoningTokens: usage.reasoningTokens,
        pricingStatus: expected.status,
        costUsd: expected.totalUsd?.toString() ?? null,
      });
    }
    const byModel = new Map(rows.map((r) => [r.model, r]));
    for (const model of [CHAT_MODEL, RESPONSES_MODEL, CLAUDE_MODEL]) {
      const row = byModel.get(model);
      expect(row?.pricingStatus, model).toBe('priced');
      expect(row!.costUsd!.greaterThan(0), model).toBe(true);
      expect(row).toMatchObject({ feature: 'sdk-e2e', customerId: 'acme', source: 'api' });
    }
    expect(rows.find((r) => r.eventId === unknownModel)?.pricingStatus).not.toBe('priced');
  });

  it('examples/openai-chat.mjs works against the API', async () => {
    if (!existsSync(join(ROOT, 'libs', 'sdk', 'dist', 'esm', 'index.js')))
      await run(process.execPath, [join(ROOT, 'libs', 'sdk', 'scripts', 'build.mjs'), '--skip-typecheck'], {
        cwd: ROOT,
      });
    const before = await prisma.usageEvent.count({ where: { projectId: tenant.project.id } });
    const { stdout } = await run(process.execPath, [join(ROOT, 'examples', 'openai-chat.mjs')], {
      cwd: ROOT,
      timeout: 30_000,
      env: { ...process.env, TOKENLEDGER_API_KEY: secret, TOKENLEDGER_BASE_URL: apiUrl, OPENAI_API_KEY: '' },
    });
    expect(stdout).toContain('4 delivered, 0 rejected, 0 lost');
    const deadline = Date.now() + 30_000;
    let rows: { customerId: string; pricingStatus: string }[] = [];
    while (Date.now() < deadline) {
      rows = await prisma.usageEvent.findMany({
        where: { projectId: tenant.project.id, feature: 'example-chat' },
        select: { customerId: true, pricingStatus: true },
      });
      if (rows.length >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(before).toBeGreaterThan(0);
    expect(rows.map((r) => `${r.customerId}:${r.pricingStatus}`).sort()).toEqual([
      'acme-corp:priced',
      'acme-corp:priced',
      'globex:priced',
      'globex:priced',
    ]);
  });
});
