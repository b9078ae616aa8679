// Builds the publishable package: CommonJS (dist/cjs) and ES modules (dist/esm), each with type
// declarations, from the same sources; then type-checks the specs (which hold the compile-time
// proof that the SDK's event types equal @tokenledger/contracts') and verifies the output imports
// nothing but its own files, so the package installs alone.
// Usage: node libs/sdk/scripts/build.mjs [--out <dir>] [--skip-typecheck]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const OUT = outIndex >= 0 ? resolve(args[outIndex + 1]) : join(PKG, 'dist');
const tsc = createRequire(join(PKG, 'package.json')).resolve('typescript/bin/tsc');

function run(label, tscArgs) {
  const started = Date.now();
  const result = spawnSync(process.execPath, [tsc, ...tscArgs], { cwd: PKG, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[sdk build] ${label} failed`);
    process.exit(1);
  }
  console.error(`[sdk build] ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const common = ['-p', 'tsconfig.json', '--composite', 'false', '--incremental', 'false'];
rmSync(join(OUT, 'cjs'), { recursive: true, force: true });
rmSync(join(OUT, 'esm'), { recursive: true, force: true });
rmSync(join(OUT, 'tsconfig.tsbuildinfo'), { force: true });
run('CommonJS', [...common, '--outDir', join(OUT, 'cjs')]);
run('ES modules', [
  ...common,
  '--outDir',
  join(OUT, 'esm'),
  '--module',
  'esnext',
  '--moduleResolution',
  'bundler',
]);
mkdirSync(join(OUT, 'cjs'), { recursive: true });
writeFileSync(join(OUT, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(join(OUT, 'esm', 'package.json'), '{ "type": "module" }\n');
if (!args.includes('--skip-typecheck'))
  run('type-check of specs and conformance', ['-p', 'tsconfig.spec.json']);

// Every import in the output must be one of the package's own files.
const problems = [];
const walk = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path);
    else if (/\.(js|d\.ts)$/.test(entry.name)) {
      const text = readFileSync(path, 'utf8');
      const specifiers = [
        ...text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g),
      ].map((m) => m[1]);
      for (const s of specifiers) {
        if (!s.startsWith('./') && !s.startsWith('../'))
          problems.push(`${relative(OUT, path)} imports "${s}"`);
        else if (entry.name.endsWith('.js') && !s.endsWith('.js'))
          problems.push(`${relative(OUT, path)} imports "${s}" without its .js extension`);
      }
    }
  }
};
walk(join(OUT, 'cjs'));
walk(join(OUT, 'esm'));
if (problems.length > 0) {
  console.error(`[sdk build] the package would not install alone:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.error(`[sdk build] ${relative(process.cwd(), OUT) || '.'}/{cjs,esm} ready`);
