import { createRequire } from 'node:module';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import {
  Tokenledger,
  withContext,
  wrapAnthropic,
  wrapOpenAI,
  type TokenledgerSdkError,
} from '@tokenledger/sdk';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the workspace's openai 7 types: `openai` here would resolve the tests workspace's pinned 6.x
import type OpenAIv7 from '../../node_modules/openai/index.js';
import {
  CHAT_MODEL,
  CLAUDE_MODEL,
  FakeProviders,
  RESPONSES_MODEL,
  chatCompletion,
} from './support/fake-providers';
import { FakeTokenledger } from './support/fake-tokenledger';

const ROOT = join(__dirname, '..', '..');
type OpenAIConstructor = typeof OpenAIv7;
/** openai 7.x is the workspace's (the version the SDK targets); 6.x is the tests workspace's own. */
const OPENAI_CLIENTS: [string, OpenAIConstructor][] = [
  ['7', createRequire(join(ROOT, 'package.json'))('openai') as OpenAIConstructor],
  ['6', createRequire(join(ROOT, 'tests', 'package.json'))('openai') as OpenAIConstructor],
];

let providers: FakeProviders;
let api: FakeTokenledger;
let tl: Tokenledger;
let sdkErrors: TokenledgerSdkError[];

beforeAll(async () => {
  providers = await new FakeProviders().start();
  api = await new FakeTokenledger().start();
});
afterAll(async () => {
  await providers.stop();
  await api.stop();
});
beforeEach(() => {
  sdkErrors = [];
  api.accepted.clear();
  api.sent.clear();
  tl = new Tokenledger({
    apiKey: api.apiKey,
    baseUrl: api.url,
    flushOnExit: false,
    onError: (e) => sdkErrors.push(e),
    defaults: { environment: 'test' },
  });
});
afterEach(async () => {
  await tl.shutdown();
  expect(sdkErrors).toEqual([]);
});

/** Every event the fake API accepted, as the SDK sent it, in the order they were tracked. */
async function recorded(): Promise<Record<string, unknown>[]> {
  await tl.flush();
  return [...api.sent.values()] as Record<string, unknown>[];
}

const generated = { eventId: expect.stringMatching(/^[0-9A-Z]{26}$/), occurredAt: expect.any(String) };
const latency = { latencyMs: expect.any(Number) };

