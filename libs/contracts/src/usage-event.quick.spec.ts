import { describe, expect, it } from 'vitest';
import { usageEventSchema, validateUsageEvent, validateUsageEventBySchema } from './usage-event';
import { quickParse } from './usage-event.quick';
import { USAGE_FIELDS } from './usage-event.rules';

const NOW = new Date('2026-06-01T12:00:00Z');

/** mulberry32: the same events on every run. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(42);
const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const chance = (p: number) => random() < p;
const text = (n: number) => 'x'.repeat(n);
const odd = () => structuredClone(pick(ODD_VALUES));

/** Values at and around every rule's edges, and of every wrong type. */
const ODD_VALUES = [
  null,
  undefined,
  true,
  0,
  -0,
  -1,
  1.5,
  Number.NaN,
  2 ** 53,
  10_000_000_000,
  10_000_000_001,
  '',
  '1',
  'text',
  [],
  ['text'],
  {},
  { a: 'b' },
  text(64),
  text(65),
  text(128),
  text(129),
  text(256),
  text(257),
  // What the store cannot hold (issue 13): NUL, lone surrogates, a number past an integer column.
  'a\u0000b',
  '\uD800',
  'x\uDC00',
  '\uD83D\uDE00',
  2_147_483_647,
  2_147_483_648,
];

const TIMES = [
  '2026-06-01T11:59:00Z',
  '2026-06-01t11:59:00z',
  '2026-06-01 11:59:00.123456789+02:00',
  '2026-06-01T11:59:00.1234567890Z',
  '2026-02-30T11:59:00Z',
  '2026-13-01T11:59:00Z',
  '2026-06-01T11:59:00',
  '2026-06-01T12:04:59Z',
  '2026-06-01T12:05:01Z',
  'yesterday',
  '2026-06-01T24:00:00Z',
  '2024-02-29T11:59:00Z',
  '1999-12-31T23:59:59Z',
  '0001-01-01T00:00:00Z',
];

/** A valid event, with each optional field present or not. */
function validEvent(i: number): Record<string, unknown> {
  const usage: Record<string, unknown> = { inputTokens: 100_000 + i, outputTokens: 5000 };
  for (const field of USAGE_FIELDS.slice(2)) if (chance(0.3)) usage[field] = Math.floor(random() * 1000);
  const e: Record<string, unknown> = {
    eventId: `evt-${i}`,
    occurredAt: pick(TIMES.slice(0, 3)),
    provider: pick(['openai', 'anthropic', 'deepseek', 'x.ai', 'a-b_c']),
    model: pick(['gpt-5.5', 'claude-opus-4-7', 'deepseek-v4-flash', text(256)]),
    usage,
  };
  if (chance(0.5)) e.serviceTier = pick(['standard', 'batch', 'flex', 'priority']);
  if (chance(0.5)) e.feature = pick(['chat', text(128)]);
  if (chance(0.5)) e.customerId = pick(['acme', '1']);
  if (chance(0.5)) e.environment = pick(['production', text(64)]);
  if (chance(0.3))
    e.inputModalities = pick([['text'], ['image', 'text', 'image'], ['audio', 'video', 'file']]);
  if (chance(0.5)) e.latencyMs = pick([0, 1234]);
  if (chance(0.5)) e.status = pick(['success', 'error']);
  if (chance(0.5))
    e.tags = pick([
      {},
      { team: 'search', '1': 'one', b: text(256) },
      Object.fromEntries(Array.from({ length: 32 }, (_, k) => [`k${k}`, 'v'])),
    ]);
  // Key order as clients send it varies.
  return Object.fromEntries(Object.entries(e).sort(() => random() - 0.5));
}

/** A valid event with one to three things changed to odd values, some of them still valid. */
function oddEvent(i: number): unknown {
  const e = validEvent(i);
  for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
    const where = random();
    if (where < 0.45) e[pick(Object.keys(e).concat(['serviceTier', 'latencyMs', 'tags', 'extra']))] = odd();
    else if (where < 0.7 && typeof e.usage === 'object' && e.usage !== null)
      (e.usage as Record<string, unknown>)[pick([...USAGE_FIELDS, 'totalTokens'])] = odd();
    else if (where < 0.8) e.occurredAt = pick(TIMES);
    else if (where < 0.9)
      e.tags = pick([
        { '': 'v' },
        { [text(64)]: 'v' },
        { [text(65)]: 'v' },
        { k: 1 },
        JSON.parse('{"__proto__": "v"}') as unknown,
        { 'a\u0000': 'v' },
        { '\uDBFF': 'v' },
        { k: 'v\u0000' },
        { k: '\uDFFFv' },
        Object.fromEntries(Array.from({ length: 33 }, (_, k) => [`k${k}`, 'v'])),
      ]);
    else e.inputModalities = pick([[], ['text', 'smell'], 'text', [null]]);
  }
  return chance(0.05) ? pick([null, [], 'event', 42]) : e;
}

describe('quickParse', () => {
  const valid = Array.from({ length: 3000 }, (_, i) => validEvent(i));
  const odds = Array.from({ length: 20_000 }, (_, i) => oddEvent(i));
  // 23,000 events through the schema: seconds on an idle machine, more on a busy one (CI shares it).
  const GENERATED = { timeout: 60_000 };

  it('takes every plainly valid event, exactly as the schema outputs it, keys in the same order', () => {
    for (const raw of valid) {
      const quick = quickParse(raw);
      expect(quick, JSON.stringify(raw)).not.toBeNull();
      const schema = usageEventSchema.parse(raw);
      expect(JSON.stringify(quick)).toBe(JSON.stringify(schema));
      expect(JSON.stringify(Object.keys(quick!))).toBe(JSON.stringify(Object.keys(schema)));
    }
  });

  it('never takes an event the schema rejects, and agrees with it on every one it takes', GENERATED, () => {
    let taken = 0;
    let rejectedBySchema = 0;
    for (const raw of odds) {
      const schema = usageEventSchema.safeParse(raw);
      if (!schema.success) rejectedBySchema++;
      const quick = quickParse(raw);
      if (quick === null) continue;
      taken++;
      expect(schema.success, JSON.stringify(raw)).toBe(true);
      expect(JSON.stringify(quick)).toBe(JSON.stringify(schema.data));
    }
    // The generated events reach both sides of the rules.
    expect(taken).toBeGreaterThan(1000);
    expect(rejectedBySchema).toBeGreaterThan(10_000);
  });

  it('leaves validateUsageEvent’s answers exactly as the schema alone gives them', GENERATED, () => {
    for (const raw of [...valid, ...odds]) {
      const fast = validateUsageEvent(raw, NOW);
      const bySchema = validateUsageEventBySchema(raw, NOW);
      expect(fast).toEqual(bySchema);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(bySchema));
    }
  });
});
