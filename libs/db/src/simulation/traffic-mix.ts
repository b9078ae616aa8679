import type { DailyUsage, MixLayout, TrafficSlice } from '@tokenledger/simulation';
import { windowRuns } from '@tokenledger/simulation';
import { Usd } from '@tokenledger/pricing';
import type { ProjectsRepository } from '../accounts/projects.repository';
import type { OrgScope } from '../accounts/scope';
import type { PgPool } from '../pg';

/** Which traffic: UTC days [firstDay, lastDay] and the dimensions `spend` filters by. */
export interface TrafficMixRequest {
  firstDay: string;
  lastDay: string;
  projects?: readonly string[] | null;
  providers?: readonly string[] | null;
  models?: readonly string[] | null;
  features?: readonly string[] | null;
  environments?: readonly string[] | null;
  /**
   * Days on which a price may change (sorted, `YYYY-MM-DD`): days between two are summed per
   * weekday (libs/simulation pricePeriodStarts). Empty: every day apart.
   */
  periodStarts?: readonly string[];
}

/** Days of one feature on given models (calibration), from the daily rollups. */
export interface DailyUsageRequest {
  firstDay: string;
  lastDay: string;
  projects?: readonly string[] | null;
  features: readonly string[];
  models: readonly string[];
}

export interface TrafficMixSize {
  mixRows: number;
  mixBytes: number;
  eventRows: number;
  eventBytes: number;
}

const TOKEN_COLUMNS = [
  ['input_tokens', 'inputTokens'],
  ['output_tokens', 'outputTokens'],
  ['cache_read_tokens', 'cacheReadTokens'],
  ['cache_write_tokens', 'cacheWriteTokens'],
  ['cache_write_1h_tokens', 'cacheWrite1hTokens'],
  ['reasoning_tokens', 'reasoningTokens'],
  ['input_audio_tokens', 'inputAudioTokens'],
  ['output_audio_tokens', 'outputAudioTokens'],
  ['input_image_tokens', 'inputImageTokens'],
] as const;

type Row = Record<string, string | number>;

/**
 * Reads of the traffic mix (daily_traffic_mix, kept by triggers on usage_events) and its layout.
 * Like every analytics read: one organization (one project for a project-bound key), never raw events.
 */
export class TrafficMixRepository {
  constructor(
    private readonly pool: PgPool,
    private readonly projects: ProjectsRepository,
  ) {}

