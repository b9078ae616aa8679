import { ErrorCode, errorEnvelope, TokenledgerError, type ErrorEnvelope } from '@tokenledger/contracts';
import { loadConfig, describeDatabaseUrl, ConfigError } from '@tokenledger/config';

/** Global options every command shares. */
export interface GlobalOptions {
  json?: boolean;
}

/**
 * Prints a command's result: one JSON document on stdout with --json, human text otherwise.
 * Human text goes to stdout too; logs and progress go to stderr.
 */
export function emit(options: GlobalOptions, result: unknown, human: () => string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else process.stdout.write(`${human()}\n`);
}

function describe(error: unknown): ErrorEnvelope {
  if (error instanceof TokenledgerError) return errorEnvelope(error.code, error.message, error.details);
  if (error instanceof ConfigError)
    return errorEnvelope(ErrorCode.ValidationFailed, error.message, error.problems);
  const text = error instanceof Error ? error.message : String(error);
  if (/ECONNREFUSED|P1001|Can't reach database|connect ECONN/i.test(text)) {
    let where = 'the configured address';
    try {
      where = describeDatabaseUrl(loadConfig().DATABASE_URL);
    } catch {
      /* keep the generic wording */
    }
    return errorEnvelope(
      ErrorCode.ServiceUnavailable,
      `PostgreSQL is not reachable at ${where}: start it, or set DATABASE_URL`,
    );
  }
  if (/(database|relation|table) [`"][^`"]+[`"] does not exist/i.test(text)) {
    const reason = text.trim().split('\n').pop()!.trim();
    return errorEnvelope(
      ErrorCode.ServiceUnavailable,
      `The database is not set up: run \`npm run db:migrate\` (or \`npm start\`) first (${reason})`,
    );
  }
  return errorEnvelope(ErrorCode.Internal, text);
}

/** Runs a command body; on failure prints the error (JSON on stdout with --json) and exits 1. */
export async function runCommand(options: GlobalOptions, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const envelope = describe(error);
    if (options.json) process.stdout.write(`${JSON.stringify(envelope, null, 2)}\n`);
    else process.stderr.write(`error: ${envelope.error.message}\n`);
    if (envelope.error.code === ErrorCode.Internal && process.env.TOKENLEDGER_DEBUG) console.error(error);
    process.exitCode = 1;
  }
}
