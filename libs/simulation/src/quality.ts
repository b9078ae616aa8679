/** A benchmark score as the catalog keeps it (MARKET.md's table). */
export interface Score {
  score: number;
  unit: string;
  approximate?: boolean;
}

/** What simulation needs of a model beside its price: limits, modalities, capabilities, scores. */
export interface ModelProfile {
  provider: string;
  model: string;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  /** Empty when no source says: then only text is assumed. */
  inputModalities: readonly string[];
  capabilities: readonly string[];
  benchmarks: Readonly<Record<string, Score | null>>;
}

/** The quality side of a switch, with its basis. A missing score is never treated as equal. */
export interface QualityBasis {
  benchmark: string;
  source: { provider: string; model: string };
  target: { provider: string; model: string };
  sourceScore: Score | null;
  targetScore: Score | null;
  /** target − source, in the benchmark's unit; null when either score is missing. */
  delta: number | null;
  note: string;
}

export function qualityBasis(
  benchmark: string,
  source: { provider: string; model: string },
  sourceProfile: ModelProfile | null,
  target: { provider: string; model: string },
  targetProfile: ModelProfile | null,
): QualityBasis {
  const sourceScore = sourceProfile?.benchmarks[benchmark] ?? null;
  const targetScore = targetProfile?.benchmarks[benchmark] ?? null;
  const delta =
    sourceScore && targetScore && sourceScore.unit === targetScore.unit
      ? round(targetScore.score - sourceScore.score)
      : null;
  const missing = [...(sourceScore ? [] : [`${source.model}`]), ...(targetScore ? [] : [`${target.model}`])];
  const note =
    missing.length > 0
      ? `no ${benchmark} score for ${missing.join(' or ')} in the catalog: quality unknown, not assumed equal`
      : delta === null
        ? `${benchmark} scores are in different units: not comparable`
        : `${benchmark}: ${target.model} ${fmt(targetScore!)} vs ${source.model} ${fmt(sourceScore!)} (${delta >= 0 ? '+' : ''}${delta}${sourceScore!.unit === '%' ? ' points' : ''})${sourceScore!.approximate || targetScore!.approximate ? ', approximate scores' : ''}`;
  return { benchmark, source, target, sourceScore, targetScore, delta, note };
}

function fmt(s: Score): string {
  return `${s.approximate ? '~' : ''}${s.score}${s.unit === '%' ? '%' : ''}`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
