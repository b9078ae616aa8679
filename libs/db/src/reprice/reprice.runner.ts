import { TOKEN_KINDS, type TokenColumn, type UsageEvent } from '@tokenledger/contracts';
import Decimal from 'decimal.js';
import type { EventPricer } from '../ingest/ingest-batch';
import { priceSafely } from '../ingest/ingest-batch';
import type { EventPricing, PricingStatus } from '../ingest/priced-event';
import { accumulate, type RollupDelta } from '../ingest/rollup-cell';
import { upsertRollups } from '../ingest/rollup.sql';
import { upsertTagRollups, type TagContribution } from '../ingest/tag-rollup.sql';
import { inTransaction, type PgClient, type PgPool } from '../pg';
import type { ModelKey, RepriceScopeInput } from './reprice-scope';

interface EventRow extends Record<TokenColumn, string> {
  id: string;
  occurred_at: Date;
  organization_id: string;
  project_id: string;
  event_id: string;
  provider: string;
  model: string;
  input_modalities: string[];
  service_tier: string;
  feature: string;
  customer_id: string;
  environment: string;
  latency_ms: number | null;
  status: string;
  tags: Record<string, string>;
  cost_usd: string | null;
  pricing_status: PricingStatus;
  rate_version_id: string | null;
  priced_model: string | null;
}

interface Cursor {
  occurredAt: string;
  id: string;
  /** Targeted runs: the index in the run's `models` of the model being re-priced. */
  model?: number;
}

const START = { occurredAt: '0001-01-01T00:00:00Z', id: '0' };

export interface RepriceProgress {
  runId: string;
  /** Events scanned so far (of every chunk committed). */
  done: number;
  total: number;
}

export interface RepriceOptions {
  chunkSize?: number;
  /**
   * Which provider/model names the run covers (null: every event in range). Asked once, when a
   * run starts for the first time; the answer is recorded on the run (`scope`, `models`).
   */
  plan?: (run: RepriceScopeInput) => Promise<ModelKey[] | null>;
  /** After each committed chunk. */
  onProgress?: (progress: RepriceProgress) => void;
}

export interface RepriceOutcome {
  /** "models": only the names in `models` were looked at; "all": every event in range. */
  scope: 'models' | 'all';
  models: ModelKey[];
  eventsScanned: number;
  eventsChanged: number;
  totalBefore: string;
  totalAfter: string;
  versionsUsed: { rateVersionId: string | null; events: number }[];
}

const COLUMNS = `id::text, occurred_at, organization_id, project_id, event_id, provider, model,
       ${TOKEN_KINDS.map((k) => k.column).join(', ')}, input_modalities,
       service_tier, feature, customer_id, environment, latency_ms, status, tags,
       cost_usd::text, pricing_status, rate_version_id, priced_model`;

/** Every event of the range (a manual run): in (occurred_at, id) order. */
const SELECT_CHUNK = `
SELECT ${COLUMNS}
FROM usage_events
WHERE occurred_at >= $1 AND ($2::timestamptz IS NULL OR occurred_at < $2)
  AND ($3::uuid IS NULL OR organization_id = $3)
  AND (occurred_at, id) > ($4::timestamptz, $5::bigint)
ORDER BY occurred_at, id
LIMIT $6
FOR UPDATE`;

/** One model's events of one organization (a targeted run), on usage_events_org_model_time. */
const SELECT_MODEL_CHUNK = `
SELECT ${COLUMNS}
FROM usage_events
WHERE organization_id = $3 AND provider = $7 AND model = $8
  AND occurred_at >= $1 AND ($2::timestamptz IS NULL OR occurred_at < $2)
  AND (occurred_at, id) > ($4::timestamptz, $5::bigint)
ORDER BY occurred_at, id
LIMIT $6
FOR UPDATE`;

const COUNT_ALL = `
SELECT count(*)::bigint AS n FROM usage_events
WHERE occurred_at >= $1 AND ($2::timestamptz IS NULL OR occurred_at < $2)
  AND ($3::uuid IS NULL OR organization_id = $3)`;

