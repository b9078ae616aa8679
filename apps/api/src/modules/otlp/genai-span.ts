import type { UsageEventInput } from '@tokenledger/contracts';
import type { AttributeValue, OtlpSpan } from './otlp-decode';

/** OpenTelemetry's `gen_ai.provider.name` / `gen_ai.system` values → catalog provider ids. */
const PROVIDERS: Record<string, string> = {
  'aws.bedrock': 'aws',
  'az.ai.openai': 'azure',
  'azure.ai.openai': 'azure',
  'az.ai.inference': 'azure',
  'azure.ai.inference': 'azure',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  gemini: 'google',
  vertex_ai: 'google',
  mistral_ai: 'mistral',
  x_ai: 'x-ai',
  xai: 'x-ai',
  'ibm.watsonx.ai': 'ibm',
};

const SERVICE_TIERS: Record<string, UsageEventInput['serviceTier']> = {
  default: 'standard',
  auto: 'standard',
  standard: 'standard',
  scale: 'priority',
  priority: 'priority',
  flex: 'flex',
  batch: 'batch',
};

function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: AttributeValue | undefined): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function first(attrs: Record<string, AttributeValue>, ...names: string[]): AttributeValue | undefined {
  for (const name of names) if (attrs[name] !== undefined && attrs[name] !== null) return attrs[name];
  return undefined;
}

export function providerId(raw: string): string {
  const lower = raw.trim().toLowerCase();
  return PROVIDERS[lower] ?? lower.replace(/[^a-z0-9._-]+/g, '-');
}

function nanosToIso(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000n)).toISOString();
}

/**
 * A span carrying GenAI usage (OpenTelemetry semantic conventions) as an API.md event, or null
 * for any other span. Per the conventions, input tokens include cached ones; when cache counts
 * exceed the input (some Anthropic instrumentations report input without cache), they are added.
 */
export function spanToEvent(span: OtlpSpan): UsageEventInput | null {
  const a = span.attributes;
  const input = num(first(a, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'));
  const output = num(first(a, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'));
  const provider = str(first(a, 'gen_ai.provider.name', 'gen_ai.system'));
  const model = str(first(a, 'gen_ai.response.model', 'gen_ai.request.model'));
  if (input === undefined && output === undefined) return null;

  const cacheRead =
    num(first(a, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens')) ?? 0;
  const cacheWrite =
    num(first(a, 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens')) ??
    0;
  const reasoning =
    num(first(a, 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.reasoning_tokens')) ?? 0;
  let inputTokens = input ?? 0;
  if (cacheRead + cacheWrite > inputTokens) inputTokens += cacheRead + cacheWrite;

  const tier = str(
    first(
      a,
      'openai.response.service_tier',
      'gen_ai.openai.response.service_tier',
      'openai.request.service_tier',
      'gen_ai.openai.request.service_tier',
    ),
  );
  const environment =
    str(first(a, 'tokenledger.environment')) ??
    str(first(span.resource, 'deployment.environment.name', 'deployment.environment'));
  const service = str(span.resource['service.name']);
  const latencyMs =
    span.endTimeUnixNano > span.startTimeUnixNano
      ? Number((span.endTimeUnixNano - span.startTimeUnixNano) / 1_000_000n)
      : undefined;

  return {
    eventId: `otlp-${span.traceId}-${span.spanId}`,
    occurredAt: nanosToIso(span.startTimeUnixNano),
    provider: provider ? providerId(provider) : 'unknown',
    model: model ?? '',
    usage: {
      inputTokens,
      outputTokens: output ?? 0,
      ...(cacheRead ? { cacheReadTokens: cacheRead } : {}),
      ...(cacheWrite ? { cacheWriteTokens: cacheWrite } : {}),
      ...(reasoning ? { reasoningTokens: reasoning } : {}),
    },
    ...(tier && SERVICE_TIERS[tier] ? { serviceTier: SERVICE_TIERS[tier] } : {}),
    ...(str(a['tokenledger.feature']) ? { feature: str(a['tokenledger.feature']) } : {}),
    ...(str(a['tokenledger.customer_id']) ? { customerId: str(a['tokenledger.customer_id']) } : {}),
    ...(environment ? { environment } : {}),
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    status: span.statusCode === 2 ? 'error' : 'success',
    tags: {
      ...(service ? { service: service.slice(0, 256) } : {}),
      ...(span.name ? { span: span.name.slice(0, 256) } : {}),
    },
  };
}
