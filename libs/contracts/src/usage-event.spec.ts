import { describe, expect, it } from 'vitest';
import { validateBatch, validateUsageEvent } from './usage-event';

const NOW = new Date('2026-06-01T12:00:00Z');

const event = (overrides: Record<string, unknown> = {}, usage: Record<string, unknown> = {}) => ({
  eventId: 'req_1',
  occurredAt: '2026-06-01T11:59:00Z',
  provider: 'openai',
  model: 'gpt-5.5',
  usage: { inputTokens: 120000, outputTokens: 4000, ...usage },
  ...overrides,
});

function errorsOf(raw: unknown) {
  const result = validateUsageEvent(raw, NOW);
  if (result.ok) throw new Error('expected a rejection');
  return result.errors;
}

describe('validateUsageEvent', () => {
  it('accepts the API.md example and fills defaults', () => {
    const result = validateUsageEvent(event({}, { cacheReadTokens: 100000 }), NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toEqual({
      eventId: 'req_1',
      occurredAt: '2026-06-01T11:59:00.000Z',
      provider: 'openai',
      model: 'gpt-5.5',
      usage: {
        inputTokens: 120000,
        outputTokens: 4000,
        cacheReadTokens: 100000,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
        inputAudioTokens: 0,
        outputAudioTokens: 0,
        inputImageTokens: 0,
      },
      serviceTier: 'standard',
      feature: null,
      customerId: null,
      environment: 'production',
      inputModalities: ['text'],
      latencyMs: null,
      status: 'success',
      tags: {},
    });
  });

  it('normalises offsets to UTC', () => {
    const result = validateUsageEvent(event({ occurredAt: '2026-06-01T14:00:00+02:00' }), NOW);
    expect(result.ok && result.event.occurredAt).toBe('2026-06-01T12:00:00.000Z');
  });

  it.each([
    [{ eventId: undefined }, 'eventId'],
    [{ eventId: '' }, 'eventId'],
    [{ eventId: 'x'.repeat(129) }, 'eventId'],
    [{ occurredAt: '2026-06-01 12:00' }, 'occurredAt'],
    [{ occurredAt: '2026-06-01T12:00:00' }, 'occurredAt'],
    [{ occurredAt: '2026-13-45T12:00:00Z' }, 'occurredAt'],
    [{ occurredAt: '2026-06-01T12:05:01Z' }, 'occurredAt'],
    [{ provider: 'OpenAI' }, 'provider'],
    [{ model: '' }, 'model'],
    [{ serviceTier: 'turbo' }, 'serviceTier'],
    [{ feature: 'f'.repeat(129) }, 'feature'],
    [{ customerId: 42 }, 'customerId'],
    [{ inputModalities: ['smell'] }, 'inputModalities.0'],
    [{ latencyMs: -1 }, 'latencyMs'],
    [{ status: 'ok' }, 'status'],
    [{ tags: { team: 7 } }, 'tags.team'],
    [{ usage: 'lots' }, 'usage'],
    [{ colour: 'blue' }, 'colour'],
  ])('rejects %j naming %s', (overrides, path) => {
    expect(errorsOf(event(overrides)).map((e) => e.path)).toContain(path);
  });

  it('rejects more than 32 tags', () => {
    const tags = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    expect(errorsOf(event({ tags })).map((e) => e.path)).toContain('tags');
  });

  it.each([
    [{ inputTokens: -1 }, 'usage.inputTokens'],
    [{ inputTokens: 1.5 }, 'usage.inputTokens'],
    [{ inputTokens: '100' }, 'usage.inputTokens'],
    [{ outputTokens: undefined }, 'usage.outputTokens'],
    [{ cacheReadTokens: 120001 }, 'usage.cacheReadTokens'],
    [{ cacheWriteTokens: 120001 }, 'usage.cacheWriteTokens'],
    [{ reasoningTokens: 4001 }, 'usage.reasoningTokens'],
    [{ outputAudioTokens: 4001 }, 'usage.outputAudioTokens'],
    [{ inputImageTokens: 120001 }, 'usage.inputImageTokens'],
    [{ cacheReadToken: 5 }, 'usage.cacheReadToken'],
  ])('rejects usage %j naming %s', (usage, path) => {
    expect(errorsOf(event({}, usage)).map((e) => e.path)).toContain(path);
  });

  it('rejects cache reads and writes that together exceed the input', () => {
    const errors = errorsOf(event({}, { cacheReadTokens: 100000, cacheWriteTokens: 30000 }));
    expect(errors).toEqual([{ path: 'usage.cacheReadTokens', message: expect.stringContaining('130000') }]);
  });

  it('accepts parts exactly equal to their totals', () => {
    const result = validateUsageEvent(event({}, { cacheReadTokens: 120000, reasoningTokens: 4000 }), NOW);
    expect(result.ok).toBe(true);
  });

  it('accepts exactly five minutes in the future', () => {
    expect(validateUsageEvent(event({ occurredAt: '2026-06-01T12:05:00Z' }), NOW).ok).toBe(true);
  });

  it('rejects a non-object event', () => {
    expect(errorsOf('hello')).toEqual([{ path: '(event)', message: 'each event must be a JSON object' }]);
  });
});

describe('validateBatch', () => {
  it('accepts the good events and reports the bad ones by index', () => {
    const batch = validateBatch(
      [event(), event({ eventId: 'b', usage: { outputTokens: 1 } }), event({ eventId: 'c' })],
      NOW,
    );
    expect(batch.accepted.map((e) => e.eventId)).toEqual(['req_1', 'c']);
    expect(batch.rejected).toEqual([
      { index: 1, eventId: 'b', errors: [{ path: 'usage.inputTokens', message: expect.any(String) }] },
    ]);
  });

  it('rejects a repeated eventId inside one batch and keeps the first', () => {
    const batch = validateBatch([event(), event({ model: 'other' })], NOW);
    expect(batch.accepted).toHaveLength(1);
    expect(batch.accepted[0]!.model).toBe('gpt-5.5');
    expect(batch.rejected[0]).toMatchObject({ index: 1, errors: [{ path: 'eventId' }] });
  });
});
