import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCENARIO,
  fromDefinition,
  fromRecommendation,
  newMove,
  parseMove,
  parseScenario,
  serializeScenario,
  toScenarioInput,
  writeMove,
  type ScenarioState,
} from './scenario-state';

const parse = (q: string) => parseScenario(new URLSearchParams(q));
const NOW = new Date('2026-11-20T15:00:00Z');

describe('scenario state in the URL', () => {
  it('an empty query is the default scenario', () => {
    expect(parse('')).toEqual(DEFAULT_SCENARIO);
  });

  it('round-trips a full scenario through the query string', () => {
    const state: ScenarioState = {
      range: { preset: 'custom', from: '2026-10-01', to: '2026-10-31' },
      prices: 'TODAY',
      benchmark: 'aider-polyglot',
      features: ['support-chat', ''],
      projects: ['web'],
      tolerance: 5,
      saved: '6f1c1f0e-0000-4000-8000-000000000001',
      moves: [
        newMove({
          fromProvider: 'openai',
          fromModel: 'gpt-5.5',
          toProvider: 'deepseek',
          toModel: 'deepseek-v4-pro',
          share: 0.5,
          maxPromptTokens: 8000,
          tier: 'BATCH',
          input: { mode: 'FIXED', value: 1.1 },
          output: { mode: 'CALIBRATED' },
          cache: { mode: 'SHARE', share: 0.3 },
          capabilities: ['computer-use', 'vision'],
        }),
        // Every model, to a model whose name has a slash of its own.
        newMove({ toProvider: 'openrouter', toModel: 'meta-llama/llama-4', cache: { mode: 'NONE' } }),
        // One model from any provider.
        newMove({ fromModel: 'claude-x', toProvider: 'anthropic', toModel: 'claude-y' }),
      ],
    };
    expect(parse(serializeScenario(state).toString())).toEqual(state);
  });

  it('writes a move compactly and leaves defaults out', () => {
    expect(
      writeMove(newMove({ fromProvider: 'openai', fromModel: 'gpt-5.5', toProvider: 'd', toModel: 'm' })),
    ).toBe('openai/gpt-5.5>d/m');
    expect(serializeScenario(DEFAULT_SCENARIO).toString()).toBe('range=30d');
  });

  it('keeps a move whose target is not chosen yet, and leaves it out of the simulation', () => {
    const state = { ...DEFAULT_SCENARIO, moves: [newMove({ fromProvider: 'openai', fromModel: 'gpt-5.5' })] };
    const query = serializeScenario(state).toString();
    expect(query).toBe('range=30d&move=openai%2Fgpt-5.5%3E');
    expect(parse(query)).toEqual(state);
    expect(toScenarioInput(parse(query), NOW).moves).toEqual([]);
  });

  it('drops what it cannot read instead of failing', () => {
    expect(parseMove('no-arrow')).toBeNull();
    expect(parseMove('a/b>nomodel')).toBeNull();
    expect(parseMove('x>d/m')).toBeNull();
    const m = parseMove('*>d/m;share:7;max:-3;tier:CHEAP;in:0;out:abc;cache:2;junk')!;
    expect(m).toEqual(newMove({ toProvider: 'd', toModel: 'm' }));
    const s = parse('range=nope&prices=FREE&tol=-1&move=bad&move=*>d/m');
    expect(s.range).toEqual({ preset: '30d' });
    expect(s.prices).toBe('EVENT_TIME');
    expect(s.tolerance).toBe(2);
    expect(s.moves).toHaveLength(1);
  });
});

describe('scenario state → simulate input', () => {
  it('maps every option and resolves the range in whole UTC days', () => {
    const state = parse(
      'range=custom&from=2026-10-01&to=2026-10-31&feature=support-chat&project=web&prices=TODAY' +
        '&move=' +
        encodeURIComponent(
          'openai/gpt-5.5>deepseek/deepseek-v4-pro;share:0.25;max:4000;tier:FLEX;in:0.9;out:cal;cache:0.5;cap:computer-use',
        ),
    );
    expect(toScenarioInput(state, NOW)).toEqual({
      filter: {
        from: '2026-10-01T00:00:00.000Z',
        to: '2026-11-01T00:00:00.000Z',
        features: ['support-chat'],
        projects: ['web'],
      },
      moves: [
        {
          fromProvider: 'openai',
          fromModel: 'gpt-5.5',
          toProvider: 'deepseek',
          toModel: 'deepseek-v4-pro',
          share: 0.25,
          maxPromptTokens: 4000,
          serviceTier: 'FLEX',
          inputEfficiency: { mode: 'FIXED', value: 0.9 },
          outputEfficiency: { mode: 'CALIBRATED' },
          cache: { mode: 'SHARE', share: 0.5 },
          requiredCapabilities: ['computer-use'],
        },
      ],
      prices: 'TODAY',
      benchmark: 'swe-bench-pro',
    });
  });

  it('leaves defaults to the API and unfinished moves out', () => {
    const input = toScenarioInput(
      { ...DEFAULT_SCENARIO, moves: [newMove({ toProvider: 'd', toModel: 'm' }), newMove()] },
      NOW,
    );
    expect(input.moves).toEqual([{ toProvider: 'd', toModel: 'm' }]);
    expect(input.filter).toEqual({ from: '2026-10-22T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' });
  });

  it('a saved definition opens as the same scenario (instants back to UTC days)', () => {
    const state = parse(
      'range=custom&from=2026-10-01&to=2026-10-31&feature=a&move=' +
        encodeURIComponent('*/gpt-5.5>deepseek/deepseek-v4-pro;share:0.5;out:1.3;cache:none;tier:BATCH'),
    );
    // What the API stores: the input as JSON, with nulls for what was not given.
    const definition = JSON.parse(
      JSON.stringify({ ...toScenarioInput(state, NOW), featureBenchmarks: null }),
    ) as unknown;
    expect(fromDefinition(definition, 'id-1')).toEqual({ ...state, saved: 'id-1' });
    expect(fromDefinition(null)).toEqual(DEFAULT_SCENARIO);
  });

  it('a recommendation opens as a one-move scenario on its feature', () => {
    const state = fromRecommendation(
      { ...DEFAULT_SCENARIO, range: { preset: '90d' }, saved: 'x', moves: [newMove()] },
      {
        feature: 'support-chat',
        sourceProvider: 'openai',
        sourceModel: 'gpt-5.5',
        targetProvider: 'deepseek',
        targetModel: 'deepseek-v4-pro',
      },
    );
    expect(serializeScenario(state).toString()).toBe(
      'range=90d&feature=support-chat&move=openai%2Fgpt-5.5%3Edeepseek%2Fdeepseek-v4-pro',
    );
  });
});
