import { seededRandom } from './random';

/** Tokens and requests of one model on one feature on one day (from the daily rollups). */
export interface DailyUsage {
  day: string;
  feature: string;
  provider: string;
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export interface Ratio {
  ratio: number;
  low: number;
  high: number;
}

export interface Calibration {
  feature: string;
  source: { provider: string; model: string };
  target: { provider: string; model: string };
  input: Ratio;
  output: Ratio;
  sourceDays: number;
  targetDays: number;
  sourceRequests: number;
  targetRequests: number;
  method: string;
}

export const CALIBRATION_METHOD =
  'ratio of mean tokens per request (target ÷ source) on the same feature; 95% percentile bootstrap over days (1,000 resamples)';

const RESAMPLES = 1000;

/**
 * How many tokens the target used per request, relative to the source, where both served the same
 * feature: the ratio of means, and a 95% interval by resampling days of each model independently.
 * Null when either model has fewer than two days of traffic on the feature.
 */
export function calibrate(
  source: readonly DailyUsage[],
  target: readonly DailyUsage[],
  seed: number,
): Omit<Calibration, 'feature' | 'source' | 'target'> | null {
  const s = source.filter((d) => d.requests > 0);
  const t = target.filter((d) => d.requests > 0);
  if (s.length < 2 || t.length < 2) return null;
  const random = seededRandom(seed);
  const perRequest = (days: readonly DailyUsage[], field: 'inputTokens' | 'outputTokens') => {
    let tokens = 0;
    let requests = 0;
    for (const d of days) {
      tokens += d[field];
      requests += d.requests;
    }
    return requests === 0 ? 0 : tokens / requests;
  };
  const ratioOf = (
    a: readonly DailyUsage[],
    b: readonly DailyUsage[],
    field: 'inputTokens' | 'outputTokens',
  ) => {
    const base = perRequest(a, field);
    return base === 0 ? Number.NaN : perRequest(b, field) / base;
  };
  const resample = (days: readonly DailyUsage[]) =>
    Array.from({ length: days.length }, () => days[Math.floor(random() * days.length)]!);
  const samples = { inputTokens: [] as number[], outputTokens: [] as number[] };
  for (let i = 0; i < RESAMPLES; i++) {
    const a = resample(s);
    const b = resample(t);
    for (const field of ['inputTokens', 'outputTokens'] as const) {
      const r = ratioOf(a, b, field);
      if (Number.isFinite(r)) samples[field].push(r);
    }
  }
  const interval = (field: 'inputTokens' | 'outputTokens'): Ratio => {
    const ratio = ratioOf(s, t, field);
    const sorted = samples[field].sort((x, y) => x - y);
    if (!Number.isFinite(ratio) || sorted.length === 0) return { ratio: 1, low: 1, high: 1 };
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))]!;
    return { ratio, low: Math.min(at(0.025), ratio), high: Math.max(at(0.975), ratio) };
  };
  return {
    input: interval('inputTokens'),
    output: interval('outputTokens'),
    sourceDays: s.length,
    targetDays: t.length,
    sourceRequests: s.reduce((n, d) => n + d.requests, 0),
    targetRequests: t.reduce((n, d) => n + d.requests, 0),
    method: CALIBRATION_METHOD,
  };
}
