import { describe, expect, it } from 'vitest';
import { anthropicServiceTier, mergeAnthropicUsage, usageFromAnthropic } from './anthropic.js';

describe('usageFromAnthropic', () => {
  it('adds cache reads and writes back into inputTokens (Anthropic leaves them out)', () => {
    expect(
      usageFromAnthropic({
        input_tokens: 50,
        output_tokens: 400,
        cache_read_input_tokens: 10_000,
        cache_creation_input_tokens: 2_000,
        cache_creation: null,
      }),
    ).toEqual({ inputTokens: 12_050, outputTokens: 400, cacheReadTokens: 10_000, cacheWriteTokens: 2_000 });
  });

  it('splits cache writes into 5-minute and 1-hour by the breakdown', () => {
    expect(
      usageFromAnthropic({
        input_tokens: 20,
        output_tokens: 300,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 3_000,
        cache_creation: { ephemeral_5m_input_tokens: 1_000, ephemeral_1h_input_tokens: 2_000 },
        output_tokens_details: { thinking_tokens: 120 },
      }),
    ).toEqual({
      inputTokens: 3_020,
      outputTokens: 300,
      cacheWriteTokens: 1_000,
      cacheWrite1hTokens: 2_000,
      reasoningTokens: 120,
    });
  });

  it('takes plain usage as it is', () => {
    expect(usageFromAnthropic({ input_tokens: 9, output_tokens: 1 })).toEqual({
      inputTokens: 9,
      outputTokens: 1,
    });
  });
});

describe('mergeAnthropicUsage', () => {
  it('lets non-null cumulative counts of message_delta win over message_start', () => {
    const start = {
      input_tokens: 30,
      output_tokens: 1,
      cache_read_input_tokens: 500,
      cache_creation_input_tokens: 0,
    };
    expect(
      mergeAnthropicUsage(start, {
        input_tokens: null,
        output_tokens: 250,
        cache_read_input_tokens: null,
        cache_creation_input_tokens: null,
      }),
    ).toEqual({
      input_tokens: 30,
      output_tokens: 250,
      cache_read_input_tokens: 500,
      cache_creation_input_tokens: 0,
    });
  });
});

describe('anthropicServiceTier', () => {
  it('keeps the tiers API.md knows', () => {
    expect(anthropicServiceTier('priority')).toBe('priority');
    expect(anthropicServiceTier('standard')).toBe('standard');
    expect(anthropicServiceTier(null)).toBeUndefined();
  });
});
