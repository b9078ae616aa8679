import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

/**
 * The checkout as `git clone` would give it (tracked files and new ones not ignored, as they are
 * in the working tree): no node_modules, no build output.
 */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-clone-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of new Set(listed.stdout.split('\0').filter(Boolean))) {
    const from = join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(from, join(dir, file));
  }
  return dir;
}

describe('a fresh clone', () => {
  let dir: string;
  beforeAll(() => {
    dir = freshCopy();
  });
  // Its node_modules is 600 MB of small files: removed in the background rather than holding the
  // run up for a minute on a busy machine.
  afterAll(() => spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref());

  it('prints only JSON on stdout for its first --json command, while it installs and builds first', async () => {
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    writeFileSync(
      join(dir, 'events.json'),
      JSON.stringify([
        {
          eventId: 'a',
          occurredAt: '2026-06-01T12:00:00Z',
          provider: 'openai',
          model: 'gpt-5.5',
          usage: { inputTokens: 120000, outputTokens: 4000, cacheReadTokens: 100000 },
        },
      ]),
    );
    // What a user types on a fresh clone. npm's cache is warm here (this checkout installed the
    // same lock file), so `npm ci` takes half a minute instead of downloading.
    const child = spawn(
      'npm',
      ['run', '-s', 'tokenledger', '--', 'quote', '--file', 'events.json', '--json'],
      {
        cwd: dir,
        env: {
          // A user's shell, not `npm test`'s environment (npm_config_*, npm_lifecycle_*).
          ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_'))),
          DATABASE_URL: inject('databaseUrl'),
          npm_config_prefer_offline: 'true',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));

    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    // Standard output is the one JSON document, from its first byte.
    expect(stdout.slice(0, 200)).toMatch(/^\{\s*"events"/);
    const quote = JSON.parse(stdout) as { events: { eventId: string; totalUsd: string }[] };
    expect(quote.events.map((e) => [e.eventId, e.totalUsd])).toEqual([['a', '0.27']]);
    // It did install and build first, and said so on stderr, npm's own report included.
    expect(stderr).toContain('[prepare] installing dependencies');
    expect(stderr).toMatch(/added \d+ packages/);
    expect(stderr).toContain('[prepare] generating the Prisma client');
  }, 600_000);
});
