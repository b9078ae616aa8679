import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { describe, expect, it } from 'vitest';
import { checkBudget, type BudgetDraft } from './budget-rules';
import { budgetUsage, crossedThresholds } from './thresholds';
import Decimal from 'decimal.js';

const NOW = new Date('2026-11-30T00:00:00Z');
const draft = (over: Partial<BudgetDraft> = {}): BudgetDraft => ({
  name: 'Support',
  scope: { kind: 'feature', value: 'support-chat' },
  amountUsd: '500',
  period: 'month',
  ...over,
});

function field(over: Partial<BudgetDraft>): string {
  try {
    checkBudget(draft(over), NOW);
  } catch (e) {
    if (e instanceof TokenledgerError && e.code === ErrorCode.ValidationFailed)
      return e.message.split(':')[0]!;
    throw e;
  }
  throw new Error('accepted a bad budget');
}

describe('checkBudget', () => {
  it('fills defaults and sorts thresholds', () => {
    const spec = checkBudget(draft({ thresholds: [100, 50, 80] }), NOW);
    expect(spec.thresholds).toEqual([50, 80, 100]);
    expect(spec.kind).toBe('soft');
    expect(spec.timeZone).toBe('UTC');
    expect(spec.startsAt).toEqual(NOW);
    expect(spec.amountUsd.toFixed()).toBe('500');
  });

  it('names the field of every problem', () => {
    expect(field({ amountUsd: '-5' })).toBe('amountUsd');
    expect(field({ amountUsd: 'lots' })).toBe('amountUsd');
    expect(field({ scope: { kind: 'galaxy' as never } })).toBe('scope.kind');
    expect(field({ scope: { kind: 'feature' } })).toBe('scope.value');
    expect(field({ scope: { kind: 'tag', value: 'growth' } })).toBe('scope.key');
    expect(field({ scope: { kind: 'project' } })).toBe('scope.project');
    expect(field({ thresholds: [50, 120] })).toBe('thresholds[1]');
    expect(field({ thresholds: [50, 50] })).toBe('thresholds');
    expect(field({ period: 'fortnight' })).toBe('period');
    expect(field({ period: 'custom' })).toBe('periodDays');
    expect(field({ periodDays: 3 })).toBe('periodDays');
    expect(field({ timeZone: 'Mars/Olympus' })).toBe('timeZone');
    expect(field({ kind: 'firm' })).toBe('kind');
    expect(field({ name: ' ' })).toBe('name');
    expect(field({ scope: { kind: 'api_key' } })).toBe('scope.value');
    expect(field({ scope: { kind: 'api_key', value: 'tlk_live_abc' } })).toBe('scope.value');
  });

  it('an api_key scope keeps only the key id, as PostgreSQL prints it', () => {
    const spec = checkBudget(
      draft({
        scope: { kind: 'api_key', value: '0F8E7D6C-5B4A-4321-8765-0123456789AB', project: 'web', key: 'x' },
      }),
      NOW,
    );
    expect(spec.scope).toEqual({
      kind: 'api_key',
      project: null,
      key: null,
      value: '0f8e7d6c-5b4a-4321-8765-0123456789ab',
    });
  });
});

describe('thresholds', () => {
  it('lists the thresholds reached, and usage past 100%', () => {
    expect(crossedThresholds([100, 50, 80], new Decimal('80'), new Decimal('100'))).toEqual([50, 80]);
    expect(crossedThresholds([50], new Decimal('49.99'), new Decimal('100'))).toEqual([]);
    const u = budgetUsage(new Decimal('120'), new Decimal('100'));
    expect(u.remainingUsd.toFixed()).toBe('0');
    expect(u.percentUsed).toBe(120);
    expect(u.exceeded).toBe(true);
  });
});
