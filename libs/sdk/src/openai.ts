import type { Modality, ServiceTier, Usage } from './event.js';
import {
  collectModalities,
  compactUsage,
  observeResult,
  observeStream,
  proxyClient,
  Recorder,
  type CallRecord,
  type MethodWrapper,
  type WrapOptions,
  enforcing,
} from './instrument.js';

/**
 * Structural views of the `openai` package's payloads (v4 to v7): only the fields read here, so
 * the SDK needs no `openai` at run time and accepts any client of that shape.
 */
export interface OpenAIChatUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: {
    cached_tokens?: number | null;
    cache_write_tokens?: number | null;
    audio_tokens?: number | null;
    image_tokens?: number | null;
  } | null;
  completion_tokens_details?: {
    reasoning_tokens?: number | null;
    audio_tokens?: number | null;
  } | null;
}

export interface OpenAIResponsesUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  input_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
}

interface ChatCompletionLike {
  model?: string;
  usage?: OpenAIChatUsage | null;
  service_tier?: string | null;
  choices?: unknown[];
}

interface ResponseLike {
  model?: string;
  usage?: OpenAIResponsesUsage | null;
  service_tier?: string | null;
  status?: string | null;
}

interface ResponseStreamEvent {
  type?: string;
  response?: ResponseLike;
}

interface ChatParams {
  model?: string;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  messages?: { content?: unknown }[];
  service_tier?: string | null;
}

interface ResponsesParams {
  model?: string;
  stream?: boolean | null;
  input?: unknown;
  service_tier?: string | null;
}

type Callable = (...args: never[]) => unknown;

/** Any client with the `openai` package's shape: Chat Completions and/or the Responses API. */
export interface OpenAILike {
  chat?: { completions?: { create: Callable } };
  responses?: { create: Callable };
}

/**
 * Chat Completions usage → API.md usage. OpenAI already counts cached input inside
 * `prompt_tokens` and reasoning inside `completion_tokens`: the parts map one to one.
 */
export function usageFromChatCompletion(u: OpenAIChatUsage): Usage {
  return compactUsage({
    inputTokens: u.prompt_tokens ?? 0,
    outputTokens: u.completion_tokens ?? 0,
    cacheReadTokens: u.prompt_tokens_details?.cached_tokens,
    cacheWriteTokens: u.prompt_tokens_details?.cache_write_tokens,
    inputAudioTokens: u.prompt_tokens_details?.audio_tokens,
    inputImageTokens: u.prompt_tokens_details?.image_tokens,
    reasoningTokens: u.completion_tokens_details?.reasoning_tokens,
    outputAudioTokens: u.completion_tokens_details?.audio_tokens,
  });
}

/** Responses API usage → API.md usage (same inclusive convention). */
export function usageFromResponse(u: OpenAIResponsesUsage): Usage {
  return compactUsage({
    inputTokens: u.input_tokens ?? 0,
    outputTokens: u.output_tokens ?? 0,
    cacheReadTokens: u.input_tokens_details?.cached_tokens,
    cacheWriteTokens: u.input_tokens_details?.cache_write_tokens,
    reasoningTokens: u.output_tokens_details?.reasoning_tokens,
  });
}

/** OpenAI's `service_tier` (what the request actually ran on) → API.md tiers. */
export function openAIServiceTier(tier: string | null | undefined): ServiceTier | undefined {
  switch (tier) {
    case 'flex':
      return 'flex';
    case 'priority':
      return 'priority';
    case 'batch':
      return 'batch';
    case 'default':
    case 'auto':
    case 'scale':
      return 'standard';
    default:
      return undefined;
  }
}

function chatPart(type: string): Modality | undefined {
  return type === 'image_url'
    ? 'image'
    : type === 'input_audio'
      ? 'audio'
      : type === 'file'
        ? 'file'
        : undefined;
}

function responsesPart(type: string): Modality | undefined {
  return type === 'input_image'
    ? 'image'
    : type === 'input_audio'
      ? 'audio'
      : type === 'input_file'
        ? 'file'
        : undefined;
}

function chatModalities(params: ChatParams): Modality[] | undefined {
  let found: Modality[] | undefined;
  if (Array.isArray(params.messages))
    for (const message of params.messages) found = collectModalities(message?.content, chatPart, found);
  return found;
}

function responsesModalities(params: ResponsesParams): Modality[] | undefined {
  if (!Array.isArray(params.input)) return undefined;
  const items = params.input as { content?: unknown }[];
  // Items are messages (with content parts) or parts themselves.
  let found = collectModalities(items, responsesPart, undefined);
  for (const item of items) found = collectModalities(item?.content, responsesPart, found);
  return found;
}