const COUNT_MODELS = `
SELECT count(*)::bigint AS n FROM usage_events e
JOIN unnest($4::text[], $5::text[]) AS m(provider, model) ON e.provider = m.provider AND e.model = m.model
WHERE e.organization_id = $3 AND e.occurred_at >= $1 AND ($2::timestamptz IS NULL OR e.occurred_at < $2)`;

const UPDATE_EVENTS = `
UPDATE usage_events AS e SET
  cost_usd = u.cost_usd, cost_breakdown = u.cost_breakdown::jsonb, pricing_status = u.pricing_status::pricing_status,
  pricing_reason = u.pricing_reason, pricing_flags = string_to_array(u.pricing_flags, E'\\x1f'),
  rate_version_id = u.rate_version_id, priced_model = u.priced_model, priced_at = now()
FROM unnest($1::bigint[], $2::timestamptz[], $3::numeric[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::text[])
  AS u(id, occurred_at, cost_usd, cost_breakdown, pricing_status, pricing_reason, pricing_flags, rate_version_id, priced_model)
WHERE e.id = u.id AND e.occurred_at = u.occurred_at`;

const INSERT_CHANGES = `
INSERT INTO reprice_changes (run_id, project_id, event_id, occurred_at, cost_before, cost_after, status_before, status_after, rate_version_before, rate_version_after)
SELECT $1::uuid, c.project_id, c.event_id, c.occurred_at, c.cost_before, c.cost_after, c.status_before, c.status_after, c.version_before, c.version_after
FROM unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::numeric[], $6::numeric[], $7::text[], $8::text[], $9::uuid[], $10::uuid[])
  AS c(project_id, event_id, occurred_at, cost_before, cost_after, status_before, status_after, version_before, version_after)`;

function toEvent(r: EventRow): UsageEvent {
  return {
    eventId: r.event_id,
    occurredAt: r.occurred_at.toISOString(),
    provider: r.provider,
    model: r.model,
    usage: Object.fromEntries(TOKEN_KINDS.map((k) => [k.field, Number(r[k.column])])) as UsageEvent['usage'],
    serviceTier: r.service_tier as UsageEvent['serviceTier'],
    feature: r.feature || null,
    customerId: r.customer_id || null,
    environment: r.environment,
    inputModalities: r.input_modalities as UsageEvent['inputModalities'],
    latencyMs: r.latency_ms,
    status: r.status as UsageEvent['status'],
    tags: r.tags,
  };
}

/** The stored outcome, as much of it as the rollups depend on. */
function storedPricing(r: EventRow): EventPricing {
  return {
    status: r.pricing_status,
    reason: null,
    totalUsd: r.pricing_status === 'priced' && r.cost_usd !== null ? new Decimal(r.cost_usd) : null,
    breakdown: null,
    rateVersionId: r.rate_version_id,
    pricedModel: r.priced_model,
    flags: [],
  };
}

function costOf(p: EventPricing): Decimal {
  return p.status === 'priced' && p.totalUsd ? p.totalUsd : new Decimal(0);
}

function differs(before: EventPricing, after: EventPricing): boolean {
  return (
    before.status !== after.status ||
    !costOf(before).equals(costOf(after)) ||
    before.rateVersionId !== after.rateVersionId
  );
}

/**
 * Re-prices the events of a run's range with `pricer`, a chunk per transaction: rows are locked,
 * changed ones are updated and logged in reprice_changes, and the rollups move by exactly the
 * difference (old contribution out, new one in). The run's cursor commits with each chunk, so an
 * interrupted run resumes where it stopped and nothing is applied twice.
 *
 * A run with a planned scope (a published version: `options.plan`) reads only the events of the
 * names it covers, one name at a time through usage_events_org_model_time, so its cost follows
 * the affected events and not the organization's others. `events_total` is counted when the run
 * first starts, and `events_scanned` of it is the run's progress.
 */
