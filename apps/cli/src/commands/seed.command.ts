import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { DemoCredentials } from '@tokenledger/db';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';
import { builtInHuman, builtInSummary } from './catalog.command';

/** Local state of this checkout (demo credentials); TOKENLEDGER_HOME moves it (tests do). */
const HOME = process.env.TOKENLEDGER_HOME ?? join(__dirname, '..', '..', '..', '..', '.tokenledger');
export const CREDENTIALS_FILE = join(HOME, 'demo-login.txt');

function saveCredentials(credentials: DemoCredentials): void {
  mkdirSync(HOME, { recursive: true });
  writeFileSync(
    CREDENTIALS_FILE,
    [
      'Tokenledger demo organization (created on first start; shown once, kept here for you)',
      `login:      ${credentials.email}`,
      `password:   ${credentials.password}`,
      `ingest key: ${credentials.ingestKey}   (project "demo", scopes ingest, read)`,
      '',
    ].join('\n'),
  );
  chmodSync(CREDENTIALS_FILE, 0o600);
}

export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('Seed the built-in catalog and the demo organization (idempotent)')
    .action(async (_options: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          const catalog = await store.rates.importBuiltInCatalog();
          const credentials = await store.seedDemoOrganization();
          if (credentials) saveCredentials(credentials);
          const result = {
            catalog: builtInSummary(catalog),
            demo: credentials
              ? { created: true, ...credentials, savedTo: CREDENTIALS_FILE }
              : { created: false },
          };
          emit(global, result, () =>
            [
              builtInHuman(catalog),
              credentials
                ? [
                    'Created the demo organization "demo" with project "demo".',
                    `  login:      ${credentials.email}`,
                    `  password:   ${credentials.password}`,
                    `  ingest key: ${credentials.ingestKey}`,
                    `  (also saved to ${CREDENTIALS_FILE})`,
                  ].join('\n')
                : 'The demo organization already exists; nothing to do.',
            ].join('\n'),
          );
        }),
      );
    });
}
