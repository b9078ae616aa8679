import { describe, expect, it } from 'vitest';
import { openAIServiceTier, usageFromChatCompletion, usageFromResponse } from './openai.js';

describe('usageFromChatCompletion', () => {
  it('maps cached input, cache writes, reasoning, audio and image parts, which OpenAI includes in totals', () => {
    expect(
      usageFromChatCompletion({
        prompt_tokens: 2048,
        completion_tokens: 900,
        prompt_tokens_details: {
          cached_tokens: 1024,
          cache_write_tokens: 512,
          audio_tokens: 100,
          image_tokens: 300,
        },
        completion_tokens_details: {
          reasoning_tokens: 640,
          audio_tokens: 50,
          accepted_prediction_tokens: 0,
        } as never,
      }),
    ).toEqual({
      inputTokens: 2048,
      outputTokens: 900,
      cacheReadTokens: 1024,
      cacheWriteTokens: 512,
      inputAudioTokens: 100,
      inputImageTokens: 300,
      reasoningTokens: 640,
      outputAudioTokens: 50,
    });
  });

  it('omits zero and missing parts', () => {
    expect(
      usageFromChatCompletion({
        prompt_tokens: 12,
        completion_tokens: 3,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: null,
      }),
    ).toEqual({ inputTokens: 12, outputTokens: 3 });
  });

  it('clamps a part larger than its total, which the API would reject', () => {
    expect(
      usageFromChatCompletion({
        prompt_tokens: 10,
        completion_tokens: 5,
        completion_tokens_details: { reasoning_tokens: 9 },
      }),
    ).toEqual({ inputTokens: 10, outputTokens: 5, reasoningTokens: 5 });
  });
});

describe('usageFromResponse', () => {
  it('maps the Responses API usage', () => {
    expect(
      usageFromResponse({
        input_tokens: 5000,
        output_tokens: 1200,
        input_tokens_details: { cached_tokens: 4096, cache_write_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 1024 },
      }),
    ).toEqual({ inputTokens: 5000, outputTokens: 1200, cacheReadTokens: 4096, reasoningTokens: 1024 });
  });
});

describe('openAIServiceTier', () => {
  it('maps what the request ran on to API.md tiers', () => {
    expect(openAIServiceTier('default')).toBe('standard');
    expect(openAIServiceTier('flex')).toBe('flex');
    expect(openAIServiceTier('priority')).toBe('priority');
    expect(openAIServiceTier(null)).toBeUndefined();
  });
});
