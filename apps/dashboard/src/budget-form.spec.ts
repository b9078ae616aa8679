import { describe, expect, it } from 'vitest';
import { budgetInputOf, draftOf, emptyDraft, parseThresholds, scopeLabel } from './budget-form';

describe('budget form ↔ BudgetInput', () => {
  it('a new organization budget with the defaults', () => {
    expect(budgetInputOf({ ...emptyDraft('Europe/Paris'), name: ' Monthly ', amountUsd: '500' })).toEqual({
      name: 'Monthly',
      amountUsd: '500',
      period: 'month',
      kind: 'soft',
      thresholds: [50, 80, 100],
      timeZone: 'Europe/Paris',
      scope: { kind: 'organization' },
    });
  });

  it('only the scope fields of the chosen kind are sent; custom periods send their days', () => {
    const base = {
      ...emptyDraft('UTC'),
      name: 'b',
      amountUsd: '1',
      project: 'web',
      tagKey: 'team',
      value: 'x',
    };
    expect(budgetInputOf({ ...base, scopeKind: 'project' }).scope).toEqual({
      kind: 'project',
      project: 'web',
    });
    expect(budgetInputOf({ ...base, scopeKind: 'tag' }).scope).toEqual({
      kind: 'tag',
      key: 'team',
      value: 'x',
    });
    expect(budgetInputOf({ ...base, scopeKind: 'model' }).scope).toEqual({ kind: 'model', value: 'x' });
    const custom = budgetInputOf({ ...base, period: 'custom', periodDays: '14', thresholds: '' });
    expect(custom.periodDays).toBe(14);
    expect(custom.thresholds).toBeUndefined();
  });

  it('thresholds are read loosely and anything odd is passed on for the API to name', () => {
    expect(parseThresholds(' 50,80 , 100,')).toEqual([50, 80, 100]);
    expect(parseThresholds('50, lots')).toEqual([50, NaN]);
  });

  it('an existing budget opens in the form as it is saved', () => {
    const budget = {
      name: 'Search team',
      amountUsd: '250.5',
      period: 'custom',
      periodDays: 14,
      kind: 'hard',
      thresholds: [80, 100],
      timeZone: 'America/New_York',
      scope: { kind: 'tag', project: null, key: 'team', value: 'search' },
    };
    const input = budgetInputOf(draftOf(budget));
    expect(input).toEqual({
      name: 'Search team',
      amountUsd: '250.5',
      period: 'custom',
      periodDays: 14,
      kind: 'hard',
      thresholds: [80, 100],
      timeZone: 'America/New_York',
      scope: { kind: 'tag', key: 'team', value: 'search' },
    });
    expect(scopeLabel(budget.scope)).toBe('tag team=search');
  });

  it('an API key budget sends the key id as its value and is shown by the key name and prefix', () => {
    const id = '0f8e7d6c-5b4a-4321-8765-0123456789ab';
    const input = budgetInputOf({
      ...emptyDraft('UTC'),
      name: 'Batch key',
      amountUsd: '20',
      scopeKind: 'api_key',
      value: id,
      tagKey: 'ignored',
    });
    expect(input.scope).toEqual({ kind: 'api_key', value: id });
    const saved = {
      ...input,
      periodDays: null,
      thresholds: [50],
      scope: { kind: 'api_key', project: null, key: null, value: id },
    };
    expect(draftOf(saved)).toMatchObject({ scopeKind: 'api_key', value: id });
    const keys = [{ id, name: 'Nightly batch', prefix: 'tlk_ab12cd34' }];
    expect(scopeLabel(saved.scope, keys)).toBe('API key Nightly batch (tlk_ab12cd34…)');
    expect(scopeLabel(saved.scope, [])).toBe(`API key ${id}`);
  });
});
