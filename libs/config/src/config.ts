import { z } from 'zod';

/** Every environment variable Tokenledger reads, with local defaults. `.env.example` mirrors it. */
const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(1, 'must be between 1 and 65535')
    .max(65535, 'must be between 1 and 65535')
    .default(fallback);

const positiveInt = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .default(fallback);

const url = (protocols: string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgresql:', 'postgres:'], 'postgresql://postgres@127.0.0.1:5432/tokenledger'),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  /** Prefix of every BullMQ key; tests and benchmarks use their own. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, 'may only contain letters, digits, ":", "_" and "-"')
    .default('tl'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port(4000),
  DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  DASHBOARD_PORT: port(5173),
  /** Where the dashboard finds the API (the dashboard server proxies /graphql and /v1 there). */
  API_URL: url(['http:', 'https:'], 'http://127.0.0.1:4000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  SESSION_TTL_HOURS: positiveInt(168),
  /** Requests per minute one API key may make to the ingestion endpoints; 0 disables the limit. */
  INGEST_RATE_LIMIT_PER_MINUTE: positiveInt(12000),
  /**
   * Ingest jobs one worker process holds at once. Batches of one project that wait while its write
   * is in flight are written together (group commit), so more jobs in hand means larger writes.
   */
  WORKER_CONCURRENCY: positiveInt(16),
  /** Where report files are kept (survives restarts; API and worker must see the same directory). */
  REPORTS_DIR: z.string().min(1).default('.tokenledger/reports'),
  /** When the monthly reports are made (cron, in REPORT_SCHEDULE_TZ): default 02:00 on the 1st. */
  REPORT_SCHEDULE: z
    .string()
    .regex(/^\S+( \S+){4,5}$/, 'must be a cron pattern such as "0 2 1 * *"')
    .default('0 2 1 * *'),
  REPORT_SCHEDULE_TZ: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as UTC or Europe/Paris')
    .default('UTC'),
  /** The formats the monthly schedule makes for every organization ("none" turns the schedule off). */
  REPORT_SCHEDULE_FORMATS: z
    .string()
    .default('xlsx,pdf,csv,focus')
    .refine(
      (v) => v === 'none' || v.split(',').every((f) => ['csv', 'xlsx', 'pdf', 'focus'].includes(f.trim())),
      'must be a comma-separated list of csv, xlsx, pdf, focus (or none)',
    ),
  /** Writes in flight per project in one worker process. */
  INGEST_WRITES_IN_FLIGHT: positiveInt(1),
  /** The most events one group-commit write takes. */
  INGEST_GROUP_MAX_EVENTS: positiveInt(2000),
  INGEST_JOB_ATTEMPTS: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .default(8),
  /**
   * The worker's CPU priority (nice, 0-19; 0 = unchanged). Where the worker shares cores with the
   * API, accepting events comes first and the queue absorbs the difference.
   */
  /**
   * 32 bytes (64 hex digits or base64) that seal stored secrets: provider admin keys and alert
   * webhook signing secrets (AES-256-GCM, libs/db/src/secret-box.ts). Required in production once
   * a provider is connected or an alert destination exists; outside production a public
   * development key is used when unset.
   */
  TOKENLEDGER_SECRET_KEY: z
    .string()
    .refine(
      (v) => /^[0-9a-fA-F]{64}$/.test(v) || Buffer.from(v, 'base64').length === 32,
      'must be 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)',
    )
    .optional(),
  /** The daily import of every connected provider's usage and cost reports (cron, UTC; "none" = off). */
  RECONCILE_SCHEDULE: z
    .string()
    .regex(/^(none|\S+( \S+){4,5})$/, 'must be a cron pattern such as "0 5 * * *" (or none)')
    .default('0 5 * * *'),
  WORKER_NICE: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(19, 'must be at most 19')
    .default(10),
});

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws a ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset", as shells and .env files commonly produce.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const got = env[name];
        return `${name} ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
      }),
    );
  }
  return parsed.data;
}

/** Host/port/user/database of a Postgres URL, for messages that must not leak a password. */
export function describeDatabaseUrl(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}

export function describeRedisUrl(redisUrl: string): string {
  const u = new URL(redisUrl);
  return `${u.hostname}:${u.port || '6379'}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
}

/** For process entry points: the configuration, or the problems printed and exit code 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
