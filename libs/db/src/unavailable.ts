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
