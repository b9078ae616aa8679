// Prisma's WASM schema engine, driven offline through @prisma/adapter-pg.
//
// The Prisma CLI only knows how to spawn a native schema-engine binary, which it downloads on
// demand; this machine cannot download it. The same engine ships on npm compiled to WebAssembly
// (@prisma/schema-engine-wasm) and talks to the database through a driver adapter. This module
// loads it and wires it to Postgres, working around the traps of running it that way (each is
// handled, and explained, where it bites below). See migrate.mjs for the commands built on it.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const require = createRequire(import.meta.url);

const ignore = () => undefined;

const PG_CHAR_OID = 18; // Postgres' internal one-byte `"char"` type, used all over pg_catalog
const PG_TEXT_OID = 25;

// ---------------------------------------------------------------------------------------------
// Loading the WASM module
// ---------------------------------------------------------------------------------------------

let wasmModulePromise;

/**
 * Loads `@prisma/schema-engine-wasm` once per process. Node 20 cannot `import` a `.wasm` file,
 * so the package's own entry point (which does exactly that) is bypassed: import the JS glue,
 * instantiate the `.wasm` next to it by hand, and hand the instance to the glue.
 * @returns {Promise<typeof import('@prisma/schema-engine-wasm')>}
 */
export function loadSchemaEngineWasm() {
  wasmModulePromise ??= (async () => {
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = fs.readFileSync(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
    // The engine arms timers (e.g. its 10 s advisory-lock timeout) and never clears them, which
    // would keep Node alive for 10 s after the work is done: unref them. withSchemaEngine keeps
    // the process alive while a command runs.
    const imports = { ...glue };
    for (const name of Object.keys(glue).filter((n) => n.startsWith('__wbg_setTimeout_'))) {
      imports[name] = (...args) => {
        const timer = glue[name](...args);
        timer?.unref?.();
        return timer;
      };
    }
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      './schema_engine_bg.js': imports,
    });
    glue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return glue;
  })();
  return wasmModulePromise;
}

// ---------------------------------------------------------------------------------------------
// Connection settings
// ---------------------------------------------------------------------------------------------

/**
 * Splits a postgres URL into the discrete settings `pg` takes. The adapter must never receive a
 * `connectionString`: the shadow database is made by overriding `database`, and pg lets a
 * connection string silently win over it (so the "shadow" would be the real database).
 * @param {string} databaseUrl
 */
export function connectionOptionsFromUrl(databaseUrl) {
  let url;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new DbToolError(`Invalid DATABASE_URL: ${redactUrl(databaseUrl)}`);
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new DbToolError(`DATABASE_URL must be a postgresql:// URL, got ${url.protocol}//…`);
  }
  const params = url.searchParams;
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const options = {
    // `?host=/var/run/postgresql` selects a Unix socket directory, as in libpq.
    host: params.get('host') || decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: Number(params.get('port') || url.port || 5432),
    user: decodeURIComponent(url.username) || params.get('user') || 'postgres',
    database,
  };
  const password = url.password ? decodeURIComponent(url.password) : params.get('password');
  if (password) options.password = password;
  const sslmode = params.get('sslmode');
  if (sslmode && sslmode !== 'disable' && sslmode !== 'prefer' && sslmode !== 'allow') {
    options.ssl = sslmode === 'verify-full' || sslmode === 'verify-ca' ? true : { rejectUnauthorized: false };
  }
  const connectTimeout = params.get('connect_timeout');
  options.connectionTimeoutMillis = connectTimeout ? Number(connectTimeout) * 1000 : 5000;
  // `?schema=x` (Prisma's convention): migrations use unqualified names, so put x first on the
  // search path of every session, as Prisma's native engine does.
  const schema = params.get('schema') || undefined;
  if (schema) options.options = `-c search_path=${quoteIdent(schema).replaceAll(' ', '\\ ')}`;
  return { options, schema };
}

