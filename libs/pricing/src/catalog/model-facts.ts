/** What a model can do beside what it costs (a `ModelFact` row): what simulation judges eligibility by. */
export interface ModelFactInput {
  provider: string;
  model: string;
  displayName: string | null;
  /** Input tokens one request may carry; null when no source says. */
  contextWindow: number | null;
  maxOutputTokens: number | null;
  /** text, image, audio, video; empty when no source says. */
  inputModalities: string[];
  outputModalities: string[];
  /** `tools`, `computer-use`, … — only what a source states. */
  capabilities: string[];
  /** Benchmark name → score; null where the source says "n/a". */
  benchmarks: Record<string, BenchmarkScore | null>;
  source: string;
}

export interface BenchmarkScore {
  score: number;
  unit: '%' | 'rating';
  /** The source gives it as "~" (approximately). */
  approximate?: boolean;
}
