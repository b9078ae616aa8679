import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTokenledger } from './support/fake-tokenledger';

/**
 * The package as users install it: built (CJS + ESM + declarations, and the SDK's conformance
 * type-check), packed by npm, unpacked into an empty directory outside the workspace (so nothing
 * of ours, and no zod, can be resolved), then used from plain Node processes in both module
 * systems and type-checked from a consumer's TypeScript.
 */

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const SDK = join(ROOT, 'libs', 'sdk');
const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let app: string;
let api: FakeTokenledger;

beforeAll(async () => {
  api = await new FakeTokenledger().start();
  app = mkdtempSync(join(tmpdir(), 'tokenledger-sdk-'));
  await run(process.execPath, [join(SDK, 'scripts', 'build.mjs')], { cwd: ROOT });
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', app], { cwd: SDK });
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  const target = join(app, 'node_modules', '@tokenledger', 'sdk');
  mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', join(app, filename), '-C', target, '--strip-components=1']);
  writeFileSync(join(app, 'package.json'), '{ "name": "consumer", "private": true }\n');
}, 120_000);

afterAll(async () => {
  await api?.stop();
  if (app) rmSync(app, { recursive: true, force: true });
});

/** A script that tracks two events and ends without flushing: the exit hook must send them. */
const script = (load: string, label: string) => `${load}
const tl = new Tokenledger({ flushIntervalMs: 60000 });
const ids = [1, 2].map((i) => tl.track({ provider: 'openai', model: 'gpt-5.5', usage: { inputTokens: i * 100, outputTokens: i }, feature: '${label}' }));
console.log(JSON.stringify({ ids, wrap: typeof wrapOpenAI, anthropic: typeof wrapAnthropic }));
`;

describe('the published @tokenledger/sdk package', () => {
  it('ships only its builds, declarations and README, and depends on nothing', () => {
    const pkg = createRequire(join(app, 'package.json'))('@tokenledger/sdk/package.json') as Record<
      string,
      unknown
    >;
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toBeUndefined();
    const files = readdirSync(join(app, 'node_modules', '@tokenledger', 'sdk'), {
      recursive: true,
    }) as string[];
    expect(files).toContain(join('dist', 'esm', 'index.js'));
    expect(files).toContain(join('dist', 'cjs', 'index.d.ts'));
    expect(files).toContain('README.md');
    expect(files.filter((f) => f.startsWith('src'))).toEqual([]);
  });

  it.each([
    ['ES module', 'esm.mjs', `import { Tokenledger, wrapOpenAI, wrapAnthropic } from '@tokenledger/sdk';`],
    [
      'CommonJS',
      'cjs.cjs',
      `const { Tokenledger, wrapOpenAI, wrapAnthropic } = require('@tokenledger/sdk');`,
    ],
  ])('works from plain Node as an %s, flushing when the process ends', async (label, file, load) => {
    writeFileSync(join(app, file), script(load, label));
    const { stdout } = await run(process.execPath, [file], {
      cwd: app,
      timeout: 20_000,
      env: { ...process.env, TOKENLEDGER_API_KEY: api.apiKey, TOKENLEDGER_BASE_URL: api.url },
    });
    const out = JSON.parse(stdout) as { ids: string[]; wrap: string; anthropic: string };
    expect(out).toMatchObject({ wrap: 'function', anthropic: 'function' });
    expect(out.ids.map((id) => api.accepted.get(id)?.feature)).toEqual([label, label]);
  });

  it('runs examples/openai-chat.mjs (offline OpenAI stand-in) against a Tokenledger API', async () => {
    const before = new Set(api.acceptedIds());
    const { stdout } = await run(process.execPath, [join(ROOT, 'examples', 'openai-chat.mjs')], {
      cwd: ROOT,
      timeout: 30_000,
      env: {
        ...process.env,
        TOKENLEDGER_API_KEY: api.apiKey,
        TOKENLEDGER_BASE_URL: api.url,
        OPENAI_API_KEY: '',
      },
    });
    expect(stdout).toContain('4 delivered, 0 rejected, 0 lost');
    const events = [...api.accepted.values()].filter((e) => !before.has(e.eventId));
    expect(events.map((e) => [e.customerId, e.feature, e.model, e.usage.cacheReadTokens])).toEqual([
      ['acme-corp', 'example-chat', 'gpt-5.5-2026-03-05', 1024],
      ['acme-corp', 'example-chat', 'gpt-5.5-2026-03-05', 1024],
      ['globex', 'example-chat', 'gpt-5.5-2026-03-05', 1024],
      ['globex', 'example-chat', 'gpt-5.5-2026-03-05', 1024],
    ]);
  });

  it('type-checks in a consumer’s strict TypeScript, through import and require', async () => {
    const consumer = `
import { Tokenledger, withContext, wrapOpenAI, type TrackEvent, type TokenledgerSdkError } from '@tokenledger/sdk';
const tl = new Tokenledger({ apiKey: 'k', onError: (e: TokenledgerSdkError) => console.warn(e.code, e.willRetry) });
const event: TrackEvent = { provider: 'openai', model: 'm', usage: { inputTokens: 1, outputTokens: 1 } };
const id: string | undefined = withContext({ customerId: 'acme' }, () => tl.track(event));
const client = wrapOpenAI({ chat: { completions: { create: (body: { model: string }) => Promise.resolve(body) } } }, { tokenledger: tl });
void client.chat.completions.create({ model: 'x' }).then((r) => r.model.toUpperCase());
// @ts-expect-error usage is required
tl.track({ provider: 'openai', model: 'm' });
export { id };
`;
    writeFileSync(join(app, 'consumer.mts'), consumer);
    writeFileSync(join(app, 'consumer.cts'), consumer);
    // A consumer without @types/node (types: []), checking our declarations too (no skipLibCheck).
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          lib: ['es2022', 'dom'],
          types: [],
          skipLibCheck: false,
        },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    );
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error), failed: true }),
    );
    expect(result.stdout).toBe('');
  });
});