/** The URL with its password replaced, for messages. */
export function redactUrl(databaseUrl) {
  return String(databaseUrl).replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** Double-quotes a Postgres identifier. */
export function quoteIdent(name) {
  return `"${String(name).replaceAll('"', '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// pg client that reports `"char"` as text
// ---------------------------------------------------------------------------------------------

function charAsText(result) {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of r?.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/**
 * The schema engine's catalog queries return columns of Postgres' internal `"char"` type
 * (OID 18), which @prisma/adapter-pg refuses ("UnsupportedNativeDataType"). pg already decodes
 * it as a string, so relabel it as text before the adapter sees the result.
 */
class CharAsTextClient extends pg.Client {
  query(config, values, callback) {
    if (config && typeof config.submit === 'function') return super.query(config, values, callback);
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    if (typeof callback === 'function') {
      return super.query(config, values, (err, res) => callback(err, err ? res : charAsText(res)));
    }
    return super.query(config, values).then(charAsText);
  }
}

// ---------------------------------------------------------------------------------------------
// Adapter factory
// ---------------------------------------------------------------------------------------------

/** Runs one statement on a short-lived connection (CREATE/DROP DATABASE cannot run in a pool tx). */
export async function runAdminStatement(options, sql) {
  const client = new pg.Client(options);
  client.on('error', ignore); // a dropped idle connection must not crash the process
  try {
    await client.connect();
    return await client.query(sql);
  } finally {
    await client.end().catch(ignore);
  }
}

/**
 * Wraps an adapter so it runs migration scripts the way the native engine does and can be
 * disposed more than once.
 */
function hardenAdapter(adapter, onDispose) {
  // adapter-pg's executeScript splits the script on every `;` (breaking `$$ … $$` bodies and
  // string literals) and runs the pieces one by one, without atomicity. The native engine sends
  // the whole script in one simple-protocol query, which Postgres runs as one implicit
  // transaction. Do that.
  adapter.executeScript = async function executeScript(script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  const dispose = adapter.dispose.bind(adapter);
  let disposed;
  adapter.dispose = () => {
    disposed ??= (async () => {
      try {
        await dispose();
      } finally {
        await onDispose?.();
      }
    })();
    return disposed;
  };
  return adapter;
}

/** Temporary databases (shadow and scratch) that exist right now: name → connection options. */
const temporaryDatabases = new Map();

/** Creates an empty database named `<prefix><random>` on the server of `options`; returns its name. */
export async function createTemporaryDatabase(options, prefix) {
  const database = `${prefix}${randomUUID().replaceAll('-', '')}`;
  await runAdminStatement(options, `CREATE DATABASE ${quoteIdent(database)}`);
  temporaryDatabases.set(database, options);
  return database;
}

/** Drops a database made by createTemporaryDatabase, ending any session still on it. */
export async function dropTemporaryDatabase(options, database) {
  await runAdminStatement(options, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
  temporaryDatabases.delete(database);
}

/** Drops every temporary database this process created and has not dropped yet (for Ctrl-C). */
export async function dropTemporaryDatabases() {
  await Promise.allSettled(
    [...temporaryDatabases].map(([name, options]) => dropTemporaryDatabase(options, name)),
  );
}

/**
 * A migration-aware adapter factory for the schema engine: connects with discrete settings,
 * relabels `"char"` as text, and makes shadow databases that are really separate and really
 * dropped (pool closed first, then `DROP DATABASE … WITH (FORCE)`).
 */
export class MigrationAdapterFactory {
  provider = 'postgres';
  adapterName = '@prisma/adapter-pg';

  /** @param {{ options: pg.ClientConfig, schema?: string }} connection */
  constructor({ options, schema }) {
    this.options = options;
    this.schema = schema;
    this.adapters = new Set();
  }

  // One session per pool: the engine takes a session-level advisory lock
  // (pg_advisory_lock(72707369)) before migrating, which only protects if every later statement
  // runs in that same session. It never opens transactions, so one connection cannot deadlock.
  poolConfig(database) {
    return { ...this.options, database, Client: CharAsTextClient, max: 1, idleTimeoutMillis: 0 };
  }

  async connect() {
    const factory = new PrismaPg(this.poolConfig(this.options.database), { schema: this.schema });
    const adapter = hardenAdapter(await factory.connect(), () => this.adapters.delete(adapter));
    this.adapters.add(adapter);
    return adapter;
  }

  async connectToShadowDb() {
    const database = await createTemporaryDatabase(this.options, 'prisma_migrate_shadow_db_');
    const factory = new PrismaPg(this.poolConfig(database), { schema: this.schema });
    // Called after the adapter's own pool is closed: a database with open sessions cannot be
    // dropped (adapter-pg drops first and fails), and FORCE ends any straggler.
    const dropShadow = async () => {
      this.adapters.delete(adapter);
      await dropTemporaryDatabase(this.options, database);
    };
    const adapter = hardenAdapter(await factory.connect(), dropShadow);
    this.adapters.add(adapter);
    return adapter;
  }

  /** Closes every pool still open (and drops any shadow database the engine left behind). */
  async close() {
    const results = await Promise.allSettled([...this.adapters].map((a) => a.dispose()));
    this.adapters.clear();
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** An error meant for the user: the CLI prints its message in one line, without a stack. */
export class DbToolError extends Error {
  name = 'DbToolError';
  constructor(message, { code, cause } = {}) {
    super(message, { cause });
    this.code = code;
  }
}

/** How to start Postgres on this kind of machine. */
export function postgresStartHint() {
  let versions = [];
  try {
    versions = fs.readdirSync('/etc/postgresql');
  } catch {
    // not a Debian-style install
  }
  const cluster =
    versions.length === 1 ? `pg_ctlcluster --skip-systemctl-redirect ${versions[0]} main start` : undefined;
  return cluster
    ? `start it with \`${cluster}\` or \`docker compose up -d postgres\``
    : 'start it with `docker compose up -d postgres` (or your own PostgreSQL service)';
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);
const UNKNOWN_HOST_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);

