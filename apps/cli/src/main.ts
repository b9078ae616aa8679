import { Command } from 'commander';
import { registerBudgetCommands, registerForecastCommands } from './commands/budgets.command';
import { registerCatalogCommands } from './commands/catalog.command';
import { registerDeadLetterCommands } from './commands/dead-letters.command';
import { registerDemoCommands } from './commands/demo.command';
import { registerKeyCommands } from './commands/keys.command';
import { registerProjectCommands } from './commands/projects.command';
import { registerRepriceCommand } from './commands/reprice.command';
import { registerQuoteCommand } from './commands/quote.command';
import { registerReconcileCommand } from './commands/reconcile.command';
import { registerReportCommand } from './commands/report.command';
import { registerSeedCommand } from './commands/seed.command';
import { registerSimulateCommands } from './commands/simulate.command';

/** `npm run tokenledger -- <command>`: every command takes --json (one JSON document on stdout). */
export function buildProgram(): Command {
  const program = new Command('tokenledger')
    .description('Tokenledger: LLM cost observability')
    .option('--json', 'print one JSON document on stdout (logs go to stderr)')
    .showHelpAfterError()
    // Every subcommand's --help lists --json (and --help) under "Global Options".
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerProjectCommands(program);
  registerKeyCommands(program);
  registerSeedCommand(program);
  registerDeadLetterCommands(program);
  registerRepriceCommand(program);
  registerQuoteCommand(program);
  registerCatalogCommands(program);
  registerDemoCommands(program);
  registerSimulateCommands(program);
  registerReportCommand(program);
  registerReconcileCommand(program);
  registerBudgetCommands(program);
  registerForecastCommands(program);
  reportUnknownOptionsFirst(program);
  return program;
}

/**
 * Commander checks required options before unknown ones, so `keys create --projct x` would say
 * "--project not specified" instead of naming the typo. Required options are checked here,
 * after commander has refused unknown options (preAction runs after that check).
 */
function reportUnknownOptionsFirst(command: Command): void {
  for (const sub of command.commands) reportUnknownOptionsFirst(sub);
  const required = command.options.filter((o) => o.mandatory);
  if (required.length === 0) return;
  for (const option of required) {
    option.mandatory = false;
    option.description = `${option.description} (required)`;
  }
  command.hook('preAction', (_self, action) => {
    for (const option of required)
      if (action.getOptionValue(option.attributeName()) === undefined)
        action.error(`error: required option '${option.flags}' not specified`, {
          code: 'commander.missingMandatoryOptionValue',
        });
  });
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    });
}
