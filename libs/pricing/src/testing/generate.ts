import type { Provider } from '@pydantic/genai-prices';
import type { UsageEvent } from '@tokenledger/contracts';
import type { MatchLogic } from '@pydantic/genai-prices';

/**
 * Deterministic generated events across the whole genai-prices catalog, shared by the cross-check
 * test and the benchmark (bench/pricing.bench.ts): the same seed gives the same events.
 */

/** mulberry32: a small, fast, seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Names a match would accept, built from its literals (regexes are skipped: no generator for them). */
export function probeNames(logic: MatchLogic, random: () => number): string[] {
  if ('or' in logic) return logic.or.flatMap((l) => probeNames(l, random));
  if ('and' in logic) {
    // A name containing every literal of the conjunction, when they are plain strings.
    const parts = logic.and.map((l) => probeNames(l, random)[0]);
    return parts.every((p) => p !== undefined) ? [parts.join('-')] : [];
  }
  if ('equals' in logic) return [logic.equals];
  if ('starts_with' in logic)
    return [logic.starts_with, `${logic.starts_with}${random() < 0.5 ? '-2025-06-01' : '-latest'}`];
  if ('ends_with' in logic) return [`x-${logic.ends_with}`];
  if ('contains' in logic) return [`my-${logic.contains}-model`];
  return [];
}

export interface Target {
  provider: string;
  name: string;
  modelId: string;
}

/** One (provider, model name) per model of the catalog (two for prefix matches), in catalog order. */
export function catalogTargets(providers: readonly Provider[], seed = 7): Target[] {
  const random = rng(seed);
  const targets: Target[] = [];
  for (const p of providers)
    for (const m of p.models)
      for (const name of new Set(probeNames(m.match, random)).values())
        targets.push({ provider: p.id, name, modelId: m.id });
  return targets;
}

const THRESHOLDS = [128_000, 200_000, 256_000, 271_999, 272_000, 1_000_000];
const FROM = Date.parse('2024-01-01T00:00:00Z');
const TO = Date.parse('2027-06-01T00:00:00Z');

function int(random: () => number, max: number): number {
  return Math.floor(random() * (max + 1));
}

/** Usage with every token kind, parts inside their totals and disjoint (no cached audio). */
export function randomUsage(random: () => number): UsageEvent['usage'] {
  const r = random();
  const inputTokens =
    r < 0.15
      ? THRESHOLDS[int(random, THRESHOLDS.length - 1)]! + int(random, 2) - 1
      : r < 0.6
        ? int(random, 20_000)
        : int(random, 400_000);
  const outputTokens = random() < 0.05 ? 0 : int(random, 30_000);
  let left = inputTokens;
  const take = (p: number, share: number) => {
    if (random() > p) return 0;
    const n = int(random, Math.floor(left * share));
    left -= n;
    return n;
  };
  const cacheReadTokens = take(0.6, 0.9);
  const cacheWriteTokens = take(0.3, 0.5);
  const cacheWrite1hTokens = take(0.15, 0.5);
  const inputAudioTokens = take(0.1, 0.5);
  const inputImageTokens = take(0.1, 0.5);
  let outLeft = outputTokens;
  const reasoningTokens = random() < 0.4 ? int(random, outLeft) : 0;
  outLeft -= reasoningTokens;
  const outputAudioTokens = random() < 0.1 ? int(random, outLeft) : 0;
  return {
    inputTokens,
    outputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    cacheWrite1hTokens,
    reasoningTokens,
    inputAudioTokens,
    outputAudioTokens,
    inputImageTokens,
  };
}

export function randomInstant(random: () => number): string {
  // Whole seconds, as most clients report them; a tenth fall on a minute boundary.
  let ms = FROM + Math.floor(random() * (TO - FROM));
  ms -= ms % 1000;
  if (random() < 0.1) ms -= ms % 60_000;
  return new Date(ms).toISOString();
}

export function makeEvent(
  index: number,
  target: Pick<Target, 'provider' | 'name'>,
  usage: UsageEvent['usage'],
  occurredAt: string,
): UsageEvent {
  return {
    eventId: `gen-${index}`,
    occurredAt,
    provider: target.provider,
    model: target.name,
    usage,
    serviceTier: 'standard',
    feature: null,
    customerId: null,
    environment: 'production',
    inputModalities: ['text'],
    latencyMs: null,
    status: 'success',
    tags: {},
  };
}

/** `count` events cycling through every catalog target, with random usage and timestamps. */
export function generateEvents(providers: readonly Provider[], count: number, seed = 42): UsageEvent[] {
  const targets = catalogTargets(providers, seed);
  const random = rng(seed);
  const events: UsageEvent[] = [];
  for (let i = 0; i < count; i++) {
    const target = targets[i % targets.length]!;
    events.push(makeEvent(i, target, randomUsage(random), randomInstant(random)));
  }
  return events;
}

/** The usage genai-prices' calcPrice expects for an event (cache writes include the 1-hour ones). */
export function genaiUsage(u: UsageEvent['usage']): Record<string, number> {
  return {
    input_tokens: u.inputTokens,
    output_tokens: u.outputTokens,
    cache_read_tokens: u.cacheReadTokens,
    cache_write_tokens: u.cacheWriteTokens + u.cacheWrite1hTokens,
    cache_write_1h_tokens: u.cacheWrite1hTokens,
    output_reasoning_tokens: u.reasoningTokens,
    input_audio_tokens: u.inputAudioTokens,
    output_audio_tokens: u.outputAudioTokens,
    input_image_tokens: u.inputImageTokens,
    // Usage events do not say how many cached tokens were audio or image: none, here and in Tokenledger.
    cache_audio_read_tokens: 0,
    cache_image_read_tokens: 0,
  };
}