describe.each(OPENAI_CLIENTS)('wrapOpenAI with the real openai %s.x client', (_version, OpenAI) => {
  const client = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${providers.url}/v1`, maxRetries: 0 });

  it('records a chat completion: cached input, reasoning, the model the API reported, labels', async () => {
    const openai = wrapOpenAI(client(), {
      tokenledger: tl,
      feature: 'support-chat',
      tags: { team: 'growth' },
    });
    const completion = await withContext({ customerId: 'acme' }, () =>
      openai.chat.completions.create({
        model: 'gpt-5.5',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is on this invoice?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
            ],
          },
        ],
      }),
    );
    expect(completion.choices[0]!.message.content).toBe(chatCompletion.choices[0]!.message.content);
    expect(await recorded()).toEqual([
      {
        ...generated,
        ...latency,
        provider: 'openai',
        model: CHAT_MODEL,
        usage: { inputTokens: 2048, outputTokens: 900, cacheReadTokens: 1536, reasoningTokens: 640 },
        status: 'success',
        serviceTier: 'standard',
        inputModalities: ['text', 'image'],
        feature: 'support-chat',
        customerId: 'acme',
        environment: 'test',
        tags: { team: 'growth' },
      },
    ]);
  });

  it('asks a stream for its usage when the caller did not, and hides that chunk from them', async () => {
    const openai = wrapOpenAI(client(), { tokenledger: tl });
    const stream = await openai.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(providers.requests.at(-1)!.body.stream_options).toEqual({ include_usage: true });
    expect(chunks).toHaveLength(5);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(chunks.map((c) => c.choices[0]!.delta.content ?? '').join('')).toBe('Hello!');
    expect(await recorded()).toEqual([
      {
        ...generated,
        ...latency,
        provider: 'openai',
        model: CHAT_MODEL,
        usage: { inputTokens: 4096, outputTokens: 310, cacheReadTokens: 3072, reasoningTokens: 192 },
        status: 'success',
        serviceTier: 'priority',
        inputModalities: ['text'],
        environment: 'test',
      },
    ]);
  });

  it('leaves the usage chunk to a caller who asked for it', async () => {
    const openai = wrapOpenAI(client(), { tokenledger: tl });
    const stream = await openai.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(6);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 4096, completion_tokens: 310 });
    expect((await recorded())[0]).toMatchObject({ usage: { inputTokens: 4096, outputTokens: 310 } });
  });

  it('records through the client’s own helpers: chat.completions.stream() and tee()', async () => {
    const openai = wrapOpenAI(client(), { tokenledger: tl });
    const runner = openai.chat.completions.stream({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Hello!');

    const raw = await openai.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const [left, right] = raw.tee();
    let count = 0;
    for await (const _ of left) count++;
    for await (const _ of right) count++;
    expect(count).toBe(10);

    const events = await recorded();
    expect(events).toHaveLength(2);
    for (const event of events)
      expect(event).toMatchObject({ model: CHAT_MODEL, usage: { inputTokens: 4096 } });
  });

  it('records the Responses API, plain, streamed and through responses.stream()', async () => {
    const openai = wrapOpenAI(client(), { tokenledger: tl, feature: 'research' });
    const plain = await openai.responses.create({ model: 'gpt-5.5-pro', input: 'Capital of France?' });
    expect(plain.output_text).toBe('Paris.');

    const stream = await openai.responses.create({
      model: 'gpt-5.5-pro',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Summarise' },
            { type: 'input_file', file_id: 'file-123' },
          ],
        },
      ],
      stream: true,
    });
    const types = [];
    for await (const event of stream) types.push(event.type);
    expect(types.at(-1)).toBe('response.completed');

    const helper = openai.responses.stream({ model: 'gpt-5.5-pro', input: 'Capital of France?' });
    expect((await helper.finalResponse()).output_text).toBe('Paris.');

    const expected = {
      ...generated,
      ...latency,
      provider: 'openai',
      model: RESPONSES_MODEL,
      usage: { inputTokens: 5000, outputTokens: 1200, cacheReadTokens: 4096, reasoningTokens: 1024 },
      status: 'success',
      serviceTier: 'flex',
      inputModalities: ['text'],
      feature: 'research',
      environment: 'test',
    };
    expect(await recorded()).toEqual([
      expected,
      { ...expected, inputModalities: ['text', 'file'] },
      expected,
    ]);
  });

  it('records a stream the caller stops reading early as an error, with the usage seen (none yet)', async () => {
    const openai = wrapOpenAI(client(), { tokenledger: tl });
    const stream = await openai.chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    for await (const _ of stream) break;
    expect(stream.controller.signal.aborted).toBe(true);
    expect(await recorded()).toEqual([
      {
        ...generated,
        ...latency,
        provider: 'openai',
        model: CHAT_MODEL,
        usage: { inputTokens: 0, outputTokens: 0 },
        status: 'error',
        serviceTier: 'priority',
        inputModalities: ['text'],
        environment: 'test',
      },
    ]);
  });

  it('records a failed call as an error with the requested model, and the caller still gets the error', async () => {
    const openai = wrapOpenAI(client(), { tokenledger: tl });
    providers.failNext(400, {
      error: {
        message: 'Invalid value for messages',
        type: 'invalid_request_error',
        param: 'messages',
        code: null,
      },
    });
    await expect(
      openai.chat.completions.create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'Hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect(await recorded()).toEqual([
      {
        ...generated,
        ...latency,
        provider: 'openai',
        model: 'gpt-5.5',
        usage: { inputTokens: 0, outputTokens: 0 },
        status: 'error',
        inputModalities: ['text'],
        environment: 'test',
      },
    ]);
  });

  it('keeps the client’s API: withResponse(), an untouched original, withOptions()', async () => {
    const original = client();
    const openai = wrapOpenAI(original, { tokenledger: tl, provider: 'azure' });
    const { data, response, request_id } = await openai.chat.completions
      .create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(data.id).toBe(chatCompletion.id);
    expect(response.status).toBe(200);
    expect(request_id).toBe('req_fake');

    await original.chat.completions.create({ model: 'gpt-5.5', messages: [{ role: 'user', content: 'Hi' }] });
    await openai.withOptions({ timeout: 5000 }).chat.completions.create({
      model: 'gpt-5.5',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const events = await recorded();
    expect(events.map((e) => e.provider)).toEqual(['azure', 'azure']);
  });
});

describe('wrapAnthropic with the real @anthropic-ai/sdk client', () => {
  const client = () => new Anthropic({ apiKey: 'sk-ant-test', baseURL: providers.url, maxRetries: 0 });

  it('records a message, adding cache reads and both cache-write lifetimes back into inputTokens', async () => {
    const anthropic = wrapAnthropic(client(), { tokenledger: tl, feature: 'drafting', customerId: 'globex' });
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-5',
      max_tokens: 1024,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Read this' },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          ],
        },
      ],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    expect(await recorded()).toEqual([
      {
        ...generated,
        ...latency,
        provider: 'anthropic',
        model: CLAUDE_MODEL,
        // 21 uncached + 10,000 read + 1,000 (5 min) + 2,000 (1 h) written
        usage: {
          inputTokens: 13_021,
          outputTokens: 393,
          cacheReadTokens: 10_000,
          cacheWriteTokens: 1_000,
          cacheWrite1hTokens: 2_000,
          reasoningTokens: 120,
        },
        status: 'success',
        serviceTier: 'standard',
        inputModalities: ['text', 'file', 'image'],
        feature: 'drafting',
        customerId: 'globex',
        environment: 'test',
      },
    ]);
  });

  it('records a stream from message_start and the cumulative message_delta, raw and through messages.stream()', async () => {
    const anthropic = wrapAnthropic(client(), { tokenledger: tl });
    const stream = await anthropic.messages.create({
      model: 'claude-sonnet-5',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    for await (const event of stream)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    expect(text).toBe('Hello there');

    const helper = anthropic.messages.stream({
      model: 'claude-sonnet-5',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect((await helper.finalMessage()).usage.output_tokens).toBe(157);

    const expected = {
      ...generated,
      ...latency,
      provider: 'anthropic',
      model: CLAUDE_MODEL,
      usage: {
        inputTokens: 25 + 8_000 + 1_200,
        outputTokens: 157,
        cacheReadTokens: 8_000,
        cacheWriteTokens: 1_200,
        reasoningTokens: 64,
      },
      status: 'success',
      serviceTier: 'priority',
      inputModalities: ['text'],
      environment: 'test',
    };
    expect(await recorded()).toEqual([expected, expected]);
  });

  it('records an overloaded (529) call as an error, and the caller still gets the error', async () => {
    const anthropic = wrapAnthropic(client(), { tokenledger: tl });
    providers.failNext(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    await expect(
      anthropic.messages.create({
        model: 'claude-sonnet-5',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    ).rejects.toBeInstanceOf(Anthropic.APIError);
    expect(await recorded()).toEqual([
      {
        ...generated,
        ...latency,
        provider: 'anthropic',
        model: 'claude-sonnet-5',
        usage: { inputTokens: 0, outputTokens: 0 },
        status: 'error',
        inputModalities: ['text'],
        environment: 'test',
      },
    ]);
  });
});