function errorCodes(error) {
  const codes = [error?.code, error?.cause?.code, ...(error?.errors ?? []).map((e) => e?.code)];
  return codes.filter((c) => typeof c === 'string');
}

/**
 * Recognises the errors a user can act on (server down, database missing, bad credentials) in
 * what `pg` or the adapter throws, and returns a one-line DbToolError for them, else undefined.
 * @param {unknown} error
 * @param {{ host: string, port: number, user: string, database: string }} connection
 */
export function describeConnectionError(error, connection) {
  const codes = errorCodes(error);
  const kind = error?.cause?.kind ?? error?.kind;
  const message = String(error?.message ?? '');
  const where = connection.host.startsWith('/') ? connection.host : `${connection.host}:${connection.port}`;
  if (codes.some((c) => UNKNOWN_HOST_CODES.has(c))) {
    return new DbToolError(`Cannot resolve the PostgreSQL host "${connection.host}" — check DATABASE_URL`, {
      code: 'UNKNOWN_HOST',
      cause: error,
    });
  }
  if (
    codes.some((c) => UNREACHABLE_CODES.has(c)) ||
    kind === 'DatabaseNotReachable' ||
    /Connection terminated due to connection timeout|timeout expired/i.test(message)
  ) {
    return new DbToolError(`PostgreSQL is not reachable at ${where} — ${postgresStartHint()}`, {
      code: 'UNREACHABLE',
      cause: error,
    });
  }
  if (codes.includes('3D000') || kind === 'DatabaseDoesNotExist') {
    return new DbToolError(`Database "${connection.database}" does not exist at ${where}`, {
      code: 'DATABASE_DOES_NOT_EXIST',
      cause: error,
    });
  }
  if (
    codes.includes('28P01') ||
    codes.includes('28000') ||
    kind === 'AuthenticationFailed' ||
    kind === 'DatabaseAccessDenied'
  ) {
    return new DbToolError(`PostgreSQL at ${where} rejected user "${connection.user}": ${message || kind}`, {
      code: 'AUTHENTICATION_FAILED',
      cause: error,
    });
  }
  return undefined;
}

