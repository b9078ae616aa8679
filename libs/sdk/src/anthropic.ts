import type { Modality, ServiceTier, Usage } from './event.js';
import {
  collectModalities,
  compactUsage,
  observeResult,
  observeStream,
  proxyClient,
  Recorder,
  type MethodWrapper,
  type WrapOptions,
  enforcing,
} from './instrument.js';

/** Structural view of `@anthropic-ai/sdk`'s usage (Messages API): only the fields read here. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_creation?: {
    ephemeral_5m_input_tokens?: number | null;
    ephemeral_1h_input_tokens?: number | null;
  } | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
  service_tier?: string | null;
}

interface MessageLike {
  model?: string;
  usage?: AnthropicUsage | null;
}

interface StreamEventLike {
  type?: string;
  message?: MessageLike;
  usage?: AnthropicUsage | null;
}

interface MessageParams {
  model?: string;
  stream?: boolean | null;
  messages?: { content?: unknown }[];
  service_tier?: string | null;
}

type Callable = (...args: never[]) => unknown;

/** Any client with `@anthropic-ai/sdk`'s shape (also `AnthropicBedrock`, `AnthropicVertex`). */
export interface AnthropicLike {
  messages?: { create: Callable };
}

/**
 * Anthropic usage → API.md usage. Anthropic's `input_tokens` leaves out cache reads and cache
 * writes; API.md's `inputTokens` includes them, so both are added back. Cache writes are split by
 * lifetime when the usage breaks them down (`cache_creation`): 5-minute writes are
 * `cacheWriteTokens`, 1-hour writes `cacheWrite1hTokens`; without a breakdown they are 5-minute
 * writes, Anthropic's default.
 */
export function usageFromAnthropic(u: AnthropicUsage): Usage {
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const write1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const write5m = u.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  const writes = Math.max(u.cache_creation_input_tokens ?? 0, write5m + write1h);
  return compactUsage({
    inputTokens: (u.input_tokens ?? 0) + cacheRead + writes,
    outputTokens: u.output_tokens ?? 0,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: writes - write1h,
    cacheWrite1hTokens: write1h,
    reasoningTokens: u.output_tokens_details?.thinking_tokens,
  });
}

/**
 * A stream's usage: `message_start` carries input and cache counts, each `message_delta` carries
 * cumulative counts (output, and input fields when the API sends them, non-null wins).
 */
export function mergeAnthropicUsage(
  start: AnthropicUsage | undefined,
  delta: AnthropicUsage,
): AnthropicUsage {
  const merged: AnthropicUsage = { ...start };
  for (const [key, value] of Object.entries(delta) as [keyof AnthropicUsage, unknown][]) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

export function anthropicServiceTier(tier: string | null | undefined): ServiceTier | undefined {
  return tier === 'standard' || tier === 'priority' || tier === 'batch' ? tier : undefined;
}

function anthropicPart(type: string): Modality | undefined {
  return type === 'image' ? 'image' : type === 'document' ? 'file' : undefined;
}

function messageModalities(params: MessageParams): Modality[] | undefined {
  let found: Modality[] | undefined;
  if (!Array.isArray(params.messages)) return found;
  for (const message of params.messages) {
    const content = message?.content;
    found = collectModalities(content, anthropicPart, found);
    // Tool results carry content parts of their own (e.g. a screenshot).
    if (Array.isArray(content))
      for (const part of content as { type?: unknown; content?: unknown }[])
        if (part?.type === 'tool_result') found = collectModalities(part.content, anthropicPart, found);
  }
  return found;
}

function messagesCreate(recorder: Recorder): MethodWrapper {
  return (original, owner) =>
    function trackedMessagesCreate(...args: unknown[]) {
      const [body] = args as [MessageParams | undefined];
      const call = recorder.start(body?.model, () => messageModalities(body ?? {}));
      const result = original.apply(owner, args);
      if (!call) return result;
      const record = call;
      return observeResult<unknown>(
        result,
        (data) => {
          if (body?.stream !== true) {
            const message = data as MessageLike;
            record.finish({
              model: message.model,
              usage: message.usage ? usageFromAnthropic(message.usage) : undefined,
              status: message.usage ? 'success' : 'error',
              serviceTier: anthropicServiceTier(message.usage?.service_tier),
            });
            return data;
          }
          let model: string | undefined;
          let usage: AnthropicUsage | undefined;
          let stopped = false;
          return observeStream<StreamEventLike>(data, {
            onItem(event) {
              if (event.type === 'message_start' && event.message) {
                model = event.message.model ?? model;
                if (event.message.usage) usage = { ...event.message.usage };
              } else if (event.type === 'message_delta' && event.usage) {
                usage = mergeAnthropicUsage(usage, event.usage);
              } else if (event.type === 'message_stop') {
                stopped = true;
              }
              return true;
            },
            onEnd({ error, aborted }) {
              record.finish({
                model,
                usage: usage ? usageFromAnthropic(usage) : undefined,
                status: error || (aborted && !stopped) || !usage ? 'error' : 'success',
                serviceTier: anthropicServiceTier(usage?.service_tier),
              });
            },
          });
        },
        () => record.finish({ status: 'error' }),
      );
    };
}

/**
 * Records every Messages API call made through the returned client — streaming and the
 * `messages.stream()` helper included — as a usage event, with cache reads and writes added back
 * into `inputTokens` (API.md's convention). Returns a proxy of the same type; the client passed in
 * is not modified.
 */
export function wrapAnthropic<C extends AnthropicLike>(client: C, options: WrapOptions): C {
  const recorder = new Recorder(options, options.provider ?? 'anthropic');
  const create = enforcing(recorder, messagesCreate(recorder));
  return proxyClient(client, {
    messages: { create },
    beta: { messages: { create } },
    withOptions: (original, owner) =>
      function wrappedWithOptions(...args: unknown[]) {
        return wrapAnthropic(original.apply(owner, args) as C, options);
      },
  });
}
