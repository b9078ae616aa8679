import { Command } from 'commander';
import { registerBudgetCommands, registerForecastCommands } from './commands/budgets.command';
import { registerCatalogCommands } from './commands/catalog.command';
import { registerDeadLetterCommands } from './commands/dead-letters.command';
import { registerDemoCommands } from './commands/demo.command';
import { registerKeyCommands } from './commands/keys.command';
import { registerRepriceCommand } from './commands/reprice.command';
import { registerQuoteCommand } from './commands/quote.command';
import { registerReportCommand } from './commands/report.command';
import { registerSeedCommand } from './commands/seed.command';
import { registerSimulateCommands } from './commands/simulate.command';

/** `npm run tokenledger -- <command>`: every command takes --json (one JSON document on stdout). */
export function buildProgram(): Command {
  const program = new Command('tokenledger')
    .description('Tokenledger: LLM cost observability')
    .option('--json', 'print one JSON document on stdout (logs go to stderr)')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerKeyCommands(program);
  registerSeedCommand(program);
  registerDeadLetterCommands(program);
  registerRepriceCommand(program);
  registerQuoteCommand(program);
  registerCatalogCommands(program);
  registerDemoCommands(program);
  registerSimulateCommands(program);
  registerReportCommand(program);
  registerBudgetCommands(program);
  registerForecastCommands(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    });
}
