import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { LocalReportStorage } from '@tokenledger/db';
import { isReportFormat, monthBounds, parseMonth, REPORT_FORMATS } from '@tokenledger/reports';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

/** A one-line progress bar on stderr (redrawn in place on a terminal, a line per step otherwise). */
function progressBar(enabled: boolean): (percent: number) => void {
  let last = -1;
  return (percent) => {
    if (!enabled || percent === last) return;
    last = percent;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(percent).padStart(3)}%`;
    if (process.stderr.isTTY) process.stderr.write(`\r${bar}${percent === 100 ? '\n' : ''}`);
    else if (percent === 100 || percent % 10 === 0) process.stderr.write(`${bar}\n`);
  };
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description("Make an organization's monthly report (a new revision) and write it to a file")
    .requiredOption('--month <YYYY-MM>', 'the calendar month, e.g. 2026-10')
    .requiredOption('--format <format>', REPORT_FORMATS.join('|'))
    .requiredOption(
      '--out <file>',
      'where to write the file (a CSV report also writes <file> minus .csv plus -summary.csv)',
    )
    .option('--org <slug>', 'the organization (default: the only one)')
    .action(
      async (options: { month: string; format: string; out: string; org?: string }, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        await runCommand(global, () =>
          withStore(async (store, config) => {
            if (!parseMonth(options.month))
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                `--month: "${options.month}" is not a month such as 2026-10`,
              );
            const format = options.format.toLowerCase();
            if (!isReportFormat(format))
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                `--format: must be one of ${REPORT_FORMATS.join(', ')}`,
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
            const org = await store.reports.organization(orgId);
            if (monthBounds(options.month, org.reportTimeZone).start > new Date())
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                `--month: ${options.month} has not started yet`,
              );
            const report = await store.reports.createRevision({
              organizationId: org.id,
              month: options.month,
              format,
              timeZone: org.reportTimeZone,
              trigger: 'manual',
              requestedBy: 'cli',
            });
            // The same generator the worker's report jobs run, here rather than queued: it needs
            // no worker running, and the file is kept as a revision the API can serve too.
            const storage = new LocalReportStorage(config.REPORTS_DIR);
            const started = Date.now();
            if (!global.json)
              process.stderr.write(`${org.slug} ${options.month} ${format}, revision ${report.revision}\n`);
            let done;
            try {
              done = await store
                .reportGenerator(storage)
                .generate(report.id, { onProgress: progressBar(!global.json) });
            } catch (error) {
              await store.reports.markFailed(report.id, (error as Error).message);
              throw error;
            }
            const save = async (key: string, path: string) =>
              pipeline((await storage.open(key)).stream, createWriteStream(path));
            await save(done.storageKey!, options.out);
            let summaryOut: string | null = null;
            if (done.summaryStorageKey) {
              summaryOut = options.out.replace(/(\.csv)?$/i, '-summary.csv');
              await save(done.summaryStorageKey, summaryOut);
            }
            const result = {
              reportId: done.id,
              organization: org.slug,
              month: done.month,
              format: done.format,
              revision: done.revision,
              totalUsd: done.totalUsd?.toString() ?? null,
              lineItems: done.lineItems,
              file: options.out,
              summaryFile: summaryOut,
              bytes: done.byteSize,
              seconds: (Date.now() - started) / 1000,
            };
            emit(global, result, () =>
              [
                `Wrote ${options.out} (${done.byteSize} bytes${summaryOut ? `; summary ${summaryOut}` : ''})`,
                `Total $${result.totalUsd} over ${done.lineItems} line items; revision ${done.revision} (report ${done.id})`,
              ].join('\n'),
            );
          }),
        );
      },
    );
}
