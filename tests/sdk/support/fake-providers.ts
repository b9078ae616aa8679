import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * OpenAI (Chat Completions, Responses) and Anthropic (Messages) on one local port, answering with
 * payloads shaped as the real APIs send them (JSON, and server-sent events when `stream` is set),
 * with cached input and reasoning in their usage. Fixtures below are the expected source of truth
 * for what the SDK must record.
 */

export const CHAT_MODEL = 'gpt-5.5-2026-03-05';
export const RESPONSES_MODEL = 'gpt-5.5-pro-2026-03-05';
export const CLAUDE_MODEL = 'claude-sonnet-5-20260315';

export const chatUsage = {
  prompt_tokens: 2048,
  completion_tokens: 900,
  total_tokens: 2948,
  prompt_tokens_details: { cached_tokens: 1536, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 640,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

export const chatCompletion = {
  id: 'chatcmpl-CzTQ5fakeA1',
  object: 'chat.completion',
  created: 1780000000,
  model: CHAT_MODEL,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Your invoice is attached.', refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: chatUsage,
  service_tier: 'default',
  system_fingerprint: 'fp_5f1a2b3c4d',
};

const chunkBase = {
  id: 'chatcmpl-CzTQ5fakeS1',
  object: 'chat.completion.chunk',
  created: 1780000001,
  model: CHAT_MODEL,
  service_tier: 'priority',
  system_fingerprint: 'fp_5f1a2b3c4d',
};

export const streamedChatUsage = {
  prompt_tokens: 4096,
  completion_tokens: 310,
  total_tokens: 4406,
  prompt_tokens_details: { cached_tokens: 3072, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 192,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

/** The chunks of a streamed completion; the usage chunk only when `include_usage` was asked. */
function chatChunks(includeUsage: boolean): unknown[] {
  const usage = includeUsage ? { usage: null } : {};
  const chunks: unknown[] = [
    {
      ...chunkBase,
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ],
      ...usage,
    },
    ...['Hel', 'lo', '!'].map((content) => ({
      ...chunkBase,
      choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
      ...usage,
    })),
    { ...chunkBase, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], ...usage },
  ];
  if (includeUsage) chunks.push({ ...chunkBase, choices: [], usage: streamedChatUsage });
  return chunks;
}

export const responsesUsage = {
  input_tokens: 5000,
  input_tokens_details: { cached_tokens: 4096 },
  output_tokens: 1200,
  output_tokens_details: { reasoning_tokens: 1024 },
  total_tokens: 6200,
};

function responseObject(status: 'in_progress' | 'completed', text: string) {
  return {
    id: 'resp_68c1fake0001',
    object: 'response',
    created_at: 1780000002,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: RESPONSES_MODEL,
    output:
      status === 'completed'
        ? [
            {
              id: 'rs_68c1fake0002',
              type: 'reasoning',
              summary: [],
            },
            {
              id: 'msg_68c1fake0003',
              type: 'message',
              status: 'completed',
              role: 'assistant',
              content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
            },
          ]
        : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: 'high', summary: null },
    service_tier: 'flex',
    store: true,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: status === 'completed' ? responsesUsage : null,
    user: null,
    metadata: {},
  };
}

export const response = responseObject('completed', 'Paris.');

/** The events of a streamed response, as the Responses API sends them (named SSE events). */
function responseEvents(): unknown[] {
  const item = {
    id: 'msg_68c1fake0003',
    type: 'message',
    status: 'in_progress',
    role: 'assistant',
    content: [],
  };
  const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
  const done = responseObject('completed', 'Paris.');
  let n = 0;
  const e = (type: string, fields: object) => ({ type, sequence_number: n++, ...fields });
  return [
    e('response.created', { response: responseObject('in_progress', '') }),
    e('response.in_progress', { response: responseObject('in_progress', '') }),
    e('response.output_item.added', { output_index: 0, item: done.output[0] }),
    e('response.output_item.done', { output_index: 0, item: done.output[0] }),
    e('response.output_item.added', { output_index: 1, item }),
    e('response.content_part.added', { item_id: item.id, output_index: 1, content_index: 0, part }),
    e('response.output_text.delta', {
      item_id: item.id,
      output_index: 1,
      content_index: 0,
      delta: 'Par',
      logprobs: [],
    }),
    e('response.output_text.delta', {
      item_id: item.id,
      output_index: 1,
      content_index: 0,
      delta: 'is.',
      logprobs: [],
    }),
    e('response.output_text.done', {
      item_id: item.id,
      output_index: 1,
      content_index: 0,
      text: 'Paris.',
      logprobs: [],
    }),
    e('response.content_part.done', {
      item_id: item.id,
      output_index: 1,
      content_index: 0,
      part: { ...part, text: 'Paris.' },
    }),
    e('response.output_item.done', { output_index: 1, item: done.output[1] }),
    e('response.completed', { response: done }),
  ];
}

export const claudeUsage = {
  input_tokens: 21,
  cache_creation_input_tokens: 3000,
  cache_read_input_tokens: 10000,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
  output_tokens: 393,
  output_tokens_details: { thinking_tokens: 120 },
  server_tool_use: null,
  service_tier: 'standard',
  inference_geo: 'us',
  speed: 'standard',
};

export const claudeMessage = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: CLAUDE_MODEL,
  content: [{ type: 'text', text: 'Hello! How can I help?' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  container: null,
  usage: claudeUsage,
};

export const claudeStreamStartUsage = {
  input_tokens: 25,
  cache_creation_input_tokens: 1200,
  cache_read_input_tokens: 8000,
  cache_creation: { ephemeral_5m_input_tokens: 1200, ephemeral_1h_input_tokens: 0 },
  output_tokens: 1,
  service_tier: 'priority',
};
export const claudeStreamDeltaUsage = {
  input_tokens: 25,
  cache_creation_input_tokens: 1200,
  cache_read_input_tokens: 8000,
  output_tokens: 157,
  output_tokens_details: { thinking_tokens: 64 },
  server_tool_use: null,
};

function claudeEvents(): unknown[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_01StreamFake',
        type: 'message',
        role: 'assistant',
        model: CLAUDE_MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: claudeStreamStartUsage,
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there' } },
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: claudeStreamDeltaUsage,
    },
    { type: 'message_stop' },
  ];
}

