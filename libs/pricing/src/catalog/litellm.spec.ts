import { describe, expect, it } from 'vitest';
import { buildPricer } from '../pricer';
import { event, tableOf } from '../testing/fixtures';
import sample from '../testing/litellm-sample.json';
import { convertLiteLLM, litellmProvider } from './litellm';

describe('LiteLLM price files', () => {
  const converted = convertLiteLLM(sample, 'litellm-sample.json');

  it('converts per-token prices to per-million cards, with tiers, cache and batch prices', () => {
    const byKey = Object.fromEntries(converted.rates.map((r) => [`${r.provider}/${r.model}`, r]));
    expect(byKey['openai/gpt-4o']).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      match: { exact: ['gpt-4o'] },
      prices: {
        input: '2.5',
        cacheRead: '1.25',
        output: '10',
        serviceTiers: { batch: { input: '1.25', output: '5' } },
      },
      source: 'litellm-sample.json',
    });
    expect(byKey['anthropic/claude-sonnet-4-5']!.prices).toEqual({
      input: '3',
      output: '15',
      cacheRead: '0.3',
      cacheWrite: '3.75',
      cacheWrite1h: '6',
      tiers: [{ aboveInputTokens: 200000, input: '6', output: '22.5', cacheRead: '0.6', cacheWrite: '7.5' }],
    });
    // The provider prefix goes; the full key stays an alias. Float artefacts are dropped.
    expect(byKey['fireworks/accounts/fireworks/models/deepseek-v4-pro']!.match.exact).toEqual([
      'accounts/fireworks/models/deepseek-v4-pro',
      'fireworks_ai/accounts/fireworks/models/deepseek-v4-pro',
    ]);
    expect(byKey['azure/gpt-4o']!.prices).toEqual({ input: '2.75', output: '11' });
    expect(byKey['my-company/llama-internal']!.prices).toEqual({ input: '0.3', output: '0.6' });
    expect(byKey['openai/text-embedding-3-small']!.prices).toEqual({ input: '0.02' });
  });

  it('reports every entry it skipped, with the reason', () => {
    expect(converted.entries).toBe(9);
    expect(converted.skipped).toEqual([
      { key: 'dall-e-3', reason: 'no per-token prices (mode image_generation): usage events carry tokens' },
      { key: 'broken-model', reason: 'input_cost_per_token is not a non-negative number' },
      {
        key: 'openai/gpt-4o',
        reason:
          'same model as "gpt-4o" (provider openai, model gpt-4o) with other prices; the first entry is kept',
      },
    ]);
    expect(converted.rates).toHaveLength(6);
  });

  it('prices events with the imported cards', () => {
    const pricer = buildPricer(tableOf(converted.rates));
    const r = pricer.price(
      event('anthropic', 'claude-sonnet-4-5', {
        inputTokens: 250_000,
        outputTokens: 1_000,
        cacheReadTokens: 50_000,
      }),
      null,
    );
    // Above 200K: 200,000 × $6 + 50,000 × $0.6 + 1,000 × $22.5.
    expect(r.totalUsd!.toFixed()).toBe('1.2525');
    expect(r.flags).toEqual(['tier:>200000']);
  });

  it('rejects a file that is not LiteLLM’s shape', () => {
    expect(() => convertLiteLLM([1, 2], 'x')).toThrow(/file: must be a JSON object of model name → prices/);
  });

  it('maps LiteLLM provider names onto catalog ids', () => {
    expect(litellmProvider('vertex_ai-language-models')).toBe('google');
    expect(litellmProvider('fireworks_ai')).toBe('fireworks');
    expect(litellmProvider('bedrock_converse')).toBe('aws');
    expect(litellmProvider('Some Provider')).toBe('some-provider');
  });
});
