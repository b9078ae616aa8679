import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OTLPTraceExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, listen, startApi } from '../support/api';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker, waitForEvents } from '../support/worker';

/** A local stand-in for api.openai.com answering Chat Completions with real-shaped payloads. */
function fakeOpenAI(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: 1_780_000_000,
          model: 'gpt-5.5-2026-04-24',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: 'Hello!', refusal: null },
              finish_reason: 'stop',
              logprobs: null,
            },
          ],
          usage: {
            prompt_tokens: 1200,
            completion_tokens: 80,
            total_tokens: 1280,
            prompt_tokens_details: { cached_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        }),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('OTLP: spans from real OpenTelemetry exporters become priced events', () => {
  let prisma: PrismaClient;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext;
  let apiUrl: string;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let headers: Record<string, string>;

  beforeAll(async () => {
    prisma = testPrisma();
    const started = await startApi();
    api = started.app;
    apiUrl = await listen(api);
    worker = await startWorker({ QUEUE_PREFIX: started.queuePrefix });
    tenant = await createTenant(prisma, 'otlp');
    const { secret } = await createKey(prisma, tenant.org.id, tenant.project.id, ['ingest']);
    headers = { authorization: `Bearer ${secret}` };
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await prisma.$disconnect();
  });

  it.each([
    ['OTLP/HTTP JSON', () => new OTLPHttpJsonExporter({ url: `${apiUrl}/v1/traces`, headers })],
    ['OTLP/HTTP protobuf', () => new OTLPProtoExporter({ url: `${apiUrl}/v1/traces`, headers })],
  ])(
    '%s: a GenAI span with cache and reasoning usage is priced; other spans are ignored',
    async (_name, exporter) => {
      const provider = new TracerProvider({
        spanProcessors: [new SimpleSpanProcessor({ exporter: exporter() })],
      });
      const tracer = provider.getTracer('test');
      const span = tracer.startSpan('chat deepseek-v4-pro', {
        startTime: new Date('2026-06-01T12:00:00Z'),
        attributes: {
          'gen_ai.provider.name': 'deepseek',
          'gen_ai.request.model': 'deepseek-v4-pro',
          'gen_ai.usage.input_tokens': 1_000_000,
          'gen_ai.usage.output_tokens': 500_000,
          'gen_ai.usage.cache_read.input_tokens': 400_000,
          'gen_ai.usage.reasoning.output_tokens': 100_000,
          'tokenledger.feature': 'coding-agent',
          'tokenledger.customer_id': 'acme',
        },
      });
      span.end(new Date('2026-06-01T12:00:02Z'));
      tracer.startSpan('GET /health').end();
      await provider.forceFlush();
      await provider.shutdown();

      const { traceId, spanId } = span.spanContext();
      const eventId = `otlp-${traceId}-${spanId}`;
      await expect
        .poll(() => prisma.usageEvent.count({ where: { projectId: tenant.project.id, eventId } }), {
          timeout: 20_000,
        })
        .toBe(1);
      const stored = await prisma.usageEvent.findFirstOrThrow({
        where: { projectId: tenant.project.id, eventId },
      });
      expect(stored).toMatchObject({
        provider: 'deepseek',
        model: 'deepseek-v4-pro',
        inputTokens: 1_000_000n,
        outputTokens: 500_000n,
        cacheReadTokens: 400_000n,
        reasoningTokens: 100_000n,
        feature: 'coding-agent',
        customerId: 'acme',
        latencyMs: 2000,
        source: 'otlp',
        pricingStatus: 'priced',
      });
      // DeepSeek's launch discount: 600K uncached × $0.435/M + 400K cache hits × $0.003625/M + 500K × $0.87/M.
      expect(stored.costUsd!.toFixed()).toBe('0.69745');
      expect(stored.pricingFlags).toContain('fallback:reasoning=output');
    },
  );

  it('spans from instrumentation-openai around the real openai client arrive priced', async () => {
    const fake = await fakeOpenAI();
    const sdk = new NodeSDK({
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new OTLPProtoExporter({ url: `${apiUrl}/v1/traces`, headers }) }),
      ],
      instrumentations: [new OpenAIInstrumentation()],
    });
    sdk.start();
    try {
      // The instrumentation patches openai (< 7, hence the tests workspace's copy) when required after start.
      const { OpenAI } = createRequire(__filename)('openai') as typeof import('openai');
      const client = new OpenAI({
        apiKey: 'sk-test',
        baseURL: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/v1`,
      });
      const completion = await client.chat.completions.create({
        model: 'gpt-5.5',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(completion.usage?.total_tokens).toBe(1280);
    } finally {
      await sdk.shutdown();
      fake.close();
    }
    expect(await waitForEvents(prisma, tenant.project.id, 3, 20_000)).toBe(3);
    const event = await prisma.usageEvent.findFirstOrThrow({
      where: { projectId: tenant.project.id, provider: 'openai' },
    });
    // gpt-5.5-2026-04-24 is the dated snapshot of gpt-5.5: 1,200 × $5/M + 80 × $30/M.
    expect(event).toMatchObject({
      model: 'gpt-5.5-2026-04-24',
      pricedModel: 'gpt-5.5',
      inputTokens: 1200n,
      outputTokens: 80n,
      pricingStatus: 'priced',
      source: 'otlp',
    });
    expect(event.eventId).toMatch(/^otlp-[0-9a-f]{32}-[0-9a-f]{16}$/);
    expect(event.costUsd!.toFixed()).toBe('0.0084');
  });
});
