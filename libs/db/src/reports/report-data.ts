import type { LineItem } from '@tokenledger/reports';
import Decimal from 'decimal.js';
import type { PgPool } from '../pg';

/** What a month's rollups looked like when a report was made: compared later to say "stale". */
export interface RollupState {
  cells: number;
  totalUsd: string;
  /** The newest rollup write of the month (ISO), or null when there is none. */
  updatedAt: string | null;
}

export interface MonthRange {
  start: Date;
  end: Date;
}

/** One month of one organization, read from a single snapshot (see ReportDataReader.openMonth). */
export interface ReportMonth {
  state: RollupState;
  /** A pass over the line items, ordered by day; call again for another pass over the same snapshot. */
  lineItems(): AsyncIterable<LineItem>;
  close(): Promise<void>;
}

/** One rate version that priced events of the month (null: events that stayed unpriced). */
export interface RateVersionCount {
  rateVersionId: string | null;
  events: number;
}

const DAY_MS = 86_400_000;

/**
 * The month's rollup state: cells, total and newest write. A month of whole UTC days reads the
 * daily rollups (a few thousand rows; written in the same transaction as the hourly ones); a month
 * cut in another time zone reads the hourly rollups. A report's lock and the later check use the
 * same range, so they always ask the same table.
 */
function stateQuery(organizationId: string, range: MonthRange): { sql: string; params: unknown[] } {
  const days = range.start.getTime() % DAY_MS === 0 && range.end.getTime() % DAY_MS === 0;
  return days
    ? {
        sql: `SELECT count(*)::int AS cells, coalesce(sum(cost_usd), 0)::text AS total_usd, max(updated_at) AS updated_at
              FROM daily_rollups WHERE organization_id = $1 AND day >= $2::date AND day < $3::date`,
        params: [
          organizationId,
          range.start.toISOString().slice(0, 10),
          range.end.toISOString().slice(0, 10),
        ],
      }
    : {
        sql: `SELECT count(*)::int AS cells, coalesce(sum(cost_usd), 0)::text AS total_usd, max(updated_at) AS updated_at
              FROM hourly_rollups WHERE organization_id = $1 AND hour >= $2 AND hour < $3`,
        params: [organizationId, range.start, range.end],
      };
}

const LINE_ITEMS_SQL = `
SELECT to_char(r.hour AT TIME ZONE $4, 'YYYY-MM-DD') AS day, p.slug AS project, r.provider, r.model,
       r.feature, r.customer_id, r.environment,
       sum(r.requests)::text AS requests, sum(r.unpriced_requests)::text AS unpriced_requests,
       sum(r.input_tokens)::text AS input_tokens, sum(r.output_tokens)::text AS output_tokens,
       sum(r.cache_read_tokens)::text AS cache_read_tokens, sum(r.cache_write_tokens)::text AS cache_write_tokens,
       sum(r.cache_write_1h_tokens)::text AS cache_write_1h_tokens, sum(r.reasoning_tokens)::text AS reasoning_tokens,
       sum(r.input_audio_tokens)::text AS input_audio_tokens, sum(r.output_audio_tokens)::text AS output_audio_tokens,
       sum(r.input_image_tokens)::text AS input_image_tokens,
       sum(r.unpriced_input_tokens)::text AS unpriced_input_tokens, sum(r.unpriced_output_tokens)::text AS unpriced_output_tokens,
       sum(r.cost_usd)::text AS cost_usd
FROM hourly_rollups r JOIN projects p ON p.id = r.project_id
WHERE r.organization_id = $1 AND r.hour >= $2 AND r.hour < $3
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 1, 2, 3, 4, 5, 6, 7`;

type Row = Record<string, string>;

function toLineItem(r: Row): LineItem {
  const n = (c: string) => Number(r[c]);
  return {
    day: r.day!,
    project: r.project!,
    provider: r.provider!,
    model: r.model!,
    feature: r.feature!,
    customer: r.customer_id!,
    environment: r.environment!,
    requests: n('requests'),
    unpricedRequests: n('unpriced_requests'),
    inputTokens: n('input_tokens'),
    outputTokens: n('output_tokens'),
    cacheReadTokens: n('cache_read_tokens'),
    cacheWriteTokens: n('cache_write_tokens'),
    cacheWrite1hTokens: n('cache_write_1h_tokens'),
    reasoningTokens: n('reasoning_tokens'),
    inputAudioTokens: n('input_audio_tokens'),
    outputAudioTokens: n('output_audio_tokens'),
    inputImageTokens: n('input_image_tokens'),
    unpricedInputTokens: n('unpriced_input_tokens'),
    unpricedOutputTokens: n('unpriced_output_tokens'),
    costUsd: new Decimal(r.cost_usd!),
  };
}

