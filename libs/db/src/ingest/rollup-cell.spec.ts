import { describe, expect, it } from 'vitest';
import { hourOf } from './rollup-cell';

describe('hourOf', () => {
  it('truncates to the UTC hour, whatever the notation', () => {
    expect(hourOf('2026-06-01T12:34:56.789Z')).toBe('2026-06-01T12:00:00.000Z');
    expect(hourOf('2026-06-01T12:00:00.000Z')).toBe('2026-06-01T12:00:00.000Z');
    expect(hourOf('2026-06-01T14:34:56+02:00')).toBe('2026-06-01T12:00:00.000Z');
    expect(hourOf('2026-06-01T05:59:59.999+05:30')).toBe('2026-06-01T00:00:00.000Z');
  });
});
