import type { UsageEvent } from '@tokenledger/contracts';
import { Usd, type Pricer } from '@tokenledger/pricing';
import type Decimal from 'decimal.js';
import { bucketMax } from './traffic';

/** Token sums of a slice as they would be on the target (after efficiency, cache and share). */
export interface SliceUsage {
  requests: Decimal;
  inputTokens: Decimal;
  outputTokens: Decimal;
  cacheReadTokens: Decimal;
  cacheWriteTokens: Decimal;
  cacheWrite1hTokens: Decimal;
  reasoningTokens: Decimal;
  inputAudioTokens: Decimal;
  outputAudioTokens: Decimal;
  inputImageTokens: Decimal;
}

export type SliceCost =
  { ok: true; usd: Decimal; rateVersionId: string | null } | { ok: false; reason: string };

type Probe = { ok: true; usd: Decimal; rateVersionId: string | null } | { ok: false; reason: string };

const INPUT_PARTS = [
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'inputAudioTokens',
  'inputImageTokens',
] as const;
const OUTPUT_PARTS = ['reasoningTokens', 'outputAudioTokens'] as const;

/**
 * Prices the sums of a slice of requests with libs/pricing's Pricer — the same cost math as
 * ingestion. Within a bucket every request is on the same side of every tier threshold and in the
 * same time window, so the cost is linear in the token counts there; a few probe requests priced
 * by the Pricer give that linear form exactly:
 *
 *   cost = N·price(R) + (input − N·R)·p_in + output·p_out + Σ part·(p_part − p_parent)
 *
 * with R the bucket's smallest prompt, price(R) one request of R input tokens (request fees
 * included), and each p a difference of two probes. Probes are cached per target, tier, instant
 * and bucket.
 */
/** The probes of one target, tier, instant and prompt size, priced as they are first needed. */
class ProbeSet {
  private readonly cache = new Map<string, Probe>();

  constructor(
    private readonly pricer: Pricer,
    private readonly organizationId: string | null,
    private readonly target: { provider: string; model: string },
    private readonly serviceTier: string,
    private readonly atIso: string,
  ) {}

  get(input: number, part: string | null, output: 0 | 1): Probe {
    const key = `${input}|${part ?? ''}|${output}`;
    let hit = this.cache.get(key);
    if (!hit) {
      const extra: Partial<Record<string, number>> = { outputTokens: output };
      if (part) extra[part] = 1;
      const result = this.pricer.price(
        probeEvent(this.target, this.serviceTier, this.atIso, input, extra),
        this.organizationId,
      );
      hit =
        result.status === 'priced' && result.totalUsd
          ? { ok: true, usd: new Usd(result.totalUsd), rateVersionId: result.rateVersionId }
          : { ok: false, reason: result.reason ?? result.status };
      this.cache.set(key, hit);
    }
    return hit;
  }
}

/**
 * Prices the sums of a slice of requests with libs/pricing's Pricer — the same cost math as
 * ingestion. Within a bucket every request is on the same side of every tier threshold and in the
 * same time window, so the cost is linear in the token counts there; a few probe requests priced
 * by the Pricer give that linear form exactly:
 *
 *   cost = N·price(R) + (input − N·R)·p_in + output·p_out + Σ part·(p_part − p_parent)
 *
 * with R the bucket's smallest prompt, price(R) one request of R input tokens (request fees
 * included), and each p a difference of two probes. Probes are cached per target, tier, instant
 * and bucket.
 */
export class SlicePricer {
  private readonly sets = new Map<string, ProbeSet>();

  constructor(
    private readonly pricer: Pricer,
    private readonly organizationId: string | null,
    private readonly inputFloors: readonly number[],
  ) {}

  price(
    target: { provider: string; model: string },
    serviceTier: string,
    atIso: string,
    inputMin: number,
    usage: SliceUsage,
  ): SliceCost {
    const r = Math.max(inputMin, 1);
    const max = bucketMax(this.inputFloors, inputMin);
    const setKey = `${target.provider}\n${target.model}\n${serviceTier}\n${atIso}`;
    let set = this.sets.get(setKey);
    if (!set)
      this.sets.set(
        setKey,
        (set = new ProbeSet(this.pricer, this.organizationId, target, serviceTier, atIso)),
      );
    const base = set.get(r, null, 0);
    if (!base.ok) return base;
    let usd = base.usd.times(usage.requests);
    const extraInput = usage.inputTokens.minus(usage.requests.times(r));
    if (!extraInput.isZero()) {
      // One more prompt token in the same bucket; a one-token bucket is priced at its neighbour's rate.
      const next = max >= r + 1 ? set.get(r + 1, null, 0) : set.get(r - 1, null, 0);
      if (!next.ok) return next;
      const perInput = max >= r + 1 ? next.usd.minus(base.usd) : base.usd.minus(next.usd);
      usd = usd.plus(extraInput.times(perInput));
    }
    for (const part of INPUT_PARTS) {
      if (usage[part].isZero()) continue;
      const p = set.get(r, part, 0);
      if (!p.ok) return p;
      usd = usd.plus(usage[part].times(p.usd.minus(base.usd)));
    }
    const needsOutput = !usage.outputTokens.isZero() || OUTPUT_PARTS.some((k) => !usage[k].isZero());
    if (needsOutput) {
      const out = set.get(r, null, 1);
      if (!out.ok) return out;
      usd = usd.plus(usage.outputTokens.times(out.usd.minus(base.usd)));
      for (const part of OUTPUT_PARTS) {
        if (usage[part].isZero()) continue;
        const p = set.get(r, part, 1);
        if (!p.ok) return p;
        usd = usd.plus(usage[part].times(p.usd.minus(out.usd)));
      }
    }
    return { ok: true, usd, rateVersionId: base.rateVersionId };
  }
}
function probeEvent(
  target: { provider: string; model: string },
  serviceTier: string,
  atIso: string,
  inputTokens: number,
  extra: Partial<Record<string, number>>,
): UsageEvent {
  return {
    eventId: 'simulation-probe',
    occurredAt: atIso,
    provider: target.provider,
    model: target.model,
    usage: {
      inputTokens,
      outputTokens: extra.outputTokens ?? 0,
      cacheReadTokens: extra.cacheReadTokens ?? 0,
      cacheWriteTokens: extra.cacheWriteTokens ?? 0,
      cacheWrite1hTokens: extra.cacheWrite1hTokens ?? 0,
      reasoningTokens: extra.reasoningTokens ?? 0,
      inputAudioTokens: extra.inputAudioTokens ?? 0,
      outputAudioTokens: extra.outputAudioTokens ?? 0,
      inputImageTokens: extra.inputImageTokens ?? 0,
    },
    serviceTier: serviceTier as UsageEvent['serviceTier'],
    feature: null,
    customerId: null,
    environment: 'production',
    inputModalities: ['text'],
    latencyMs: null,
    status: 'success',
    tags: {},
  };
}