function toState(r: { cells: number; total_usd: string; updated_at: Date | null }): RollupState {
  return {
    cells: r.cells,
    totalUsd: new Decimal(r.total_usd).toFixed(),
    updatedAt: r.updated_at?.toISOString() ?? null,
  };
}

/** Reads for monthly reports, all from the hourly rollups (days cut in the report's time zone). */
export class ReportDataReader {
  constructor(private readonly pool: PgPool) {}

  /**
   * Opens one consistent snapshot of a month (a REPEATABLE READ, read-only transaction on its own
   * connection): its rollup state, and its line items ordered by day as many times as asked, each
   * pass streamed through a cursor (a thousand rows in memory at a time). What the report records
   * as "the state it used" is exactly what it read. Close it when done.
   */
  async openMonth(
    organizationId: string,
    range: MonthRange,
    timeZone: string,
    batch = 1000,
  ): Promise<ReportMonth> {
    const client = await this.pool.connect();
    let open = false;
    let released = false;
    const close = async () => {
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      open = false;
      if (!released) client.release();
      released = true;
    };
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      open = true;
      // Grouping a month of hourly cells into days sorts hundreds of thousands of rows: in memory
      // for this one transaction rather than in temporary files at the default 4 MB.
      await client.query("SET LOCAL work_mem = '64MB'");
      const q = stateQuery(organizationId, range);
      const state = await client.query<{ cells: number; total_usd: string; updated_at: Date | null }>(
        q.sql,
        q.params,
      );
      let passes = 0;
      async function* lineItems(): AsyncGenerator<LineItem> {
        const cursor = `report_line_items_${++passes}`;
        await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${LINE_ITEMS_SQL}`, [
          organizationId,
          range.start,
          range.end,
          timeZone,
        ]);
        try {
          for (;;) {
            const { rows } = await client.query<Row>(`FETCH ${batch} FROM ${cursor}`);
            for (const r of rows) yield toLineItem(r);
            if (rows.length < batch) break;
          }
        } finally {
          await client.query(`CLOSE ${cursor}`).catch(() => undefined);
        }
      }
      return { state: toState(state.rows[0]!), lineItems, close };
    } catch (error) {
      await close();
      throw error;
    }
  }

  async state(organizationId: string, range: MonthRange): Promise<RollupState> {
    const q = stateQuery(organizationId, range);
    const { rows } = await this.pool.query<{ cells: number; total_usd: string; updated_at: Date | null }>(
      q.sql,
      q.params,
    );
    return toState(rows[0]!);
  }

  /** Spend by day ("YYYY-MM-DD" in the time zone) over a range. */
  async dailySpend(
    organizationId: string,
    range: MonthRange,
    timeZone: string,
  ): Promise<Map<string, Decimal>> {
    const { rows } = await this.pool.query<{ day: string; cost_usd: string }>(
      `SELECT to_char(hour AT TIME ZONE $4, 'YYYY-MM-DD') AS day, sum(cost_usd)::text AS cost_usd
       FROM hourly_rollups WHERE organization_id = $1 AND hour >= $2 AND hour < $3 GROUP BY 1`,
      [organizationId, range.start, range.end, timeZone],
    );
    return new Map(rows.map((r) => [r.day, new Decimal(r.cost_usd)]));
  }

  /** Which rate versions priced the month's events, and how many each (from the events themselves). */
  async rateVersionsUsed(organizationId: string, range: MonthRange): Promise<RateVersionCount[]> {
    const { rows } = await this.pool.query<{ rate_version_id: string | null; events: string }>(
      `SELECT rate_version_id, count(*)::text AS events FROM usage_events
       WHERE organization_id = $1 AND occurred_at >= $2 AND occurred_at < $3
       GROUP BY 1 ORDER BY 2 DESC`,
      [organizationId, range.start, range.end],
    );
    return rows.map((r) => ({ rateVersionId: r.rate_version_id, events: Number(r.events) }));
  }
}
