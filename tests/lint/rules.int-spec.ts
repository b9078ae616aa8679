import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The architecture rules that only a lint enforces, checked against code that breaks them: a rule
// that silently stopped firing (a renamed tag, a missing project graph) fails here.
const ROOT = resolve(__dirname, '../..');
const NX = resolve(dirname(createRequire(__filename).resolve('nx/package.json')), 'dist/bin/nx.js');

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: resolve(ROOT, filePath) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
}

describe('lint rules', () => {
  beforeAll(() => {
    // The boundary rule reads the project graph; `npm run lint` computes it the same way.
    const nx = spawnSync(process.execPath, [NX, 'show', 'projects'], {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    expect(nx.status).toBe(0);
  });

  it('domain libraries may not read the clock or draw randomness', async () => {
    for (const lib of ['pricing', 'simulation', 'contracts', 'demo']) {
      const ids = await ruleIds(
        `libs/${lib}/src/clock.ts`,
        'export const t = () => [Date.now(), new Date(), Math.random(), crypto.randomUUID()];\n',
      );
      expect(ids.filter((id) => id === 'no-restricted-syntax')).toHaveLength(4);
    }
    expect(
      await ruleIds('libs/pricing/src/clock.ts', 'export const at = (now: Date) => new Date(now);\n'),
    ).toEqual([]);
    expect(await ruleIds('libs/db/src/clock.ts', 'export const t = () => Date.now();\n')).toEqual([]);
  });

  it('domain libraries may not import the data layer or frameworks', async () => {
    const ids = await ruleIds(
      'libs/pricing/src/db.ts',
      "import { Store } from '@tokenledger/db';\nexport const s = Store;\n",
    );
    expect(ids).toContain('@nx/enforce-module-boundaries');
    const nest = await ruleIds(
      'libs/demo/src/nest.ts',
      "import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n",
    );
    expect(nest).toContain('@nx/enforce-module-boundaries');
  });
});
