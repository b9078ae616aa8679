import type { Command } from 'commander';
import { ErrorCode, JOB_NAMES, TokenledgerError } from '@tokenledger/contracts';
import { createProducerConnection, createQueue, INGEST_JOB_OPTIONS, within } from '@tokenledger/db';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

export function registerDeadLetterCommands(program: Command): void {
  const dead = program.command('deadletters').description('Ingest batches that failed every retry');

  dead
    .command('list')
    .description('List dead-lettered batches (not yet replayed unless --all)')
    .option('--all', 'include replayed ones')
    .action(async (options: { all?: boolean }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          const list = await store.deadLetters.list(options.all ?? false);
          emit(global, { deadLetters: list }, () =>
            list.length === 0
              ? 'No dead-lettered batches.'
              : list
                  .map(
                    (r) =>
                      `#${r.id}  ${r.failedAt.toISOString()}  ${r.eventCount} events  ${r.attempts} attempts  ${r.replayedAt ? 'replayed' : 'pending'}  ${r.error}`,
                  )
                  .join('\n'),
          );
        }),
      );
    });

  dead
    .command('replay')
    .description('Queue a dead-lettered batch again (events already stored are counted once)')
    .argument('<id>', 'the dead letter id from `deadletters list`')
    .action(async (id: string, _options: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store, config) => {
          if (!/^\d+$/.test(id))
            throw new TokenledgerError(
              ErrorCode.ValidationFailed,
              'id: must be a number from `deadletters list`',
            );
          const row = await store.deadLetters.payload(id);
          if (!row) throw new TokenledgerError(ErrorCode.NotFound, `id: no dead letter #${id}`);
          const connection = createProducerConnection(config.REDIS_URL);
          connection.on('error', () => undefined);
          const queue = createQueue('ingest', connection, { prefix: config.QUEUE_PREFIX });
          try {
            const job = await within(
              queue.add(JOB_NAMES.ingest, row.batch, INGEST_JOB_OPTIONS(config.INGEST_JOB_ATTEMPTS)),
              5000,
              'Redis',
            );
            await store.deadLetters.markReplayed(id);
            emit(
              global,
              { replayed: id, jobId: job.id, events: row.eventCount },
              () => `Queued dead letter #${id} again as job ${job.id} (${row.eventCount} events).`,
            );
          } finally {
            await queue.close().catch(() => undefined);
            connection.disconnect();
          }
        }),
      );
    });
}