export async function runReprice(
  pool: PgPool,
  pricer: EventPricer,
  runId: string,
  options: RepriceOptions | number = {},
): Promise<RepriceOutcome> {
  const opts: RepriceOptions = typeof options === 'number' ? { chunkSize: options } : options;
  const chunkSize = opts.chunkSize ?? 5000;
  const run = (
    await pool.query<{
      organization_id: string | null;
      rate_version_id: string | null;
      since: Date;
      until: Date | null;
      cursor: Cursor | null;
      scope: 'models' | 'all';
      models: ModelKey[];
      events_total: string | null;
      events_scanned: number;
    }>(
      `UPDATE reprice_runs SET status = 'running', started_at = coalesce(started_at, now()), error = NULL WHERE id = $1
       RETURNING organization_id, rate_version_id, since, until, cursor, scope, models, events_total, events_scanned`,
      [runId],
    )
  ).rows[0];
  if (!run) throw new Error(`no reprice run ${runId}`);

  let { scope, models } = run;
  let total = run.events_total === null ? null : Number(run.events_total);
  if (total === null) {
    // First start: decide what it covers and count it, so progress has a denominator.
    const planned = opts.plan
      ? await opts.plan({
          organizationId: run.organization_id,
          rateVersionId: run.rate_version_id,
          since: run.since,
          until: run.until,
        })
      : null;
    scope = planned ? 'models' : 'all';
    models = planned ?? [];
    const counted =
      scope === 'models'
        ? models.length === 0
          ? 0
          : Number(
              (
                await pool.query<{ n: string }>(COUNT_MODELS, [
                  run.since,
                  run.until,
                  run.organization_id,
                  models.map((m) => m.provider),
                  models.map((m) => m.model),
                ])
              ).rows[0]!.n,
            )
        : Number(
            (await pool.query<{ n: string }>(COUNT_ALL, [run.since, run.until, run.organization_id])).rows[0]!
              .n,
          );
    total = counted;
    await pool.query(
      `UPDATE reprice_runs SET scope = $2, models = $3::jsonb, events_total = $4 WHERE id = $1`,
      [runId, scope, JSON.stringify(models), counted],
    );
  }
  let cursor: Cursor = run.cursor ?? { ...START, ...(scope === 'models' ? { model: 0 } : {}) };
  let done = run.events_scanned;
  const report = () => opts.onProgress?.({ runId, done, total: Math.max(total ?? 0, done) });
  report();

  for (;;) {
    if (scope === 'models' && (cursor.model ?? 0) >= models.length) break;
    const finished = await inTransaction(pool, async (client) => {
      const name = scope === 'models' ? models[cursor.model ?? 0]! : null;
      const rows = (
        await client.query<EventRow>(name ? SELECT_MODEL_CHUNK : SELECT_CHUNK, [
          run.since,
          run.until,
          run.organization_id,
          cursor.occurredAt,
          cursor.id,
          chunkSize,
          ...(name ? [name.provider, name.model] : []),
        ])
      ).rows;
      if (rows.length > 0) await applyChunk(client, pricer, runId, rows);
      const last = rows[rows.length - 1];
      const exhausted = rows.length < chunkSize;
      if (name && exhausted) cursor = { ...START, model: (cursor.model ?? 0) + 1 };
      else if (last) cursor = { ...cursor, occurredAt: last.occurred_at.toISOString(), id: last.id };
      await client.query('UPDATE reprice_runs SET cursor = $2 WHERE id = $1', [
        runId,
        JSON.stringify(cursor),
      ]);
      done += rows.length;
      return !name && exhausted;
    });
    report();
    if (finished) break;
  }

  const result = (
    await pool.query<{
      events_scanned: number;
      events_changed: number;
      total_before: string;
      total_after: string;
      versions_used: RepriceOutcome['versionsUsed'];
    }>(
      `UPDATE reprice_runs SET status = 'succeeded', finished_at = now(), events_total = greatest(events_total, events_scanned)
       WHERE id = $1
       RETURNING events_scanned, events_changed, total_before::text, total_after::text, versions_used`,
      [runId],
    )
  ).rows[0]!;
  return {
    scope,
    models,
    eventsScanned: result.events_scanned,
    eventsChanged: result.events_changed,
    totalBefore: new Decimal(result.total_before).toFixed(),
    totalAfter: new Decimal(result.total_after).toFixed(),
    versionsUsed: result.versions_used,
  };
}

