// The SDK declares the API's event shape itself (it installs without @tokenledger/contracts).
// This file proves both agree: the type assertions are checked by `tsc -p tsconfig.spec.json`
// (part of the SDK's build), the tests by Vitest.
import {
  ErrorCode,
  MAX_BATCH_BYTES as CONTRACT_MAX_BATCH_BYTES,
  MAX_EVENTS_PER_BATCH as CONTRACT_MAX_EVENTS,
  MAX_TAGS as CONTRACT_MAX_TAGS,
  PART_KINDS,
  validateUsageEvent,
  type FieldError as ContractFieldError,
  type RejectedEvent as ContractRejectedEvent,
  type UsageEventInput,
} from '@tokenledger/contracts';
import { describe, expect, it } from 'vitest';
import { usageFromAnthropic } from './anthropic.js';
import {
  MAX_BATCH_BYTES,
  MAX_EVENTS_PER_BATCH,
  MAX_TAGS,
  USAGE_PARTS,
  type ApiErrorCode,
  type FieldError,
  type RejectedEvent,
  type UsageEvent,
} from './event.js';
import { usageFromChatCompletion, usageFromResponse } from './openai.js';
import { Tokenledger } from './tokenledger.js';
import type { FetchLike } from './transport.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Compile-time: a change on either side without the other fails the SDK's build.
export const conformance: [
  MutuallyAssignable<UsageEvent, UsageEventInput>,
  MutuallyAssignable<UsageEvent['usage'], UsageEventInput['usage']>,
  Equals<ApiErrorCode, ErrorCode>,
  MutuallyAssignable<FieldError, ContractFieldError>,
  MutuallyAssignable<RejectedEvent, ContractRejectedEvent>,
] = [true, true, true, true, true];

describe('the SDK agrees with @tokenledger/contracts', () => {
  it('on the API limits', () => {
    expect(MAX_EVENTS_PER_BATCH).toBe(CONTRACT_MAX_EVENTS);
    expect(MAX_BATCH_BYTES).toBe(CONTRACT_MAX_BATCH_BYTES);
    expect(MAX_TAGS).toBe(CONTRACT_MAX_TAGS);
  });

  it('on the token kinds and the totals they are part of', () => {
    expect(USAGE_PARTS.map(([part, total]) => [part, total])).toEqual(
      PART_KINDS.map((k) => [k.field, k.total]),
    );
  });

  it('on the error codes', () => {
    const sdkCodes: Record<ApiErrorCode, true> = {
      VALIDATION_FAILED: true,
      MALFORMED_JSON: true,
      UNAUTHENTICATED: true,
      FORBIDDEN: true,
      NOT_FOUND: true,
      CONFLICT: true,
      PAYLOAD_TOO_LARGE: true,
      UNSUPPORTED_MEDIA_TYPE: true,
      RATE_LIMITED: true,
      QUEUE_UNAVAILABLE: true,
      SERVICE_UNAVAILABLE: true,
      INTERNAL: true,
    };
    expect(Object.keys(sdkCodes).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('every event track() sends, with usage from each mapper, passes the server validation', async () => {
    const sent: unknown[] = [];
    const fetch: FetchLike = async (_url, init) => {
      sent.push(...(JSON.parse(init.body as string) as { events: unknown[] }).events);
      return new Response(JSON.stringify({ accepted: 0, rejected: [] }), { status: 202 });
    };
    const tl = new Tokenledger({
      apiKey: 'k',
      fetch,
      gzip: false,
      flushOnExit: false,
      defaults: { tags: { a: 'b' } },
    });
    const usages = [
      usageFromChatCompletion({
        prompt_tokens: 2048,
        completion_tokens: 900,
        prompt_tokens_details: {
          cached_tokens: 1024,
          cache_write_tokens: 512,
          audio_tokens: 100,
          image_tokens: 300,
        },
        completion_tokens_details: { reasoning_tokens: 640, audio_tokens: 50 },
      }),
      usageFromResponse({
        input_tokens: 10,
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 5 },
      }),
      usageFromAnthropic({
        input_tokens: 3,
        output_tokens: 7,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 50,
        cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 30 },
      }),
    ];
    for (const usage of usages)
      tl.track({
        provider: 'anthropic',
        model: 'claude-sonnet-5',
        usage,
        latencyMs: 12,
        status: 'success',
        serviceTier: 'priority',
        inputModalities: ['text', 'image'],
        feature: 'f',
        customerId: 'c',
      });
    await tl.shutdown();
    expect(sent).toHaveLength(3);
    for (const event of sent) {
      const result = validateUsageEvent(event, new Date());
      expect(result.ok ? [] : result.errors).toEqual([]);
    }
  });
});
