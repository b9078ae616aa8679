import type { Command } from 'commander';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { RepriceOutcome } from '@tokenledger/db';
import { withStore } from '../context';
import { Progress } from '../demo/progress';
import { emit, runCommand, type GlobalOptions } from '../output';

function parseDate(flag: string, value: string | undefined): Date | null {
  if (value === undefined) return null;
  const d = new Date(value);
  if (Number.isNaN(d.getTime()))
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `${flag}: "${value}" is not a date (e.g. 2026-06-01 or 2026-06-01T00:00:00Z)`,
    );
  return d;
}

export function registerRepriceCommand(program: Command): void {
  program
    .command('reprice')
    .description(
      'Re-price stored events from a date with the rates in force now, and rebuild their rollups (audited)',
    )
    .requiredOption('--since <date>', 're-price events that occurred at or after this time')
    .option('--until <date>', 'and before this time')
    .option('--org <slug>', 'one organization (default: every organization with events in the range)')
    .option('--reason <text>', 'recorded with the run', 'manual reprice')
    .action(
      async (options: { since: string; until?: string; org?: string; reason: string }, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        await runCommand(global, () =>
          withStore(async (store) => {
            const since = parseDate('--since', options.since)!;
            const until = parseDate('--until', options.until);
            if (until && until <= since)
              throw new TokenledgerError(ErrorCode.ValidationFailed, '--until: must be after --since');
            let orgs: { id: string; slug: string }[];
            if (options.org) {
              orgs = [await store.organizations.requireBySlug(options.org, '--org')];
            } else {
              orgs = await store.repriceRuns.organizationsWithEvents(since, until);
            }
            // The same run record and runner the worker's reprice jobs use, run here rather than
            // queued: it needs no worker running, and the command can report what it changed.
            const pricer = await store.pricer().fresh();
            const runs: ({ organization: string; runId: string } & RepriceOutcome)[] = [];
            for (const org of orgs) {
              const runId = await store.repriceRuns.create({
                organizationId: org.id,
                since,
                until,
                reason: options.reason,
                requestedBy: 'cli',
              });
              // A progress bar on stderr (events scanned of the run's total); none with --json.
              let bar: Progress | null = null;
              const outcome = await store.analytics.reprice(pricer, runId, {
                onProgress: ({ done, total }) => {
                  if (global.json) return;
                  bar ??= new Progress(`re-pricing ${org.slug}`, total);
                  bar.update(done);
                },
              });
              (bar as Progress | null)?.finish();
              runs.push({ organization: org.slug, runId, ...outcome });
            }
            emit(global, { runs }, () =>
              runs.length === 0
                ? 'No events in that range; nothing to re-price.'
                : runs
                    .map(
                      (r) =>
                        `${r.organization}: ${r.eventsChanged} of ${r.eventsScanned} events changed, $${r.totalBefore} → $${r.totalAfter} (run ${r.runId})`,
                    )
                    .join('\n'),
            );
          }),
        );
      },
    );
}
