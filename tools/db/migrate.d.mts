// Types for migrate.mjs (plain ESM, no build step), so TypeScript callers and tests type-check.

export interface PathOptions {
  /** schema.prisma, or a folder of .prisma files. Default: prisma/schema.prisma in the repository. */
  schemaPath?: string;
  /** Default: `migrations` beside the schema. */
  migrationsDir?: string;
  /** Receives short progress lines. Silent by default. */
  log?: (line: string) => void;
}

export const REPO_ROOT: string;
export const DEFAULT_SCHEMA_PATH: string;
export const DEFAULT_DATABASE_URL: string;

/** Creates the database named in the URL if absent. Resolves to true if it was created. */
export function ensureDatabase(
  databaseUrl?: string,
  options?: { log?: (line: string) => void },
): Promise<boolean>;

/** Applies pending migrations (creating the database if needed); resolves to the names applied now. */
export function applyMigrations(databaseUrl?: string, options?: PathOptions): Promise<string[]>;

export interface CreatedMigration {
  /** Directory name, `<YYYYMMDDHHMMSS>_<name>`. */
  name: string;
  directory: string;
  file: string;
  sql: string;
}

/** Writes a migration for the schema changes; resolves to null (writing nothing) when there are none. */
export function createMigration(
  name: string,
  options?: PathOptions & { databaseUrl?: string },
): Promise<CreatedMigration | null>;

/** Whether the schema differs from what the migrations produce; `sql` is the migration that would close the gap. */
export function checkDrift(
  databaseUrl?: string,
  options?: PathOptions,
): Promise<{ drift: boolean; sql: string | null }>;

/** Drops and recreates the database, then applies every migration; resolves to the names applied. */
export function resetDatabase(databaseUrl?: string, options?: PathOptions): Promise<string[]>;

export function normalizeMigrationName(name: string): string;

/** The CLI; resolves to the exit code. */
export function main(argv?: string[]): Promise<number>;
