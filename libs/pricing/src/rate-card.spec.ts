import { describe, expect, it } from 'vitest';
import { parseModelMatch, parseRate, parseRateCard } from './rate-card';

const errors = (raw: unknown) => {
  const r = parseRateCard(raw);
  return r.ok ? [] : r.errors;
};

describe('rate cards', () => {
  it('accepts prices as decimal strings or numbers and writes them canonically', () => {
    const r = parseRateCard({
      input: 5,
      output: '30.00',
      cacheRead: 1e-7,
      tiers: [{ aboveInputTokens: 272000, input: '10' }],
    });
    expect(r).toEqual({
      ok: true,
      value: {
        input: '5',
        output: '30',
        cacheRead: '0.0000001',
        tiers: [{ aboveInputTokens: 272000, input: '10' }],
      },
    });
  });

  it('names the field of every problem', () => {
    expect(errors({ input: '-1', output: 'cheap' })).toEqual([
      { path: 'prices.input', message: 'must be a non-negative decimal of USD, e.g. "2.5"' },
      { path: 'prices.output', message: 'must be a non-negative decimal of USD, e.g. "2.5"' },
    ]);
    expect(errors({ input_mtok: 5 })).toEqual([
      {
        path: 'prices.input_mtok',
        message:
          'unknown field (token prices are input, output, cacheRead, cacheWrite, cacheWrite1h, reasoning, inputAudio, outputAudio, inputImage, request, USD per 1M tokens; other units go in "other")',
      },
    ]);
    expect(
      errors({ input: '1', tiers: [{ aboveInputTokens: 200000 }, { aboveInputTokens: 100000 }] }),
    ).toEqual([
      {
        path: 'prices.tiers[1].aboveInputTokens',
        message: 'tiers must be in increasing order of aboveInputTokens',
      },
    ]);
    expect(
      errors({
        input: '1',
        rules: [{ when: { timeOfDay: { start: '01:00', end: '01:00' }, weekdays: [8] }, input: '2' }],
      }),
    ).toEqual([
      {
        path: 'prices.rules[0].when.timeOfDay.end',
        message: 'start and end must differ (a window from 22:00 to 02:00 wraps midnight)',
      },
      {
        path: 'prices.rules[0].when.weekdays[0]',
        message: 'must be ISO weekday numbers, 1 = Monday … 7 = Sunday',
      },
    ]);
    expect(errors({ input: '1', rules: [{ when: {}, input: '2' }] })).toEqual([
      { path: 'prices.rules[0].when', message: 'must give at least one of from, until, timeOfDay, weekdays' },
    ]);
    expect(errors({ input: '1', rules: [{ when: { from: '2026-09-01', until: '2026-08-01' } }] })).toEqual([
      { path: 'prices.rules[0].when.until', message: 'must be after from' },
    ]);
    expect(errors({ input: '1', serviceTiers: { turbo: { multiplier: '2' } } })).toEqual([
      { path: 'prices.serviceTiers.turbo', message: 'unknown service tier (batch, flex, priority)' },
    ]);
  });

  it('refuses a card that prices nothing, unless a note says why', () => {
    expect(errors({})[0]!.message).toMatch(/^gives no price/);
    expect(parseRateCard({ notes: 'price not published' }).ok).toBe(true);
  });

  it('takes a discount as an adjustment of 0 to 100 percent', () => {
    expect(parseRateCard({ discountPercent: '12.5' })).toEqual({
      ok: true,
      value: { discountPercent: '12.5' },
    });
    expect(errors({ discountPercent: '120' })).toEqual([
      { path: 'prices.discountPercent', message: 'must be between 0 and 100' },
    ]);
    expect(errors({ discountPercent: '10', input: '1' })).toEqual([
      { path: 'prices.input', message: 'unknown field' },
    ]);
  });
});

describe('model matches', () => {
  it('validates names and patterns, naming the field', () => {
    expect(parseModelMatch({ exact: ['gpt-5.5'], patterns: [{ startsWith: 'gpt-5.5-' }] }).ok).toBe(true);
    expect(parseModelMatch({ patterns: [{ regex: '(' }] })).toMatchObject({
      ok: false,
      errors: [{ path: 'match.patterns[0].regex' }],
    });
    expect(parseModelMatch({ patterns: [{ startsWith: 'a', endsWith: 'b' }] })).toMatchObject({
      ok: false,
      errors: [
        {
          path: 'match.patterns[0]',
          message: 'must have exactly one of equals, startsWith, endsWith, contains, regex, allOf, anyOf',
        },
      ],
    });
    expect(parseModelMatch({})).toMatchObject({
      ok: false,
      errors: [{ path: 'match', message: expect.stringMatching(/^matches nothing/) }],
    });
    expect(parseModelMatch({ exact: [''] })).toMatchObject({
      ok: false,
      errors: [{ path: 'match.exact[0]' }],
    });
  });
});

describe('rates', () => {
  it('validates a whole rate under a prefix', () => {
    const r = parseRate(
      { provider: 'OpenAI', model: '', match: { exact: ['x'] }, prices: { input: '1' }, source: '' },
      'rates[2]',
    );
    expect(r).toMatchObject({
      ok: false,
      errors: [
        { path: 'rates[2].provider', message: 'must be a lower-case provider id, e.g. "openai"' },
        { path: 'rates[2].model' },
        { path: 'rates[2].source' },
      ],
    });
  });
});