  async slices(scope: OrgScope, request: TrafficMixRequest): Promise<TrafficSlice[]> {
    const projectIds = await this.projects.idsForFilter(scope, request.projects);
    const params: unknown[] = [scope.organizationId, request.firstDay, request.lastDay];
    const where = ['organization_id = $1::uuid', 'day >= $2::date', 'day <= $3::date'];
    const any = (column: string, values: readonly string[] | null | undefined, type = 'text') => {
      if (!values || values.length === 0) return;
      params.push(values);
      where.push(`${column} = ANY($${params.length}::${type}[])`);
    };
    if (projectIds) {
      // Never skipped when empty: a project-bound key sees its own project or nothing.
      params.push(projectIds);
      where.push(`project_id = ANY($${params.length}::uuid[])`);
    }
    any('provider', request.providers);
    any('model', request.models);
    any('feature', request.features);
    any('environment', request.environments);
    // Days of one price period are summed per weekday, and priced on the first such day.
    let period = 'day';
    if (request.periodStarts && request.periodStarts.length > 0) {
      params.push(request.periodStarts);
      period = `width_bucket(day, $${params.length}::date[]), extract(isodow FROM day)`;
    }
    const sql = `SELECT to_char(min(day), 'YYYY-MM-DD') AS day, provider, model, feature, input_min::float8 AS input_min,
         output_min::float8 AS output_min, modalities, service_tier, window_minute,
         sum(requests)::float8 AS requests, sum(priced_requests)::float8 AS priced_requests,
         ${TOKEN_COLUMNS.map(([c]) => `sum(${c})::float8 AS ${c}`).join(', ')},
         sum(cost_usd)::text AS cost_usd
       FROM daily_traffic_mix
       WHERE ${where.join(' AND ')}
       GROUP BY ${period}, provider, model, feature, input_min, output_min, modalities, service_tier, window_minute`;
    // Room to aggregate in a hash table: sorting tens of thousands of rows by text keys costs more.
    const client = await this.pool.connect();
    let rows: Row[];
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL work_mem = '64MB'`);
      rows = (await client.query<Row>(sql, params)).rows;
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return rows.map((r) => {
      const slice = {
        day: r.day as string,
        provider: r.provider as string,
        model: r.model as string,
        feature: r.feature as string,
        inputMin: Number(r.input_min),
        outputMin: Number(r.output_min),
        modalities: r.modalities ? (r.modalities as string).split(',') : [],
        serviceTier: r.service_tier as string,
        windowMinute: Number(r.window_minute),
        requests: Number(r.requests),
        pricedRequests: Number(r.priced_requests),
        costUsd: new Usd(r.cost_usd as string),
      } as TrafficSlice;
      for (const [column, field] of TOKEN_COLUMNS) slice[field] = Number(r[column]);
      return slice;
    });
  }

  /** Requests and tokens per day, feature and model, from the daily rollups (calibration samples). */
  async dailyUsage(scope: OrgScope, request: DailyUsageRequest): Promise<DailyUsage[]> {
    const projectIds = await this.projects.idsForFilter(scope, request.projects);
    const params: unknown[] = [
      scope.organizationId,
      request.firstDay,
      request.lastDay,
      request.features,
      request.models,
    ];
    let projectWhere = '';
    if (projectIds) {
      params.push(projectIds);
      projectWhere = `AND project_id = ANY($6::uuid[])`;
    }
    const { rows } = await this.pool.query<Row>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, feature, provider, model, sum(requests)::float8 AS requests,
         sum(input_tokens)::float8 AS input_tokens, sum(output_tokens)::float8 AS output_tokens
       FROM daily_rollups
       WHERE organization_id = $1::uuid AND day >= $2::date AND day <= $3::date
         AND feature = ANY($4::text[]) AND model = ANY($5::text[]) ${projectWhere}
       GROUP BY day, feature, provider, model
       ORDER BY day`,
      params,
    );
    return rows.map((r) => ({
      day: r.day as string,
      feature: r.feature as string,
      provider: r.provider as string,
      model: r.model as string,
      requests: Number(r.requests),
      inputTokens: Number(r.input_tokens),
      outputTokens: Number(r.output_tokens),
    }));
  }

  async layout(): Promise<MixLayout & { windowStarts: number[]; windowReps: number[] }> {
    const { rows } = await this.pool.query<{
      input_floors: string[];
      output_floors: string[];
      window_starts: number[];
      window_minutes: number[];
    }>(
      'SELECT input_floors, output_floors, window_starts, window_minutes FROM traffic_mix_layout WHERE id = 1',
    );
    const row = rows[0];
    if (!row)
      return { inputFloors: [0], outputFloors: [0], windowMinutes: [], windowStarts: [0], windowReps: [0] };
    const starts = row.window_starts.map(Number);
    const reps = row.window_minutes.map(Number);
    const windowMinutes: number[] = [];
    if (starts.length > 1)
      for (let i = 0; i < starts.length; i++) {
        const end = starts[i + 1] ?? 7 * 1440;
        for (let m = starts[i]!; m < end; m++) windowMinutes.push(reps[i]!);
      }
    return {
      inputFloors: row.input_floors.map(Number),
      outputFloors: row.output_floors.map(Number),
      windowMinutes,
      windowStarts: starts,
      windowReps: reps,
    };
  }

  /**
   * Stores a new layout and recomputes the mix of every day from the events, a day range at a
   * time (each range one transaction; writers of those days wait for it), reporting progress.
   */
  async rebuild(
    layout: MixLayout,
    onProgress: (p: { day: string; done: number; total: number; rows: number }) => void = () => undefined,
    daysPerStep = 1,
  ): Promise<{ days: number; rows: number }> {
    const runs = windowRuns(layout);
    await this.pool.query(
      `INSERT INTO traffic_mix_layout (id, input_floors, output_floors, window_starts, window_minutes, updated_at)
       VALUES (1, $1::bigint[], $2::bigint[], $3::int[], $4::int[], now())
       ON CONFLICT (id) DO UPDATE SET input_floors = EXCLUDED.input_floors, output_floors = EXCLUDED.output_floors,
         window_starts = EXCLUDED.window_starts, window_minutes = EXCLUDED.window_minutes, updated_at = now()`,
      [layout.inputFloors, layout.outputFloors, runs.starts, runs.minutes],
    );
    const { rows: span } = await this.pool.query<{ first: string | null; last: string | null }>(
      `SELECT to_char(min(occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS first,
              to_char(max(occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last FROM usage_events`,
    );
    const first = span[0]?.first;
    const last = span[0]?.last;
    if (!first || !last) {
      await this.pool.query('TRUNCATE daily_traffic_mix');
      return { days: 0, rows: 0 };
    }
    const dayMs = 86_400_000;
    const start = Date.parse(`${first}T00:00:00Z`);
    const end = Date.parse(`${last}T00:00:00Z`) + dayMs;
    const total = Math.round((end - start) / dayMs);
    // Mix rows outside the events' span (events since removed) go first.
    await this.pool.query('DELETE FROM daily_traffic_mix WHERE day < $1::date OR day >= $2::date', [
      first,
      new Date(end).toISOString().slice(0, 10),
    ]);
    let rows = 0;
    for (let at = start; at < end; at += daysPerStep * dayMs) {
      const until = Math.min(end, at + daysPerStep * dayMs);
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const r = await client.query<{ written: string }>('SELECT traffic_mix_rebuild($1, $2) AS written', [
          new Date(at).toISOString(),
          new Date(until).toISOString(),
        ]);
        await client.query('COMMIT');
        rows += Number(r.rows[0]!.written);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      onProgress({
        day: new Date(until - dayMs).toISOString().slice(0, 10),
        done: Math.round((until - start) / dayMs),
        total,
        rows,
      });
    }
    return { days: total, rows };
  }

  /** The mix's size beside the events table's (benchmarks). */
  async size(): Promise<TrafficMixSize> {
    const { rows } = await this.pool.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM daily_traffic_mix)::text AS mix_rows,
              pg_total_relation_size('daily_traffic_mix')::text AS mix_bytes,
              (SELECT count(*) FROM usage_events)::text AS event_rows,
              pg_total_relation_size('usage_events')::text AS event_bytes`,
    );
    const r = rows[0]!;
    return {
      mixRows: Number(r.mix_rows),
      mixBytes: Number(r.mix_bytes),
      eventRows: Number(r.event_rows),
      eventBytes: Number(r.event_bytes),
    };
  }
}
