import { describe, expect, it } from 'vitest';
import { validateUsageEvent, validateUsageEventBySchema } from './usage-event';
import { quickParse } from './usage-event.quick';
import {
  MAX_INT4,
  MIN_OCCURRED_AT,
  tagKeyProblem,
  timestampProblem,
  unstorableText,
} from './usage-event.rules';

// Issue 13, items 3 and 4: whatever validation accepts, the store holds exactly as sent.

const NOW = new Date('2026-06-01T12:00:00Z');

const event = (overrides: Record<string, unknown> = {}) => ({
  eventId: 'req_1',
  occurredAt: '2026-06-01T11:59:00Z',
  provider: 'openai',
  model: 'gpt-5.5',
  usage: { inputTokens: 120000, outputTokens: 4000 },
  ...overrides,
});

/** The errors of both validation paths (quick then schema, and schema alone), which must agree. */
function errorsOf(raw: unknown) {
  const result = validateUsageEvent(raw, NOW);
  const bySchema = validateUsageEventBySchema(raw, NOW);
  expect(result).toEqual(bySchema);
  expect(quickParse(raw)).toBeNull();
  if (result.ok) throw new Error(`expected a rejection of ${JSON.stringify(raw)}`);
  return result.errors;
}

const NUL = 'a\u0000b';
const HIGH = 'a\uD800b'; // a high surrogate with no low one after it
const LOW = '\uDC00z'; // a low surrogate with no high one before it
const REVERSED = '\uDC00\uD800'; // both halves, in the wrong order
const BIDI = [
  'gpt-5.5\u202e: 3 requests', // RIGHT-TO-LEFT OVERRIDE, the one that flips a dashboard row
  '\u202aa',
  '\u202bb',
  '\u202cc',
  '\u202dd',
  'x\u2066',
  'x\u2067',
  'x\u2068',
  'x\u2069',
  'l\u200em',
  'r\u200fm',
  'arabic\u061cmark',
];
const UNSTORABLE = [NUL, HIGH, LOW, REVERSED, '\u0000', '\uD83D', ...BIDI];

describe('strings the store cannot hold are rejected, naming the field', () => {
  const fields = ['eventId', 'model', 'feature', 'customerId', 'environment'];
  for (const field of fields)
    it.each(UNSTORABLE)(`${field} = %j`, (value) => {
      const errors = errorsOf(event({ [field]: value }));
      expect(errors).toContainEqual({ path: field, message: unstorableText(value) });
    });

  it.each(UNSTORABLE)('a tag value %j', (value) => {
    const errors = errorsOf(event({ tags: { team: value } }));
    expect(errors).toContainEqual({ path: 'tags.team', message: unstorableText(value) });
  });

  it.each(UNSTORABLE)('a tag key %j', (key) => {
    const errors = errorsOf(event({ tags: { [key]: 'v' } }));
    expect(errors).toContainEqual({ path: `tags.${key}`, message: `tag keys ${unstorableText(key)}` });
  });

  it('names the bidi control it found and where', () => {
    const errors = errorsOf(event({ model: 'gpt-5.5\u202e: 3 requests' }));
    expect(errors).toContainEqual({
      path: 'model',
      message: 'must not contain Unicode bidirectional control characters (found U+202E at position 7)',
    });
  });

  it('keeps right-to-left text itself (Arabic, Hebrew): only the invisible controls are refused', () => {
    expect(unstorableText('عميل-ACME')).toBeNull();
    expect(unstorableText('לקוח')).toBeNull();
  });

  it('the tag key __proto__, which an object would silently drop', () => {
    const errors = errorsOf(event({ tags: JSON.parse('{"__proto__": "x", "a": "b"}') }));
    expect(errors).toContainEqual({ path: 'tags.__proto__', message: 'tag key "__proto__" is reserved' });
  });

  it('names empty and long tag keys', () => {
    expect(errorsOf(event({ tags: { '': 'v' } }))).toContainEqual({
      path: 'tags.',
      message: 'tag keys must not be empty',
    });
    expect(errorsOf(event({ tags: { ['k'.repeat(65)]: 'v' } }))).toContainEqual({
      path: `tags.${'k'.repeat(65)}`,
      message: 'tag keys must be at most 64 characters',
    });
  });

  it('accepts well-formed text of every plane, surrogate pairs included, exactly as sent', () => {
    const text = 'é 中文 😀 \uD83D\uDE00 \u200B \uFFFF \t\n';
    const result = validateUsageEvent(
      event({
        eventId: text,
        model: text,
        feature: text,
        customerId: text,
        environment: text,
        tags: { [text]: text },
      }),
      NOW,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event).toMatchObject({
      eventId: text,
      model: text,
      feature: text,
      customerId: text,
      environment: text,
      tags: { [text]: text },
    });
  });

  it('unstorableText and tagKeyProblem say null to storable text', () => {
    expect(unstorableText('plain')).toBeNull();
    expect(unstorableText('\uD83D\uDE00')).toBeNull();
    expect(tagKeyProblem('team')).toBeNull();
  });
});

describe('numbers beyond their column are rejected, naming the field', () => {
  it('latencyMs above a PostgreSQL integer', () => {
    expect(errorsOf(event({ latencyMs: MAX_INT4 + 1 }))).toEqual([
      { path: 'latencyMs', message: `must be at most ${MAX_INT4}` },
    ]);
    expect(errorsOf(event({ latencyMs: 2 ** 53 }))).toContainEqual({
      path: 'latencyMs',
      message: `must be at most ${MAX_INT4}`,
    });
  });

  it('latencyMs at the column maximum is taken', () => {
    const result = validateUsageEvent(event({ latencyMs: MAX_INT4 }), NOW);
    expect(result.ok && result.event.latencyMs).toBe(MAX_INT4);
  });
});

describe('occurredAt is a real calendar instant, not before 2000', () => {
  it.each([
    ['2026-02-30T00:00:00Z', 'is not a valid date: 2026-02 has 28 days'],
    ['2026-02-29T00:00:00Z', 'is not a valid date: 2026-02 has 28 days'],
    ['2026-04-31T00:00:00Z', 'is not a valid date: 2026-04 has 30 days'],
    ['2025-06-01T24:00:00Z', 'is not a valid date'],
    ['2025-06-01T12:60:00Z', 'is not a valid date'],
    ['0001-01-01T00:00:00Z', `must be on or after ${MIN_OCCURRED_AT}`],
    ['1999-12-31T23:59:59.999Z', `must be on or after ${MIN_OCCURRED_AT}`],
    ['2000-01-01T00:30:00+01:00', `must be on or after ${MIN_OCCURRED_AT}`],
  ])('rejects %s: %s', (occurredAt, message) => {
    expect(errorsOf(event({ occurredAt }))).toEqual([{ path: 'occurredAt', message }]);
  });

  it.each([
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2000-01-01T00:00:00Z',
    '1999-12-31T23:00:00-01:00',
  ])('accepts %s', (occurredAt) => {
    expect(timestampProblem(occurredAt)).toBeNull();
    expect(validateUsageEvent(event({ occurredAt }), NOW).ok).toBe(true);
  });

  it('keeps the existing message for a date Date.parse cannot read', () => {
    expect(errorsOf(event({ occurredAt: '2026-13-45T12:00:00Z' }))).toEqual([
      { path: 'occurredAt', message: 'is not a valid date' },
    ]);
  });
});