async function applyChunk(
  client: PgClient,
  pricer: EventPricer,
  runId: string,
  rows: EventRow[],
): Promise<void> {
  let before = new Decimal(0);
  let after = new Decimal(0);
  const versions = new Map<string | null, number>();
  const changed: { row: EventRow; old: EventPricing; next: EventPricing }[] = [];
  const deltas = new Map<
    string,
    { organizationId: string; projectId: string; cells: Map<string, RollupDelta>; tags: TagContribution[] }
  >();

  for (const row of rows) {
    const event = toEvent(row);
    const old = storedPricing(row);
    const next = priceSafely(pricer, event, row.organization_id);
    before = before.plus(costOf(old));
    after = after.plus(costOf(next));
    versions.set(next.rateVersionId, (versions.get(next.rateVersionId) ?? 0) + 1);
    if (!differs(old, next)) continue;
    changed.push({ row, old, next });
    let project = deltas.get(row.project_id);
    if (!project)
      deltas.set(
        row.project_id,
        (project = {
          organizationId: row.organization_id,
          projectId: row.project_id,
          cells: new Map(),
          tags: [],
        }),
      );
    accumulate(project.cells, event, old, -1);
    accumulate(project.cells, event, next, 1);
    project.tags.push({ event, pricing: old, sign: -1 }, { event, pricing: next, sign: 1 });
  }

  if (changed.length > 0) {
    await client.query(UPDATE_EVENTS, [
      changed.map((c) => c.row.id),
      changed.map((c) => c.row.occurred_at),
      changed.map((c) => (c.next.status === 'priced' && c.next.totalUsd ? c.next.totalUsd.toFixed() : null)),
      changed.map((c) =>
        c.next.breakdown
          ? JSON.stringify(
              Object.fromEntries(Object.entries(c.next.breakdown).map(([k, v]) => [k, v.toFixed()])),
            )
          : null,
      ),
      changed.map((c) => c.next.status),
      changed.map((c) => c.next.reason),
      changed.map((c) => c.next.flags.join('\u001f')),
      changed.map((c) => c.next.rateVersionId),
      changed.map((c) => c.next.pricedModel),
    ]);
    await client.query(INSERT_CHANGES, [
      runId,
      changed.map((c) => c.row.project_id),
      changed.map((c) => c.row.event_id),
      changed.map((c) => c.row.occurred_at),
      changed.map((c) => (c.old.totalUsd ? c.old.totalUsd.toFixed() : null)),
      changed.map((c) => (c.next.status === 'priced' && c.next.totalUsd ? c.next.totalUsd.toFixed() : null)),
      changed.map((c) => c.old.status),
      changed.map((c) => c.next.status),
      changed.map((c) => c.old.rateVersionId),
      changed.map((c) => c.next.rateVersionId),
    ]);
    for (const { organizationId, projectId, cells, tags } of [...deltas.values()].sort((a, b) =>
      a.projectId < b.projectId ? -1 : 1,
    )) {
      // upsertRollups sorts each level by its unique key (one lock order for every writer).
      await upsertRollups(client, organizationId, projectId, [...cells.values()]);
      await upsertTagRollups(client, organizationId, projectId, tags);
    }
  }

  const chunkVersions = [...versions.entries()].map(([rateVersionId, events]) => ({ rateVersionId, events }));
  await client.query(
    `UPDATE reprice_runs SET events_scanned = events_scanned + $2, events_changed = events_changed + $3,
       total_before = total_before + $4::numeric, total_after = total_after + $5::numeric,
       versions_used = (
         SELECT coalesce(jsonb_agg(jsonb_build_object('rateVersionId', v.id, 'events', v.n) ORDER BY v.n DESC), '[]'::jsonb)
         FROM (SELECT x->>'rateVersionId' AS id, sum((x->>'events')::int) AS n
               FROM jsonb_array_elements(versions_used || $6::jsonb) AS x GROUP BY 1) v)
     WHERE id = $1`,
    [runId, rows.length, changed.length, before.toFixed(), after.toFixed(), JSON.stringify(chunkVersions)],
  );
}
