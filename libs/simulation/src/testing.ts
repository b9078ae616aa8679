import { Usd } from '@tokenledger/pricing';
import { floorOf, windowMinuteOf } from './layout';
import type { MixLayout, TrafficSlice } from './traffic';

/** One request as the traffic mix sees it (tests and brute-force checks). */
export interface MixEvent {
  occurredAt: string;
  provider: string;
  model: string;
  feature: string;
  inputModalities: string[];
  serviceTier: string;
  priced: boolean;
  costUsd: string | null;
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
    cacheWrite1hTokens: number;
    reasoningTokens: number;
    inputAudioTokens: number;
    outputAudioTokens: number;
    inputImageTokens: number;
  };
}

/**
 * Folds events into traffic-mix slices exactly as the database companion does (libs/db's trigger):
 * the reference the SQL is checked against, and a way for unit tests to build slices.
 */
export function foldIntoSlices(events: readonly MixEvent[], layout: MixLayout): TrafficSlice[] {
  const slices = new Map<string, TrafficSlice>();
  for (const e of events) {
    const ms = Date.parse(e.occurredAt);
    const modalities = [...new Set(e.inputModalities)].sort();
    const s: Omit<TrafficSlice, 'requests' | 'pricedRequests' | 'costUsd' | keyof MixEvent['usage']> = {
      day: new Date(ms).toISOString().slice(0, 10),
      provider: e.provider,
      model: e.model,
      feature: e.feature,
      inputMin: floorOf(layout.inputFloors, e.usage.inputTokens),
      outputMin: floorOf(layout.outputFloors, e.usage.outputTokens),
      modalities,
      serviceTier: e.serviceTier,
      windowMinute: windowMinuteOf(layout, ms),
    };
    const key = JSON.stringify(s);
    let slice = slices.get(key);
    if (!slice) {
      slice = {
        ...s,
        requests: 0,
        pricedRequests: 0,
        costUsd: new Usd(0),
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
        inputAudioTokens: 0,
        outputAudioTokens: 0,
        inputImageTokens: 0,
      };
      slices.set(key, slice);
    }
    slice.requests++;
    if (e.priced) {
      slice.pricedRequests++;
      slice.costUsd = slice.costUsd.plus(e.costUsd ?? 0);
    }
    for (const k of Object.keys(e.usage) as (keyof MixEvent['usage'])[]) slice[k] += e.usage[k];
  }
  return [...slices.values()];
}
