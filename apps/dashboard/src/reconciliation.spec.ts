import { describe, expect, it } from 'vitest';
import { usd } from './format';
import {
  parseReconciliation,
  reconciliationLink,
  signedMoney,
  signedPercent,
  utcMonth,
} from './reconciliation';

describe('reconciliation helpers', () => {
  const now = new Date('2026-01-15T03:00:00Z');

  it('defaults to last UTC month and OpenAI, and reads a link back', () => {
    expect(parseReconciliation(new URLSearchParams(), now)).toEqual({ month: '2025-12', provider: 'OPENAI' });
    const link = reconciliationLink('2025-10', 'ANTHROPIC');
    expect(link).toBe('/reconciliation?month=2025-10&provider=anthropic');
    expect(parseReconciliation(new URL(link, 'http://x').searchParams, now)).toEqual({
      month: '2025-10',
      provider: 'ANTHROPIC',
    });
  });

  it('falls back on a month or provider it cannot read', () => {
    const params = new URLSearchParams({ month: '2025-13', provider: 'mistral' });
    expect(parseReconciliation(params, now)).toEqual({ month: '2025-12', provider: 'OPENAI' });
    expect(utcMonth(now)).toBe('2026-01');
  });

  it('signs differences', () => {
    expect(signedMoney('12.5', (v) => usd(v))).toBe('+$12.50');
    expect(signedMoney('-0.404', (v) => usd(v))).toBe('−$0.40');
    expect(signedMoney('0', (v) => usd(v))).toBe('$0.00');
    expect(signedMoney(null, (v) => usd(v))).toBe('—');
    expect(signedPercent('4.25')).toBe('+4.3%');
    expect(signedPercent('-10')).toBe('−10.0%');
    expect(signedPercent(null)).toBeNull();
  });
});
