// Checks that PostgreSQL and Redis answer, and says exactly what to do when one does not.
import net from 'node:net';

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/tokenledger';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function serviceUrls(env = process.env) {
  return {
    databaseUrl: env.DATABASE_URL || DEFAULT_DATABASE_URL,
    redisUrl: env.REDIS_URL || DEFAULT_REDIS_URL,
  };
}

function hostPort(url, defaultPort) {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || defaultPort) };
}

/** Resolves to the error message of a failed TCP connect, or null when the port answers. */
function probe({ host, port }, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (error) => {
      socket.destroy();
      resolve(error);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(null));
    socket.once('error', (error) => done(error.code ?? error.message));
  });
}

async function checkPostgres(databaseUrl) {
  const target = hostPort(databaseUrl, 5432);
  const failure = await probe(target);
  if (!failure) {
    // The port answers; make sure it is PostgreSQL and that we may log in.
    const { default: pg } = await import('pg');
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (error) {
      return `PostgreSQL at ${target.host}:${target.port} refused the login: ${error.message}. Check DATABASE_URL.`;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return [
    `PostgreSQL is not reachable at ${target.host}:${target.port} (${failure}).`,
    `  Start it: sudo pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    `  or with Docker: docker compose up -d postgres`,
    `  or point DATABASE_URL at your server (now ${redact(databaseUrl)}).`,
  ].join('\n');
}

async function checkRedis(redisUrl) {
  const target = hostPort(redisUrl, 6379);
  const failure = await probe(target);
  if (!failure) return null;
  return [
    `Redis is not reachable at ${target.host}:${target.port} (${failure}).`,
    `  Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
    `  or with Docker: docker compose up -d redis`,
    `  or point REDIS_URL at your server (now ${redact(redisUrl)}).`,
  ].join('\n');
}

function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Returns the list of problems (empty when both services answer). */
export async function checkServices(env = process.env) {
  const { databaseUrl, redisUrl } = serviceUrls(env);
  const problems = await Promise.all([checkPostgres(databaseUrl), checkRedis(redisUrl)]);
  return problems.filter(Boolean);
}

/** Prints the problems and exits 1 when a service is missing: no stack traces. */
export async function requireServices(env = process.env) {
  const problems = await checkServices(env);
  if (problems.length > 0) {
    console.error(`\n${problems.join('\n\n')}\n`);
    process.exit(1);
  }
}
