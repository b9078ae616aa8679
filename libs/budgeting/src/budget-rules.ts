import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import Decimal from 'decimal.js';
import { BUDGET_PERIODS, type BudgetPeriodKind } from './period';

/**
 * What a budget can cover. `organization` is everything; the others narrow to one value (`api_key`:
 * the id of the API key that sent the usage).
 */
export const BUDGET_SCOPES = [
  'organization',
  'project',
  'feature',
  'customer',
  'environment',
  'model',
  'tag',
  'api_key',
] as const;
export type BudgetScopeKind = (typeof BUDGET_SCOPES)[number];

export const BUDGET_KINDS = ['soft', 'hard'] as const;
export type BudgetKind = (typeof BUDGET_KINDS)[number];

export interface BudgetScope {
  kind: BudgetScopeKind;
  /** Project slug (project scope). */
  project?: string | null;
  /** Tag key (tag scope). */
  key?: string | null;
  /** Feature, customer, environment, model or tag value; an API key's id (api_key scope). */
  value?: string | null;
}

/** A budget as a client submits it, before any check. */
export interface BudgetDraft {
  name: string;
  scope: BudgetScope;
  amountUsd: string;
  period: string;
  periodDays?: number | null;
  startsAt?: Date | null;
  timeZone?: string | null;
  thresholds?: readonly number[] | null;
  kind?: string | null;
}

/** A budget whose every field has been checked. */
export interface BudgetSpec {
  name: string;
  scope: Required<BudgetScope>;
  amountUsd: Decimal;
  period: BudgetPeriodKind;
  periodDays: number | null;
  startsAt: Date;
  timeZone: string;
  thresholds: number[];
  kind: BudgetKind;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DEFAULT_THRESHOLDS = [50, 80, 100] as const;
export const MAX_THRESHOLDS = 10;
export const MAX_AMOUNT_USD = new Decimal('1e12');

function fail(field: string, message: string): never {
  throw new TokenledgerError(ErrorCode.ValidationFailed, `${field}: ${message}`);
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function label(field: string, value: string | null | undefined): string {
  if (typeof value !== 'string' || value.length === 0) fail(field, 'is required for this scope');
  if (value.length > 128) fail(field, 'must be at most 128 characters');
  return value;
}

/**
 * Checks a budget, field by field: the first problem is a VALIDATION_FAILED naming the field
 * (`amountUsd`, `scope.kind`, `thresholds[2]`, …). `createdAt` anchors custom periods that name no
 * start. Pure: no clock.
 */
export function checkBudget(draft: BudgetDraft, createdAt: Date): BudgetSpec {
  const name = draft.name?.trim() ?? '';
  if (name.length < 1 || name.length > 200) fail('name', 'must be 1 to 200 characters');

  const kindOfScope = draft.scope?.kind;
  if (!BUDGET_SCOPES.includes(kindOfScope as BudgetScopeKind))
    fail('scope.kind', `must be one of ${BUDGET_SCOPES.join(', ')} (got "${String(kindOfScope)}")`);
  const scope: Required<BudgetScope> = { kind: kindOfScope, project: null, key: null, value: null };
  if (kindOfScope === 'project') scope.project = label('scope.project', draft.scope.project);
  else if (kindOfScope === 'tag') {
    scope.key = label('scope.key', draft.scope.key);
    scope.value = label('scope.value', draft.scope.value);
  } else if (kindOfScope === 'api_key') {
    scope.value = label('scope.value', draft.scope.value);
    if (!UUID.test(scope.value)) fail('scope.value', `"${scope.value}" is not an API key id`);
    // Stored as PostgreSQL prints uuids, so the check endpoint matches it to the caller's key id.
    scope.value = scope.value.toLowerCase();
  } else if (kindOfScope !== 'organization') scope.value = label('scope.value', draft.scope.value);

  let amount: Decimal;
  try {
    amount = new Decimal(draft.amountUsd);
  } catch {
    fail('amountUsd', `"${draft.amountUsd}" is not a decimal number of USD`);
  }
  if (!amount.isFinite() || amount.lte(0)) fail('amountUsd', 'must be greater than 0');
  if (amount.gt(MAX_AMOUNT_USD)) fail('amountUsd', `must be at most ${MAX_AMOUNT_USD.toFixed()}`);

  const period = draft.period as BudgetPeriodKind;
  if (!BUDGET_PERIODS.includes(period))
    fail('period', `must be one of ${BUDGET_PERIODS.join(', ')} (got "${draft.period}")`);
  let periodDays: number | null = null;
  if (period === 'custom') {
    periodDays = draft.periodDays ?? null;
    if (periodDays === null || !Number.isInteger(periodDays) || periodDays < 1 || periodDays > 366)
      fail('periodDays', 'a custom period needs a whole number of days from 1 to 366');
  } else if (draft.periodDays != null) fail('periodDays', 'only custom periods take a length');

  const startsAt = draft.startsAt ?? createdAt;
  if (Number.isNaN(startsAt.getTime())) fail('startsAt', 'is not a date');

  const timeZone = draft.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) fail('timeZone', `"${timeZone}" is not an IANA time zone`);

  const thresholds = [...(draft.thresholds ?? DEFAULT_THRESHOLDS)];
  if (thresholds.length > MAX_THRESHOLDS) fail('thresholds', `at most ${MAX_THRESHOLDS}`);
  thresholds.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 1 || t > 100)
      fail(`thresholds[${i}]`, `must be a whole percentage from 1 to 100 (got ${t})`);
  });
  if (new Set(thresholds).size !== thresholds.length) fail('thresholds', 'must not repeat a percentage');
  thresholds.sort((a, b) => a - b);

  const kind = (draft.kind ?? 'soft') as BudgetKind;
  if (!BUDGET_KINDS.includes(kind)) fail('kind', `must be soft or hard (got "${draft.kind}")`);

  return { name, scope, amountUsd: amount, period, periodDays, startsAt, timeZone, thresholds, kind };
}
