// Sends OpenAI chat usage to a local Tokenledger through @tokenledger/sdk.
//
//   npm start                          # the API on http://127.0.0.1:4000, the demo org and its key
//   npm run build:sdk                  # builds the SDK package this example imports
//   node examples/openai-chat.mjs
//
// The Tokenledger key comes from TOKENLEDGER_API_KEY, else from the demo ingest key that
// `npm start` keeps in .tokenledger/demo-login.txt. With OPENAI_API_KEY set the calls go to OpenAI;
// without it, to a small stand-in for the OpenAI API started below, so the example runs offline.
// Then look at the dashboard (http://127.0.0.1:5173): spend by customer for feature "example-chat".
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';

const sdk = await import('@tokenledger/sdk').catch(() => {
  console.error('The SDK is not built yet: run `npm run build:sdk` first.');
  process.exit(1);
});
const { Tokenledger, withContext, wrapOpenAI } = sdk;

function demoIngestKey() {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '.tokenledger', 'demo-login.txt');
  try {
    return /ingest key:\s*(\S+)/.exec(readFileSync(file, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Answers /v1/chat/completions like OpenAI would (usage included), for running offline. */
async function startStandIn() {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const request = JSON.parse(body);
      const prompt = JSON.stringify(request.messages).length;
      const usage = {
        prompt_tokens: 1200 + prompt,
        completion_tokens: 180,
        total_tokens: 1380 + prompt,
        prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 64, audio_tokens: 0 },
      };
      const base = {
        id: `chatcmpl-${Date.now()}`,
        created: Math.floor(Date.now() / 1000),
        model: 'gpt-5.5-2026-03-05',
      };
      const text = 'Tokenledger recorded this call.';
      if (!request.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ...base,
            object: 'chat.completion',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: text },
                finish_reason: 'stop',
                logprobs: null,
              },
            ],
            usage,
            service_tier: 'default',
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (fields) =>
        res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...fields })}\n\n`);
      for (const word of text.split(' '))
        chunk({ choices: [{ index: 0, delta: { content: `${word} ` }, finish_reason: null }], usage: null });
      chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null });
      if (request.stream_options?.include_usage) chunk({ choices: [], usage });
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const apiKey = process.env.TOKENLEDGER_API_KEY ?? demoIngestKey();
if (!apiKey) {
  console.error(
    'No Tokenledger key: set TOKENLEDGER_API_KEY, or run `npm start` once to create the demo key.',
  );
  process.exit(1);
}
const baseUrl = process.env.TOKENLEDGER_BASE_URL ?? 'http://127.0.0.1:4000';
const tokenledger = new Tokenledger({
  apiKey,
  baseUrl,
  defaults: { environment: 'development', tags: { example: 'openai-chat' } },
  onError: (error) => console.error(`tokenledger: ${error.code}: ${error.message}`),
});

let standIn;
if (!process.env.OPENAI_API_KEY) {
  standIn = await startStandIn();
  console.log('OPENAI_API_KEY is not set: calling a local stand-in for the OpenAI API.');
}
const openai = wrapOpenAI(
  new OpenAI(
    standIn
      ? { apiKey: 'sk-stand-in', baseURL: `http://127.0.0.1:${standIn.address().port}/v1`, maxRetries: 0 }
      : {},
  ),
  { tokenledger, feature: 'example-chat' },
);
const model = process.env.OPENAI_MODEL ?? 'gpt-5.5';

for (const customerId of ['acme-corp', 'globex']) {
  // Every call inside this scope is labelled with the customer, without passing it along.
  await withContext({ customerId }, async () => {
    const completion = await openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: `Write one sentence for ${customerId}.` }],
    });
    console.log(`${customerId}: ${completion.choices[0].message.content}`);

    const stream = await openai.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Now stream one.' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    console.log(`${customerId} (streamed): ${text.trim()}`);
  });
}

await tokenledger.shutdown();
standIn?.close();
const stats = tokenledger.stats();
console.log(
  `\nSent to ${baseUrl}: ${stats.delivered} delivered, ${stats.rejected} rejected, ${stats.lost} lost.`,
);
process.exitCode = stats.delivered === stats.tracked ? 0 : 1;