function chatCreate(recorder: Recorder): MethodWrapper {
  return (original, owner) =>
    function trackedChatCompletionCreate(...args: unknown[]) {
      const [body, ...rest] = args as [ChatParams | undefined, ...unknown[]];
      let call: CallRecord | undefined;
      let params: unknown = body;
      let hideUsageChunk = false;
      const streaming = body?.stream === true;
      try {
        call = recorder.start(body?.model, () => chatModalities(body ?? {}));
        if (streaming && body.stream_options?.include_usage !== true) {
          // Usage arrives in a last chunk only when asked for; ask, and hide that chunk from a
          // caller who did not ask, so the stream they read is the one they would have had.
          params = { ...body, stream_options: { ...body.stream_options, include_usage: true } };
          hideUsageChunk = true;
        }
      } catch {
        call = undefined;
      }
      const result = original.call(owner, params, ...rest);
      if (!call) return result;
      const record = call;
      const requestedTier = body?.service_tier;
      return observeResult<unknown>(
        result,
        (data) => {
          if (!streaming) {
            const completion = data as ChatCompletionLike;
            record.finish({
              model: completion.model,
              usage: completion.usage ? usageFromChatCompletion(completion.usage) : undefined,
              status: 'success',
              serviceTier: openAIServiceTier(completion.service_tier ?? requestedTier),
            });
            return data;
          }
          let model: string | undefined;
          let usage: OpenAIChatUsage | undefined;
          let tier: string | null | undefined = requestedTier;
          return observeStream<ChatCompletionLike>(data, {
            onItem(chunk) {
              if (chunk.model) model = chunk.model;
              if (chunk.service_tier) tier = chunk.service_tier;
              if (chunk.usage) {
                usage = chunk.usage;
                if (hideUsageChunk && (!chunk.choices || chunk.choices.length === 0)) return false;
              }
              return true;
            },
            onEnd({ error, aborted }) {
              record.finish({
                model,
                usage: usage ? usageFromChatCompletion(usage) : undefined,
                status: error || aborted || !usage ? 'error' : 'success',
                serviceTier: openAIServiceTier(tier),
              });
            },
          });
        },
        () => record.finish({ status: 'error', serviceTier: openAIServiceTier(requestedTier) }),
      );
    };
}

function responsesCreate(recorder: Recorder): MethodWrapper {
  return (original, owner) =>
    function trackedResponsesCreate(...args: unknown[]) {
      const [body] = args as [ResponsesParams | undefined];
      const call = recorder.start(body?.model, () => responsesModalities(body ?? {}));
      const result = original.apply(owner, args);
      if (!call) return result;
      const record = call;
      const requestedTier = body?.service_tier;
      const finishWith = (response: ResponseLike | undefined, failed: boolean) =>
        record.finish({
          model: response?.model,
          usage: response?.usage ? usageFromResponse(response.usage) : undefined,
          status: failed || response?.status === 'failed' || !response?.usage ? 'error' : 'success',
          serviceTier: openAIServiceTier(response?.service_tier ?? requestedTier),
        });
      return observeResult<unknown>(
        result,
        (data) => {
          if (body?.stream !== true) {
            finishWith(data as ResponseLike, false);
            return data;
          }
          let last: ResponseLike | undefined;
          let failed = false;
          return observeStream<ResponseStreamEvent>(data, {
            onItem(event) {
              if (event.response && typeof event.response === 'object') last = event.response;
              if (event.type === 'response.failed' || event.type === 'error') failed = true;
              return true;
            },
            onEnd({ error, aborted }) {
              finishWith(last, failed || Boolean(error) || Boolean(aborted && !last?.usage));
            },
          });
        },
        () => finishWith(undefined, true),
      );
    };
}

/**
 * Records every Chat Completions and Responses API call made through the returned client —
 * streaming included — as a usage event: tokens with cached input and reasoning, the model the API
 * reported, latency, status (failed calls too). Returns a proxy of the same type; the client
 * passed in is not modified. A stream's usage is asked for (`stream_options.include_usage`) when
 * the caller did not, and that extra chunk is hidden from them.
 */
export function wrapOpenAI<C extends OpenAILike>(client: C, options: WrapOptions): C {
  const recorder = new Recorder(options, options.provider ?? 'openai');
  return proxyClient(client, {
    chat: { completions: { create: enforcing(recorder, chatCreate(recorder)) } },
    responses: { create: enforcing(recorder, responsesCreate(recorder)) },
    withOptions: (original, owner) =>
      function wrappedWithOptions(...args: unknown[]) {
        return wrapOpenAI(original.apply(owner, args) as C, options);
      },
  });
}
