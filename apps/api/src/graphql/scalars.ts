import Decimal from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/** USD amounts as exact decimal strings ("12.345678"), never floats. */
export const DecimalScalar = new GraphQLScalarType<Decimal, string>({
  name: 'Decimal',
  description: 'An exact decimal number serialized as a string, e.g. "12.345678". Money is always USD.',
  serialize(value) {
    if (value instanceof Decimal) return value.toFixed();
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
      return new Decimal(value.toString()).toFixed();
    if (value && typeof (value as { toFixed?: unknown }).toFixed === 'function')
      return new Decimal(String(value)).toFixed();
    throw new GraphQLError(`Decimal cannot represent ${String(value)}`);
  },
  parseValue(value) {
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new GraphQLError('Decimal must be a string such as "1.25"');
    try {
      const d = new Decimal(value);
      if (!d.isFinite()) throw new Error();
      return d;
    } catch {
      throw new GraphQLError(`"${String(value)}" is not a decimal number`);
    }
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT && ast.kind !== Kind.FLOAT)
      throw new GraphQLError('Decimal must be a string such as "1.25"');
    return new Decimal(ast.value);
  },
});

/** Counts that outgrow GraphQL's 32-bit Int (tokens over a month): a JSON number, exact to 2^53 − 1. */
export const LongScalar = new GraphQLScalarType<number, number>({
  name: 'Long',
  description: 'A whole number serialized as a JSON number, exact up to 2^53 − 1 (token and request counts).',
  serialize(value) {
    const n = typeof value === 'bigint' ? Number(value) : Number(value);
    if (!Number.isSafeInteger(n)) throw new GraphQLError(`Long cannot represent ${String(value)}`);
    return n;
  },
  parseValue(value) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      throw new GraphQLError('Long must be a whole number');
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) throw new GraphQLError('Long must be a whole number');
    const n = Number(ast.value);
    if (!Number.isSafeInteger(n)) throw new GraphQLError('Long is out of range');
    return n;
  },
});

function literal(ast: import('graphql').ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      throw new GraphQLError('JSON literals may not use variables inside them');
  }
}

/** Structured data whose shape is documented elsewhere (rate cards: docs/PRICING.md). */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description:
    'Any JSON value; used for rate cards and model matches, whose shape docs/PRICING.md describes.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literal,
});

/**
 * `DateTime`: an RFC 3339 / ISO 8601 instant. Nest's own scalar turns text that is no date into an
 * Invalid Date, which then fails deep inside a resolver as an internal error; this one refuses it
 * where it arrives, as the client's mistake (VALIDATION_FAILED), for every DateTime argument.
 */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

function toDate(value: unknown): Date {
  const date =
    value instanceof Date
      ? value
      : typeof value === 'string' && ISO_INSTANT.test(value)
        ? new Date(value)
        : typeof value === 'number' && Number.isFinite(value)
          ? new Date(value)
          : null;
  if (!date || Number.isNaN(date.getTime()))
    throw new GraphQLError(
      `"${String(value).slice(0, 64)}" is not a date-time: use RFC 3339, e.g. 2026-06-01T00:00:00Z`,
      { extensions: { code: 'VALIDATION_FAILED' } },
    );
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  serialize(value) {
    return toDate(value).toISOString();
  },
  parseValue(value) {
    return toDate(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING && ast.kind !== Kind.INT)
      throw new GraphQLError('DateTime must be a string such as "2026-06-01T00:00:00Z"', {
        extensions: { code: 'VALIDATION_FAILED' },
      });
    return toDate(ast.kind === Kind.INT ? Number(ast.value) : ast.value);
  },
});
