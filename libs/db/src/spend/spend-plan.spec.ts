import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { describe, expect, it } from 'vitest';
import { planSpend, ROLLUP_TABLES, type SpendGrouping, type SpendQuery } from './spend-plan';

const JUNE = { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-07-01T00:00:00Z') };

function query(over: Partial<SpendQuery> = {}): SpendQuery {
  return {
    organizationId: 'org-1',
    projectIds: null,
    values: {},
    ...JUNE,
    groupBy: [],
    timeZone: 'UTC',
    limit: 100,
    ...over,
  };
}

const table = (over: Partial<SpendQuery>) => planSpend(query(over)).table;

function refusal(over: Partial<SpendQuery>): [string, string] {
  try {
    planSpend(query(over));
  } catch (error) {
    if (error instanceof TokenledgerError) return [error.code, error.message];
    throw error;
  }
  throw new Error('planned a query that should be refused');
}

describe('planSpend', () => {
  it('sums only the counters asked for, cost always, and refuses a counter no rollup keeps', () => {
    const plan = planSpend(query({ groupBy: ['MODEL'], counters: ['requests', 'input_tokens'] }));
    expect(plan.sql).toContain('sum(cost_usd)');
    expect(plan.sql.match(/sum\((\w+)\)::text/g)).toEqual([
      'sum(cost_usd)::text',
      'sum(requests)::text',
      'sum(input_tokens)::text',
    ]);
    const split = planSpend(
      query({ groupBy: ['MODEL'], from: new Date('2026-06-01T06:00:00Z'), counters: ['output_tokens'] }),
    );
    expect(split.table).toBe('daily_rollups+hourly_rollups');
    expect(split.sql).not.toContain('input_tokens');
    expect(split.sql).toContain('sum(output_tokens)');
    expect(planSpend(query({ groupBy: ['MODEL'] })).sql).toContain('sum(latency_count)');
    expect(() => planSpend(query({ groupBy: ['MODEL'], counters: ['cost_usd; DROP'] }))).toThrow(
      /no rollup counter/,
    );
  });

  it('reads the coarsest rollup table that holds every dimension asked for', () => {
    expect(table({ groupBy: ['MODEL', 'DAY'] })).toBe('daily_rollups');
    expect(table({ groupBy: ['PROJECT', 'FEATURE', 'ENVIRONMENT', 'MONTH'] })).toBe('daily_rollups');
    expect(table({ groupBy: ['CUSTOMER', 'MODEL'] })).toBe('daily_customer_rollups');
    expect(table({ groupBy: ['FEATURE'], values: { customer: ['acme'] } })).toBe('daily_customer_rollups');
    expect(table({ groupBy: ['CUSTOMER', 'ENVIRONMENT'] })).toBe('daily_customer_rollups');
    expect(table({ groupBy: ['FEATURE', 'CUSTOMER', 'ENVIRONMENT'] })).toBe('daily_customer_rollups');
    expect(table({ groupBy: ['FEATURE', 'CUSTOMER', 'HOUR'] })).toBe('hourly_rollups');
  });

  it('uses daily tables only for whole UTC days without hour or local-time buckets', () => {
    expect(table({ groupBy: ['MODEL', 'HOUR'] })).toBe('hourly_rollups');
    expect(table({ groupBy: ['DAY'], timeZone: 'Europe/Paris' })).toBe('hourly_rollups');
    expect(table({ groupBy: ['MODEL'], timeZone: 'Europe/Paris' })).toBe('daily_rollups');
  });

  it('reads whole days of a ragged range from a daily table and its partial days from hours', () => {
    // Partial first or last day, whole days between: both tables, one answer.
    expect(table({ groupBy: ['MODEL'], from: new Date('2026-06-01T06:00:00Z') })).toBe(
      'daily_rollups+hourly_rollups',
    );
    expect(table({ groupBy: ['MODEL'], to: new Date('2026-06-30T23:59:59.999Z') })).toBe(
      'daily_rollups+hourly_rollups',
    );
    expect(table({ groupBy: ['CUSTOMER', 'DAY'], from: new Date('2026-06-01T06:00:00Z') })).toBe(
      'daily_customer_rollups+hourly_rollups',
    );
    // No whole day inside, an hour bucket or local days: hours only.
    const short = { from: new Date('2026-06-01T06:00:00Z'), to: new Date('2026-06-02T05:00:00Z') };
    expect(table({ groupBy: ['MODEL'], ...short })).toBe('hourly_rollups');
    expect(table({ groupBy: ['MODEL', 'HOUR'], from: short.from })).toBe('hourly_rollups');
    expect(table({ groupBy: ['DAY'], timeZone: 'Europe/Paris', from: short.from })).toBe('hourly_rollups');
    expect(table({ groupBy: ['FEATURE', 'CUSTOMER'], from: new Date('2026-06-01T06:00:00Z') })).toBe(
      'daily_customer_rollups+hourly_rollups',
    );
    // The hours read are the ones the hourly table alone would read, every value bound.
    const plan = planSpend(query({ groupBy: ['MODEL', 'DAY'], from: new Date('2026-06-01T06:30:00Z') }));
    expect(plan.sql).toContain('UNION ALL');
    expect(plan.sql).toMatch(/hour >= date_trunc\('hour', \$\d+::timestamptz\)/);
    expect(plan.params).toContain('2026-06-02');
    expect(plan.sql).not.toMatch(/2026-06/);
  });

  it('every table a plan names exists, and the fallback holds every dimension', () => {
    const groupings: SpendGrouping[][] = [[], ['PROJECT'], ['CUSTOMER', 'FEATURE', 'HOUR']];
    for (const groupBy of groupings) expect(ROLLUP_TABLES.map((t) => t.name)).toContain(table({ groupBy }));
    expect(ROLLUP_TABLES.at(-1)!.dims).toHaveLength(6);
  });

  it('binds every value as a parameter, never into the SQL text', () => {
    const hostile = "x'; DROP TABLE usage_events; --";
    const plan = planSpend(
      query({
        groupBy: ['PROJECT', 'MODEL', 'DAY'],
        projectIds: ['p-1', 'p-2'],
        values: { model: [hostile], feature: [''], provider: [] },
      }),
    );
    expect(plan.sql).not.toContain(hostile);
    expect(plan.params).toEqual(['org-1', ['p-1', 'p-2'], [hostile], [''], '2026-06-01', '2026-07-01', 100]);
    expect(plan.sql).toContain('project_id = ANY($2::uuid[])');
    expect(plan.sql).toContain('model = ANY($3::text[])');
    expect(plan.sql).toContain('feature = ANY($4::text[])');
    expect(plan.sql).not.toContain('provider = ANY');
    expect(plan.sql).toMatch(/LIMIT \$7$/);
    expect(plan.dims).toEqual(['project', 'model']);
    expect(plan.time).toBe('DAY');
  });

  it('buckets local days in the asked time zone on the hourly table', () => {
    const plan = planSpend(query({ groupBy: ['DAY'], timeZone: 'America/New_York' }));
    expect(plan.table).toBe('hourly_rollups');
    expect(plan.params).toContain('America/New_York');
    expect(plan.sql).toContain(
      "date_trunc('day', hour AT TIME ZONE $4::text) AT TIME ZONE $4::text AS period",
    );
    expect(plan.sql).toContain('ORDER BY period ASC, sum(cost_usd) DESC');
  });

  it('refuses what no plan can answer, naming the argument', () => {
    expect(refusal({ from: JUNE.to, to: JUNE.from })).toEqual([
      ErrorCode.ValidationFailed,
      expect.stringContaining('filter.to'),
    ]);
    expect(refusal({ to: new Date('2030-01-01T00:00:00Z') })).toEqual([
      ErrorCode.ValidationFailed,
      expect.stringContaining('at most 1098 days'),
    ]);
    expect(refusal({ timeZone: 'Mars/Olympus' })).toEqual([
      ErrorCode.ValidationFailed,
      expect.stringContaining('timeZone'),
    ]);
    expect(refusal({ limit: 0 })).toEqual([ErrorCode.ValidationFailed, expect.stringContaining('limit')]);
    expect(refusal({ limit: 10_001 })).toEqual([
      ErrorCode.ValidationFailed,
      expect.stringContaining('limit'),
    ]);
    expect(refusal({ groupBy: ['DAY', 'HOUR'] })).toEqual([
      ErrorCode.ValidationFailed,
      expect.stringContaining('groupBy'),
    ]);
  });

  describe('by tag', () => {
    it('groups the values of one tag key from tag_rollups, on hours', () => {
      const plan = planSpend(query({ groupBy: ['TAG', 'PROJECT', 'DAY'], tagKey: 'team' }));
      expect(plan.table).toBe('tag_rollups');
      expect(plan.dims).toEqual(['tag', 'project']);
      expect(plan.sql).toContain('tag_key = $2');
      expect(plan.sql).toContain('GROUP BY tag_value, project_id, period');
      expect(plan.params[1]).toBe('team');
      expect(plan.sql).toContain('hour >= ');
    });

    it('filters by a tag key and values, with the values bound as parameters', () => {
      const hostile = "growth'; DROP TABLE tag_rollups; --";
      const plan = planSpend(
        query({
          groupBy: ['DAY'],
          tags: [
            { key: 'team', value: 'core' },
            { key: 'team', value: hostile },
          ],
        }),
      );
      expect(plan.table).toBe('tag_rollups');
      expect(plan.sql).not.toContain(hostile);
      expect(plan.sql).toContain('tag_value = ANY($3::text[])');
      expect(plan.params.slice(0, 3)).toEqual(['org-1', 'team', ['core', hostile]]);
    });

    it('restricts tag questions to projects when asked', () => {
      const plan = planSpend(query({ groupBy: ['TAG'], tagKey: 'team', projectIds: ['p-1'] }));
      expect(plan.table).toBe('tag_rollups');
      expect(plan.sql).toContain('project_id = ANY($3::uuid[])');
    });

    it('refuses a grouping without key, two keys, and dimensions tag rollups do not keep', () => {
      expect(refusal({ groupBy: ['TAG'] })).toEqual([
        ErrorCode.ValidationFailed,
        expect.stringContaining('tagKey'),
      ]);
      expect(refusal({ groupBy: ['TAG'], tagKey: 'team', tags: [{ key: 'env', value: 'x' }] })).toEqual([
        ErrorCode.ValidationFailed,
        expect.stringContaining('one tag key'),
      ]);
      expect(refusal({ groupBy: ['TAG', 'MODEL'], tagKey: 'team' })).toEqual([
        ErrorCode.ValidationFailed,
        expect.stringContaining('not with model'),
      ]);
      expect(refusal({ tags: [{ key: 'team', value: 'a' }], values: { customer: ['acme'] } })).toEqual([
        ErrorCode.ValidationFailed,
        expect.stringContaining('not with customer'),
      ]);
    });

    it('leaves tag-free questions on the other tables', () => {
      expect(table({ groupBy: ['MODEL', 'DAY'], tags: [] })).toBe('daily_rollups');
    });
  });

  describe('by API key', () => {
    const KEY = '0f8e7d6c-5b4a-4321-8765-0123456789ab';

    it('reads api_key_rollups on hours, the key ids bound as uuids, days in the asked zone', () => {
      const plan = planSpend(
        query({ groupBy: ['DAY'], apiKeyIds: [KEY], projectIds: ['p-1'], timeZone: 'Europe/Paris' }),
      );
      expect(plan.table).toBe('api_key_rollups');
      expect(plan.sql).toContain('FROM api_key_rollups');
      expect(plan.sql).toContain('project_id = ANY($2::uuid[])');
      expect(plan.sql).toContain('api_key_id = ANY($3::uuid[])');
      expect(plan.sql).toContain("date_trunc('day', hour AT TIME ZONE");
      expect(plan.params.slice(0, 3)).toEqual(['org-1', ['p-1'], [KEY]]);
      // A range that is not whole days still reads hours only (no daily table keeps keys).
      expect(
        table({
          apiKeyIds: [KEY],
          from: new Date('2026-06-01T10:00:00Z'),
          to: new Date('2026-06-09T00:00:00Z'),
        }),
      ).toBe('api_key_rollups');
    });

    it('refuses what api_key_rollups does not keep, and an id that is not one', () => {
      expect(refusal({ apiKeyIds: [KEY], groupBy: ['MODEL'] })).toEqual([
        ErrorCode.ValidationFailed,
        expect.stringMatching(/^apiKeyIds: .*not with model/),
      ]);
      expect(refusal({ apiKeyIds: [KEY], tags: [{ key: 'team', value: 'a' }] })).toEqual([
        ErrorCode.ValidationFailed,
        expect.stringContaining('not with apiKey'),
      ]);
      expect(refusal({ apiKeyIds: ["x'; DROP TABLE api_key_rollups; --"] })).toEqual([
        ErrorCode.ValidationFailed,
        expect.stringMatching(/^apiKeyIds: /),
      ]);
    });

    it('leaves questions without keys on the other tables', () => {
      expect(table({ groupBy: ['MODEL', 'DAY'], apiKeyIds: [] })).toBe('daily_rollups');
    });
  });
});
