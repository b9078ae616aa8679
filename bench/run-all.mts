// `npm run bench`: every `bench:*` script in package.json, one after another (each loads both
// cores), then docs/BENCHMARKS.md from the figures each wrote to .reports/bench-<name>.json:
// machine facts, each figure, its ratio to the reference measured in the same run, and plainly
// whether each target was met. Figures are reported, never asserted: a missed target is a row
// that says so, not a failure. A benchmark that crashes is reported as such (and exits 1).
//
//   npm run bench                 every benchmark
//   npm run bench -- ingest sdk   only these (the page then lists only them)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  log,
  machineFacts,
  REPORTS_DIR,
  ROOT,
  type BenchReport,
  type Figure,
  type MachineFacts,
} from './support/bench-env.mjs';

/** The order the page lists them in; any other `bench:*` script comes after, by name. */
const ORDER = ['pricing', 'ingest', 'query', 'simulate', 'report', 'sdk', 'dashboard'];
const OUTPUT_LINES_KEPT = 60;

interface Run {
  name: string;
  code: number | null;
  seconds: number;
  report: BenchReport | null;
  /** The end of what it printed on stdout, for benchmarks that write no figures. */
  output: string[];
}

function benchScripts(): string[] {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return Object.keys(scripts)
    .filter((s) => s.startsWith('bench:'))
    .map((s) => s.slice('bench:'.length))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function run(name: string): Promise<Run> {
  const reportPath = join(REPORTS_DIR, `bench-${name}.json`);
  rmSync(reportPath, { force: true });
  const started = Date.now();
  log(`── bench:${name}`);
  return new Promise((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const child = spawn(npm, ['run', '--silent', `bench:${name}`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      const text = partial + d.toString();
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > OUTPUT_LINES_KEPT * 4) lines.splice(0, lines.length - OUTPUT_LINES_KEPT);
    });
    child.once('exit', (code) => {
      if (partial) lines.push(partial);
      const report = existsSync(reportPath)
        ? (JSON.parse(readFileSync(reportPath, 'utf8')) as BenchReport)
        : null;
      resolve({
        name,
        code,
        seconds: Math.round((Date.now() - started) / 1000),
        report,
        output: lines.slice(-OUTPUT_LINES_KEPT),
      });
    });
  });
}

/** `12,345 events/s`, `28.6 ms`, `22.7×`. */
const amount = (n: number, unit: string) => (unit === '×' ? `${number(n)}×` : `${number(n)} ${unit}`);
const number = (n: number) =>
  n.toLocaleString('en-US', { maximumFractionDigits: Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2 });
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function targetText(f: Figure): [string, string] {
  if (!f.target) return ['—', '—'];
  const op = { '>=': '≥', '<=': '≤', '<': '<', '>': '>' }[f.target.op];
  return [`${op} ${amount(f.target.value, f.unit)}`, f.target.met ? '**met**' : '**NOT met**'];
}

function markdown(runs: Run[], machine: MachineFacts, commit: string, partial: boolean): string {
  const date = new Date().toISOString().slice(0, 10);
  const pg = machine.postgresSettings;
  const lines = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\` on ${date} at commit ${commit}${partial ? ` (only ${runs.map((r) => `bench:${r.name}`).join(', ')})` : ''}.`,
    'Each figure is shown with the reference it is compared to, measured in the same run on the same machine.',
    'Figures are reported, not asserted: a target that was missed says **NOT met**. Run `npm run bench` to',
    'measure again (it rewrites this page); `npm run bench:<name>` runs one benchmark and prints its figures.',
    '',
    '## Machine',
    '',
    '| | |',
    '|---|---|',
    `| CPU | ${machine.cpu}, ${machine.cores} cores |`,
    `| Memory | ${machine.memoryGiB} GiB |`,
    `| OS | ${machine.os} |`,
    `| Node.js | ${machine.node} |`,
    `| PostgreSQL | ${machine.postgres} (shared_buffers ${pg.shared_buffers}, synchronous_commit ${pg.synchronous_commit}, fsync ${pg.fsync}, max_wal_size ${pg.max_wal_size}, work_mem ${pg.work_mem}) |`,
    `| Redis | ${machine.redis} |`,
    `| Load average when the run began | ${machine.loadAverage} (other work on the machine shares the cores) |`,
    '',
    '## Summary',
    '',
    '| benchmark | figure | value | target | met? | reference, same run | ratio |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of runs) {
    if (!r.report) {
      lines.push(
        `| \`bench:${r.name}\` | ${r.code === 0 ? 'wrote no figures (its output is below)' : `**failed** (exit ${r.code})`} | | | | | |`,
      );
      continue;
    }
    for (const f of r.report.figures) {
      const [target, met] = targetText(f);
      lines.push(
        `| \`bench:${r.name}\` | ${cell(f.name)} | ${amount(f.value, f.unit)} | ${target} | ${met} | ${
          f.reference ? `${cell(f.reference.name)}: ${amount(f.reference.value, f.reference.unit)}` : '—'
        } | ${f.reference ? f.reference.ratioText.replace(' than the reference', '').replace(' the reference', '') : '—'} |`,
      );
    }
  }
  for (const r of runs) {
    lines.push('', `## \`bench:${r.name}\`${r.report ? `: ${r.report.title}` : ''}`, '');
    if (r.report) {
      lines.push(`Ran for ${r.report.seconds} s.`, '');
      for (const note of r.report.notes) lines.push(`- ${note}`);
      if (r.report.markdown?.length) lines.push('', ...r.report.markdown);
      if (r.code !== 0) lines.push('', `**It exited with code ${r.code}**: see its output.`);
    } else {
      lines.push(
        r.code === 0
          ? 'It wrote no figures file; the end of what it printed:'
          : `**It failed (exit ${r.code}) after ${r.seconds} s**; the end of what it printed:`,
        '',
        '```',
        ...r.output,
        '```',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const wanted = process.argv.slice(2);
const names = benchScripts().filter((n) => wanted.length === 0 || wanted.includes(n));
const unknown = wanted.filter((w) => !benchScripts().includes(w));
if (unknown.length > 0) {
  console.error(
    `No bench:${unknown.join(', bench:')} script in package.json (there are: ${benchScripts().join(', ')})`,
  );
  process.exit(1);
}
const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const commit = `\`${git('rev-parse', '--short', 'HEAD') || 'unknown'}\`${
  git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes in the checkout)' : ''
}`;
const machine = await machineFacts();
const runs: Run[] = [];
for (const name of names) runs.push(await run(name));
const page = join(ROOT, 'docs', 'BENCHMARKS.md');
writeFileSync(page, markdown(runs, machine, commit, wanted.length > 0));
// The page is checked by `prettier --check` in npm test: write it as Prettier would.
spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--write', page],
  {
    cwd: ROOT,
    stdio: 'ignore',
  },
);
log(`wrote ${page}`);
for (const r of runs)
  log(
    `bench:${r.name}: ${r.code === 0 ? 'ran' : `FAILED (exit ${r.code})`} in ${r.seconds} s${
      r.report
        ? `; targets ${r.report.figures.filter((f) => f.target?.met).length} met, ${r.report.figures.filter((f) => f.target && !f.target.met).length} not met`
        : ''
    }`,
  );
process.exit(runs.some((r) => r.code !== 0) ? 1 : 0);