/** Drops the Rust backtrace the engine appends to its messages. */
function cleanEngineMessage(message) {
  const lines = String(message).split('\n');
  const cut = lines.findIndex((line) => /^\s*\d+: \S+::/.test(line));
  return (cut === -1 ? lines : lines.slice(0, cut)).join('\n').trim();
}

/** Turns what the engine throws into a DbToolError with a readable message. */
function translateEngineError(error, errorRegistry, connection) {
  if (error instanceof DbToolError) return error;
  // A JS exception thrown inside the adapter is registered, and the engine only sees its id.
  const id = error?.cause?.id ?? error?.id;
  if (typeof id === 'number' && errorRegistry) {
    const original = errorRegistry.consumeError(id)?.error;
    if (original) return translateEngineError(original, null, connection);
  }
  const known = describeConnectionError(error, connection);
  if (known) return known;
  const message = cleanEngineMessage(error?.message ?? error);
  if (/Can't reach database server|Connection refused|DatabaseNotReachable/i.test(message)) {
    return describeConnectionError({ code: 'ECONNREFUSED' }, connection);
  }
  const code = typeof error?.code === 'string' && /^P\d{4}$/.test(error.code) ? error.code : undefined;
  return new DbToolError(code ? `${code}: ${message}` : message, { code, cause: error });
}

// ---------------------------------------------------------------------------------------------
// Engine sessions
// ---------------------------------------------------------------------------------------------

/**
 * Starts a schema engine on `databaseUrl`, runs `fn(engine)`, then frees the engine and closes
 * every pool (and shadow database) it opened. Errors come out as DbToolError.
 * @template T
 * @param {{ databaseUrl: string, schemaFiles?: { path: string, content: string }[], debug?: (line: string) => void }} opts
 * @param {(engine: import('@prisma/schema-engine-wasm').SchemaEngine) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withSchemaEngine({ databaseUrl, schemaFiles, debug }, fn) {
  const connection = connectionOptionsFromUrl(databaseUrl);
  const wasm = await loadSchemaEngineWasm();
  const factory = new MigrationAdapterFactory(connection);
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const datamodels = schemaFiles?.length ? schemaFiles.map((f) => [f.path, f.content]) : undefined;
  let engine;
  const keepAlive = setInterval(ignore, 1 << 30); // the engine's own timers are unref'd
  try {
    try {
      engine = await wasm.SchemaEngine.new({ datamodels }, (line) => debug?.(String(line)), bound);
      return await fn(engine);
    } catch (error) {
      throw translateEngineError(error, bound.errorRegistry, connection.options);
    }
  } finally {
    clearInterval(keepAlive);
    try {
      engine?.free();
    } finally {
      await factory.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Migrations directory
// ---------------------------------------------------------------------------------------------

export const MIGRATION_LOCK_FILE = 'migration_lock.toml';

/**
 * Reads the migrations directory into the `MigrationList` the engine takes, the way the Prisma
 * CLI does: every sub-directory, sorted by name, with its `migration.sql` (or the read error).
 * @param {string} migrationsDir absolute path
 */
export function readMigrationsList(migrationsDir) {
  const baseDir = path.resolve(migrationsDir);
  let lockContent = null;
  try {
    lockContent = fs.readFileSync(path.join(baseDir, MIGRATION_LOCK_FILE), 'utf8');
  } catch {
    // no lock file yet
  }
  let entries = [];
  try {
    entries = fs.readdirSync(baseDir, { withFileTypes: true });
  } catch {
    // no migrations directory yet
  }
  const migrationDirectories = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => {
      let content;
      try {
        content = { tag: 'ok', value: fs.readFileSync(path.join(baseDir, name, 'migration.sql'), 'utf8') };
      } catch (error) {
        content = { tag: 'error', value: error.message };
      }
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    });
  return {
    baseDir,
    lockfile: { path: MIGRATION_LOCK_FILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** The empty filter: no externally managed tables or enums. */
export const NO_FILTER = Object.freeze({ externalTables: [], externalEnums: [] });
