/** Prisma codes for "the database cannot be reached or is overloaded right now". */
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** pg / socket errors with the same meaning (the hot paths use pg directly). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01',
  '57P03',
  '53300',
]);

/**
 * True when an error means PostgreSQL is unreachable (not that the request was wrong): adapters
 * answer 503 with Retry-After instead of a 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const x = e as {
      name?: string;
      code?: string;
      message?: string;
      cause?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: string } } };
    };
    if (x.name === 'PrismaClientInitializationError') return true;
    if (x.code && (UNAVAILABLE_CODES.has(x.code) || SOCKET_CODES.has(x.code))) return true;
    if (x.meta?.driverAdapterError?.cause?.kind === 'DatabaseNotReachable') return true;
    if (
      typeof x.message === 'string' &&
      /Can't reach database server|Connection terminated unexpectedly|connect ECONNREFUSED/.test(x.message)
    )
      return true;
    e = x.cause;
  }
  return false;
}

/** Prisma codes for "the database refused a value" (invalid input value, column data, too long). */
const REFUSED_VALUE_CODES = new Set(['P2000', 'P2006', 'P2007', 'P2020', 'P2023']);

/**
 * Why PostgreSQL refused a value a client sent (an id that is not a UUID, a number out of range,
 * a date it cannot hold: SQLSTATE class 22, "data exception"), or null for any other error. Every
 * input should be checked before it reaches a query; this is the net under that rule, so a check
 * that was forgotten answers the client's mistake as a 4xx rather than an internal error.
 */
export function refusedValue(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const x = e as {
      code?: string;
      message?: string;
      cause?: unknown;
      meta?: { driverAdapterError?: { cause?: { originalCode?: string; originalMessage?: string } } };
    };
    const adapter = x.meta?.driverAdapterError?.cause;
    if (adapter?.originalCode?.startsWith('22')) return adapter.originalMessage ?? 'a value is not valid';
    if (x.code && /^22[0-9A-Z]{3}$/.test(x.code)) return x.message ?? 'a value is not valid';
    if (x.code && REFUSED_VALUE_CODES.has(x.code)) return 'a value is not valid for what it names';
    e = x.cause;
  }
  return null;
}