export interface ProviderRequest {
  path: string;
  body: Record<string, unknown>;
}

type Failure = { status: number; body: unknown };

export class FakeProviders {
  readonly requests: ProviderRequest[] = [];
  private server: Server | undefined;
  private failures: Failure[] = [];

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** The next request is answered with this error (as the provider would send it). */
  failNext(status: number, body: unknown): void {
    this.failures.push({ status, body });
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const path = req.url ?? '';
      this.requests.push({ path, body });
      const failure = this.failures.shift();
      if (failure) return json(res, failure.status, failure.body);
      const stream = body.stream === true;
      if (path === '/v1/chat/completions') {
        if (!stream) return json(res, 200, chatCompletion);
        const options = body.stream_options as { include_usage?: boolean } | undefined;
        return sse(
          res,
          chatChunks(options?.include_usage === true).map((data) => ({ data })),
          true,
        );
      }
      if (path === '/v1/responses') {
        if (!stream) return json(res, 200, response);
        return sse(
          res,
          responseEvents().map((data) => ({ event: (data as { type: string }).type, data })),
          false,
        );
      }
      if (path === '/v1/messages') {
        if (!stream) return json(res, 200, claudeMessage);
        return sse(
          res,
          claudeEvents().map((data) => ({ event: (data as { type: string }).type, data })),
          false,
        );
      }
      json(res, 404, { error: { message: `no route ${path}` } });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
  res.end(JSON.stringify(body));
}

/** Server-sent events, written in separate chunks as a real stream arrives. */
async function sse(
  res: ServerResponse,
  events: { event?: string; data: unknown }[],
  done: boolean,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const { event, data } of events) {
    res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}
