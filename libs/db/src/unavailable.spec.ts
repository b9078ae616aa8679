import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, refusedValue } from './unavailable';

describe('refusedValue', () => {
  it('reads a value PostgreSQL refused through Prisma’s driver adapter, or from pg itself', () => {
    const prisma = {
      code: 'P2007',
      meta: {
        driverAdapterError: {
          cause: { originalCode: '22P02', originalMessage: 'invalid input syntax for type uuid: "x"' },
        },
      },
    };
    expect(refusedValue(prisma)).toBe('invalid input syntax for type uuid: "x"');
    expect(
      refusedValue({ code: '22003', message: 'value "9e99" is out of range for type integer' }),
    ).toContain('out of range');
    expect(refusedValue({ code: 'P2023' })).toBe('a value is not valid for what it names');
    expect(refusedValue(new Error('wrapped', { cause: { code: '22007', message: 'bad date' } }))).toBe(
      'bad date',
    );
  });

  it('is null for errors that are not the client’s values', () => {
    expect(refusedValue(new Error('boom'))).toBeNull();
    expect(refusedValue({ code: 'P2002' })).toBeNull(); // a unique key: a conflict, not a bad value
    expect(refusedValue({ code: '23505' })).toBeNull();
    const down = { code: 'ECONNREFUSED' };
    expect([refusedValue(down), isDatabaseUnavailable(down)]).toEqual([null, true]);
  });
});
