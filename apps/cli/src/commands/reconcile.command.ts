import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import {
  coverageSentence,
  isReconcileProvider,
  parseMonth,
  PROVIDER_LABELS,
  totalTokens,
  type Reconciliation,
  type ReconciliationLine,
} from '@tokenledger/reports';
import Decimal from 'decimal.js';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

const money = (d: Decimal | null) =>
  d === null ? '—' : d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);
const pct = (d: Decimal | null) =>
  d === null ? '—' : `${d.toDecimalPlaces(1, Decimal.ROUND_HALF_UP).toFixed(1)}%`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (i >= 3 && i <= 8 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function lineJson(l: ReconciliationLine) {
  const d = (x: Decimal | null) => (x === null ? null : x.toFixed());
  return {
    ...l,
    providerCostUsd: d(l.providerCostUsd),
    ourCostUsd: d(l.ourCostUsd),
    differenceUsd: d(l.differenceUsd),
    differencePercent: d(l.differencePercent),
    unexplainedUsd: d(l.unexplainedUsd),
    explanations: l.explanations.map((e) => ({ ...e, amountUsd: d(e.amountUsd) })),
  };
}

export function human(r: Reconciliation, all: boolean): string {
  const label = PROVIDER_LABELS[r.provider];
  const shown = all ? r.lines : r.lines.filter((l) => l.explanations.length > 0 || l.differenceUsd === null);
  const rows = [
    [
      'day',
      'project',
      'model',
      `${label} tokens`,
      'our tokens',
      `${label} $`,
      'our $',
      'diff $',
      'diff %',
      'explanation',
    ],
  ];
  for (const l of shown)
    rows.push([
      l.day,
      l.project ?? '(unmapped)',
      l.model,
      totalTokens(l.providerTokens).toLocaleString('en-US'),
      totalTokens(l.ourTokens).toLocaleString('en-US'),
      money(l.providerCostUsd),
      money(l.ourCostUsd),
      money(l.differenceUsd),
      pct(l.differencePercent),
      l.explanations.map((e) => `${e.kind} ${money(e.amountUsd)}: ${e.detail}`).join('; ') ||
        (l.differenceUsd === null ? 'no cost report for the day' : ''),
    ]);
  const t = r.totals;
  return [
    `${label} ${r.month}: usage report covers ${count(r.usageDays.length, 'day')}, cost report ${count(r.costDays.length, 'day')}`,
    coverageSentence(r),
    '',
    shown.length > 0 ? table(rows) : 'Every line matches.',
    all || shown.length === r.lines.length
      ? ''
      : `(${r.lines.length - shown.length} matching lines not shown; --all shows them)`,
    `Total: ${label} $${money(t.providerCostUsd)}, Tokenledger $${money(t.ourCostUsd)}, difference $${money(t.differenceUsd)} (${pct(t.differencePercent)})`,
    ...t.byExplanation.map(
      (e) => `  ${e.kind.padEnd(17)} $${money(e.amountUsd).padStart(12)} on ${e.lines} lines`,
    ),
    `  ${'unexplained'.padEnd(17)} $${money(t.unexplainedUsd).padStart(12)}`,
  ]
    .filter((s, i, a) => s !== '' || a[i - 1] !== '')
    .join('\n');
}

export function registerReconcileCommand(program: Command): void {
  program
    .command('reconcile')
    .description("Line a month of a provider's usage and cost reports up against what Tokenledger priced")
    .requiredOption('--month <YYYY-MM>', 'the calendar month (UTC days), e.g. 2026-10')
    .requiredOption('--provider <provider>', 'openai|anthropic')
    .option(
      '--file <pages.json>',
      'import these API pages first (JSON array, JSON Lines, or {"usage": [...], "costs": [...]})',
    )
    .option('--import', "import the month from the provider's API first, with the stored admin key")
    .option('--all', 'show matching lines too')
    .option('--org <slug>', 'the organization (default: the only one)')
    .action(
      async (
        options: {
          month: string;
          provider: string;
          file?: string;
          import?: boolean;
          all?: boolean;
          org?: string;
        },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        await runCommand(global, () =>
          withStore(async (store) => {
            if (!parseMonth(options.month))
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                `--month: "${options.month}" is not a month such as 2026-10`,
              );
            const provider = options.provider.toLowerCase();
            if (!isReconcileProvider(provider))
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                '--provider: must be openai or anthropic',
              );
            let orgId: string;
            if (options.org) orgId = (await store.organizations.requireBySlug(options.org, '--org')).id;
            else {
              const orgs = await store.reports.organizations();
              if (orgs.length !== 1)
                throw new TokenledgerError(
                  ErrorCode.ValidationFailed,
                  `--org: there are ${orgs.length} organizations; say which (${orgs
                    .slice(0, 5)
                    .map((o) => o.slug)
                    .join(', ')})`,
                );
              orgId = orgs[0]!.id;
            }
            let imported = null;
            if (options.file) {
              let text: string;
              try {
                text = readFileSync(options.file, 'utf8');
              } catch (error) {
                throw new TokenledgerError(
                  ErrorCode.ValidationFailed,
                  `--file: cannot read ${options.file} (${(error as NodeJS.ErrnoException).code})`,
                );
              }
              try {
                imported = await store.reconciler.importFile(orgId, provider, text);
              } catch (error) {
                if (error instanceof TokenledgerError)
                  throw new TokenledgerError(
                    error.code,
                    `--file ${options.file}: ${error.message.replace(/^file: /, '')}`,
                    error.details,
                  );
                throw error;
              }
            }
            if (options.import)
              imported = await store.reconciler.importFromApi(orgId, provider, options.month, new Date());
            const r = await store.reconciler.reconcile(orgId, provider, options.month);
            emit(
              global,
              {
                provider: r.provider,
                month: r.month,
                imported,
                usageDays: r.usageDays,
                costDays: r.costDays,
                coverage: coverageSentence(r),
                totals: {
                  ...r.totals,
                  coveragePercent: r.totals.coveragePercent?.toFixed() ?? null,
                  providerCostUsd: r.totals.providerCostUsd.toFixed(),
                  ourCostUsd: r.totals.ourCostUsd.toFixed(),
                  differenceUsd: r.totals.differenceUsd.toFixed(),
                  differencePercent: r.totals.differencePercent?.toFixed() ?? null,
                  unexplainedUsd: r.totals.unexplainedUsd.toFixed(),
                  byExplanation: r.totals.byExplanation.map((e) => ({
                    ...e,
                    amountUsd: e.amountUsd.toFixed(),
                  })),
                },
                lines: r.lines.map(lineJson),
              },
              () =>
                (imported
                  ? `Imported ${count(imported.usageRows, 'usage row')} (${count(imported.usageDays, 'day')}) and ${count(imported.costRows, 'cost row')} (${count(imported.costDays, 'day')})\n`
                  : '') + human(r, options.all ?? false),
            );
          }),
        );
      },
    );
}

/** "1 day", "3 days". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
