import { validateUsageEvent } from '@tokenledger/contracts';
import { describe, expect, it } from 'vitest';
import { providerId, spanToEvent } from './genai-span';
import type { OtlpSpan } from './otlp-decode';

const span = (attributes: OtlpSpan['attributes'], overrides: Partial<OtlpSpan> = {}): OtlpSpan => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  name: 'chat gpt-5.5',
  startTimeUnixNano: 1_780_000_000_000_000_000n,
  endTimeUnixNano: 1_780_000_000_850_000_000n,
  statusCode: 0,
  attributes,
  resource: { 'service.name': 'support-bot', 'deployment.environment.name': 'staging' },
  ...overrides,
});

describe('spanToEvent', () => {
  it('maps a GenAI chat span to an API.md event with a span-derived eventId', () => {
    const event = spanToEvent(
      span({
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-5.5',
        'gen_ai.response.model': 'gpt-5.5-2026-04-24',
        'gen_ai.usage.input_tokens': 120000,
        'gen_ai.usage.output_tokens': 4000,
        'gen_ai.usage.cache_read.input_tokens': 100000,
        'gen_ai.usage.reasoning.output_tokens': 1500,
        'openai.response.service_tier': 'default',
        'tokenledger.feature': 'support-chat',
        'tokenledger.customer_id': 'acme',
      }),
    );
    expect(event).toEqual({
      eventId: 'otlp-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331',
      occurredAt: '2026-05-28T20:26:40.000Z',
      provider: 'openai',
      model: 'gpt-5.5-2026-04-24',
      usage: { inputTokens: 120000, outputTokens: 4000, cacheReadTokens: 100000, reasoningTokens: 1500 },
      serviceTier: 'standard',
      feature: 'support-chat',
      customerId: 'acme',
      environment: 'staging',
      latencyMs: 850,
      status: 'success',
      tags: { service: 'support-bot', span: 'chat gpt-5.5' },
    });
    expect(validateUsageEvent(event, new Date('2030-01-01')).ok).toBe(true);
  });

  it('reads the older attribute names and int64s sent as strings', () => {
    const event = spanToEvent(
      span({
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.prompt_tokens': '12',
        'gen_ai.usage.completion_tokens': '3',
      }),
    );
    expect(event).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      usage: { inputTokens: 12, outputTokens: 3 },
    });
  });

  it('adds cache tokens back when an instrumentation reports input without them', () => {
    const event = spanToEvent(
      span({
        'gen_ai.system': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'gen_ai.usage.input_tokens': 20,
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        'gen_ai.usage.cache_creation.input_tokens': 200,
      }),
    );
    expect(event?.usage).toEqual({
      inputTokens: 1220,
      outputTokens: 5,
      cacheReadTokens: 1000,
      cacheWriteTokens: 200,
    });
  });

  it('marks failed spans as errors', () => {
    expect(
      spanToEvent(
        span(
          { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 1 },
          { statusCode: 2 },
        ),
      )?.status,
    ).toBe('error');
  });

  it('ignores spans without GenAI usage', () => {
    expect(spanToEvent(span({ 'http.method': 'GET' }))).toBeNull();
    expect(spanToEvent(span({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-5.5' }))).toBeNull();
  });

  it('maps well-known provider names to catalog ids', () => {
    expect(
      ['aws.bedrock', 'az.ai.openai', 'gcp.vertex_ai', 'mistral_ai', 'x_ai', 'DeepSeek'].map(providerId),
    ).toEqual(['aws', 'azure', 'google', 'mistral', 'x-ai', 'deepseek']);
  });

  it('produces an event that fails validation (naming the field) when the model is missing', () => {
    const event = spanToEvent(
      span({ 'gen_ai.system': 'openai', 'gen_ai.usage.input_tokens': 5, 'gen_ai.usage.output_tokens': 1 }),
    )!;
    const result = validateUsageEvent(event, new Date('2030-01-01'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.path)).toEqual(['model']);
  });
});
