import { TOKEN_KINDS, type TokenColumn, type UsageEvent } from '@tokenledger/contracts';
import Decimal from 'decimal.js';
import type { EventPricer } from '../ingest/ingest-batch';
import { priceSafely } from '../ingest/ingest-batch';
import type { EventPricing, PricingStatus } from '../ingest/priced-event';
import type { RollupDelta } from '../ingest/rollup-cell';
import { upsertRollups } from '../ingest/rollup.sql';
import { tagRollupParams, tagRollupUpsert, type TagRollupDelta } from '../ingest/tag-rollup.sql';
import { arrayLiteral, inTransaction, type PgClient, type PgPool } from '../pg';
import type { ModelKey, RepriceScopeInput } from './reprice-scope';

/** What pricing an event needs, and its stored outcome (nothing else is read: see COLUMNS). */
interface EventRow extends Record<TokenColumn, string> {
  id: string;
  occurred_at: Date;
  organization_id: string;
  project_id: string;
  provider: string;
  model: string;
  input_modalities: string[];
  service_tier: string;
  cost_usd: string | null;
  pricing_status: PricingStatus;
  rate_version_id: string | null;
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

/**
 * Only what the pricer reads and the stored outcome: the rollup, tag and change-log corrections
 * are computed by the database from the rows it updates (APPLY_CHUNK), so dimensions, tags and
 * event ids never travel to this process.
 */
const COLUMNS = `id::text, occurred_at, organization_id, project_id, provider, model,
       ${TOKEN_KINDS.map((k) => k.column).join(', ')}, input_modalities, service_tier,
       cost_usd::text, pricing_status, rate_version_id`;

/**
 * Every event of the range (a manual run): in (occurred_at, id) order. ORDER BY names the table's
 * columns: a bare `id` would be the `id::text` output column, sorting "1000" before "999" while
 * the cursor compares numbers, so a chunk ending inside one millisecond could skip events.
 */
const SELECT_CHUNK = `
SELECT ${COLUMNS}
FROM usage_events
WHERE occurred_at >= $1 AND ($2::timestamptz IS NULL OR occurred_at < $2)
  AND ($3::uuid IS NULL OR organization_id = $3)
  AND (occurred_at, id) > ($4::timestamptz, $5::bigint)
ORDER BY usage_events.occurred_at, usage_events.id
LIMIT $6`;

/** One model's events of one organization (a targeted run), on usage_events_org_model_time. */
const SELECT_MODEL_CHUNK = `
SELECT ${COLUMNS}
FROM usage_events
WHERE organization_id = $3 AND provider = $7 AND model = $8
  AND occurred_at >= $1 AND ($2::timestamptz IS NULL OR occurred_at < $2)
  AND (occurred_at, id) > ($4::timestamptz, $5::bigint)
ORDER BY usage_events.occurred_at, usage_events.id
LIMIT $6`;

const COUNT_ALL = `
SELECT count(*)::bigint AS n FROM usage_events
WHERE occurred_at >= $1 AND ($2::timestamptz IS NULL OR occurred_at < $2)
  AND ($3::uuid IS NULL OR organization_id = $3)`;

const COUNT_MODELS = `
SELECT count(*)::bigint AS n FROM usage_events e
JOIN unnest($4::text[], $5::text[]) AS m(provider, model) ON e.provider = m.provider AND e.model = m.model
WHERE e.organization_id = $3 AND e.occurred_at >= $1 AND ($2::timestamptz IS NULL OR e.occurred_at < $2)`;

/**
 * One chunk's writes in one statement: the changed events are updated (only if they still hold the
 * outcome they were priced from: a row another writer re-priced meanwhile is left alone and the
 * chunk is retried under row locks), each update is logged in reprice_changes, and the statement
 * returns what the rollups must move by, computed from exactly the rows it updated: per hourly
 * cell (and the API key that sent its events) and per tag cell, the change in priced requests and in cost (a re-pricing moves nothing
 * else: requests, tokens and latency stay where they are). The traffic mix follows through its
 * update trigger. The rollups themselves are then upserted by the ingest path's own statements,
 * so every writer takes rollup row locks in one order.
 */
const APPLY_CHUNK = `
WITH u AS (
  SELECT * FROM unnest($2::bigint[], $3::timestamptz[], $4::numeric[], $5::text[], $6::text[], $7::text[],
    $8::text[], $9::uuid[], $10::text[], $11::numeric[], $12::text[], $13::uuid[])
    AS u(id, occurred_at, cost_usd, cost_breakdown, pricing_status, pricing_reason, pricing_flags,
         rate_version_id, priced_model, old_cost, old_status, old_version)
), upd AS (
  UPDATE usage_events AS e SET
    cost_usd = u.cost_usd, cost_breakdown = u.cost_breakdown::jsonb, pricing_status = u.pricing_status::pricing_status,
    pricing_reason = u.pricing_reason, pricing_flags = string_to_array(u.pricing_flags, E'\\x1f'),
    rate_version_id = u.rate_version_id, priced_model = u.priced_model, priced_at = now()
  FROM u
  WHERE e.id = u.id AND e.occurred_at = u.occurred_at
    AND e.pricing_status = u.old_status::pricing_status
    AND e.cost_usd IS NOT DISTINCT FROM u.old_cost
    AND e.rate_version_id IS NOT DISTINCT FROM u.old_version
  RETURNING e.organization_id, e.project_id, e.event_id, e.occurred_at, e.provider, e.model, e.feature,
    e.customer_id, e.environment, e.api_key_id, e.input_tokens, e.output_tokens, e.tags,
    u.old_status, u.old_version, u.pricing_status AS new_status, u.rate_version_id AS new_version,
    CASE WHEN u.old_status = 'priced' THEN u.old_cost END AS cost_before, u.cost_usd AS cost_after
), logged AS (
  INSERT INTO reprice_changes (run_id, project_id, event_id, occurred_at, cost_before, cost_after, status_before, status_after, rate_version_before, rate_version_after)
  SELECT $1::uuid, project_id, event_id, occurred_at, cost_before, cost_after, old_status, new_status, old_version, new_version
  FROM upd
), d AS (
  SELECT organization_id, project_id, provider, model, feature, customer_id, environment, api_key_id, tags,
    to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":00:00.000Z"') AS hour,
    input_tokens, output_tokens,
    (new_status = 'priced')::int - (old_status = 'priced')::int AS priced,
    CASE WHEN new_status = 'priced' THEN coalesce(cost_after, 0) ELSE 0 END
      - CASE WHEN old_status = 'priced' THEN coalesce(cost_before, 0) ELSE 0 END AS cost
  FROM upd
)
SELECT false AS tag, organization_id::text, project_id::text, hour, provider, model, feature, customer_id, environment,
  api_key_id::text, NULL AS tag_key, NULL AS tag_value, count(*)::int AS events, sum(priced)::int AS priced,
  sum(priced * input_tokens)::text AS input_tokens, sum(priced * output_tokens)::text AS output_tokens,
  sum(cost)::text AS cost
FROM d GROUP BY organization_id, project_id, hour, provider, model, feature, customer_id, environment, api_key_id
UNION ALL
SELECT true, organization_id::text, project_id::text, hour, NULL, NULL, NULL, NULL, NULL, NULL, t.key, t.value,
  count(*)::int, sum(priced)::int, sum(priced * input_tokens)::text, sum(priced * output_tokens)::text, sum(cost)::text
FROM d CROSS JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(d.tags) = 'object' THEN d.tags ELSE '{}' END) AS t(key, value)
GROUP BY organization_id, project_id, hour, t.key, t.value`;

interface DeltaRow {
  tag: boolean;
  organization_id: string;
  project_id: string;
  hour: string;
  provider: string | null;
  model: string | null;
  feature: string | null;
  customer_id: string | null;
  environment: string | null;
  /** The key that sent the cell's events (cells only; null: none recorded). */
  api_key_id: string | null;
  tag_key: string | null;
  tag_value: string | null;
  /** Events updated into this cell (cells only: their sum is the rows updated). */
  events: number;
  priced: number;
  input_tokens: string;
  output_tokens: string;
  cost: string;
}

/** A chunk's update found rows another writer had changed: redo it under row locks. */
class ConcurrentChange extends Error {}

/** The event as the pricer reads it (dimensions it does not read are left at their defaults). */
function toEvent(r: EventRow): UsageEvent {
  return {
    eventId: r.id,
    occurredAt: r.occurred_at.toISOString(),
    provider: r.provider,
    model: r.model,
    usage: Object.fromEntries(TOKEN_KINDS.map((k) => [k.field, Number(r[k.column])])) as UsageEvent['usage'],
    serviceTier: r.service_tier as UsageEvent['serviceTier'],
    feature: null,
    customerId: null,
    environment: 'production',
    inputModalities: r.input_modalities as UsageEvent['inputModalities'],
    latencyMs: null,
    status: 'success',
    tags: {},
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
    pricedModel: null,
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
    const name = scope === 'models' ? models[cursor.model ?? 0]! : null;
    // A chunk reads without row locks; if its update finds rows another writer changed since they
    // were read, the transaction is rolled back and the chunk read again with FOR UPDATE.
    const chunk = async (lock: boolean) =>
      inTransaction(pool, async (client) => {
        const rows = (
          await client.query<EventRow>(
            `${name ? SELECT_MODEL_CHUNK : SELECT_CHUNK}${lock ? '\nFOR UPDATE' : ''}`,
            [
              run.since,
              run.until,
              run.organization_id,
              cursor.occurredAt,
              cursor.id,
              chunkSize,
              ...(name ? [name.provider, name.model] : []),
            ],
          )
        ).rows;
        const last = rows[rows.length - 1];
        const exhausted = rows.length < chunkSize;
        let next = cursor;
        if (name && exhausted) next = { ...START, model: (cursor.model ?? 0) + 1 };
        else if (last) next = { ...cursor, occurredAt: last.occurred_at.toISOString(), id: last.id };
        await applyChunk(client, pricer, runId, rows, next);
        return { next, scanned: rows.length, finished: !name && exhausted };
      });
    let outcome: { next: Cursor; scanned: number; finished: boolean };
    try {
      outcome = await chunk(false);
    } catch (error) {
      if (!(error instanceof ConcurrentChange)) throw error;
      outcome = await chunk(true);
    }
    cursor = outcome.next;
    done += outcome.scanned;
    report();
    if (outcome.finished) break;
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
  cursor: Cursor,
): Promise<void> {
  let before = new Decimal(0);
  let after = new Decimal(0);
  const versions = new Map<string | null, number>();
  const changed: { row: EventRow; next: EventPricing }[] = [];

  for (const row of rows) {
    const old = storedPricing(row);
    const next = priceSafely(pricer, toEvent(row), row.organization_id);
    before = before.plus(costOf(old));
    after = after.plus(costOf(next));
    versions.set(next.rateVersionId, (versions.get(next.rateVersionId) ?? 0) + 1);
    if (differs(old, next)) changed.push({ row, next });
  }

  if (changed.length > 0) {
    const deltas = (
      await client.query<DeltaRow>(APPLY_CHUNK, [
        runId,
        arrayLiteral(changed.map((c) => c.row.id)),
        arrayLiteral(changed.map((c) => c.row.occurred_at.toISOString())),
        arrayLiteral(
          changed.map((c) =>
            c.next.status === 'priced' && c.next.totalUsd ? c.next.totalUsd.toFixed() : null,
          ),
        ),
        arrayLiteral(
          changed.map((c) =>
            c.next.breakdown
              ? JSON.stringify(
                  Object.fromEntries(Object.entries(c.next.breakdown).map(([k, v]) => [k, v.toFixed()])),
                )
              : null,
          ),
        ),
        arrayLiteral(changed.map((c) => c.next.status)),
        arrayLiteral(changed.map((c) => c.next.reason)),
        arrayLiteral(changed.map((c) => c.next.flags.join('\u001f'))),
        arrayLiteral(changed.map((c) => c.next.rateVersionId)),
        arrayLiteral(changed.map((c) => c.next.pricedModel)),
        arrayLiteral(changed.map((c) => c.row.cost_usd)),
        arrayLiteral(changed.map((c) => c.row.pricing_status)),
        arrayLiteral(changed.map((c) => c.row.rate_version_id)),
      ])
    ).rows;
    const updated = deltas.reduce((n, d) => (d.tag ? n : n + d.events), 0);
    if (updated !== changed.length) throw new ConcurrentChange();
    await applyRollupDeltas(client, deltas);
  }

  const chunkVersions = [...versions.entries()].map(([rateVersionId, events]) => ({ rateVersionId, events }));
  await client.query(
    `UPDATE reprice_runs SET events_scanned = events_scanned + $2, events_changed = events_changed + $3,
       total_before = total_before + $4::numeric, total_after = total_after + $5::numeric,
       versions_used = (
         SELECT coalesce(jsonb_agg(jsonb_build_object('rateVersionId', v.id, 'events', v.n) ORDER BY v.n DESC), '[]'::jsonb)
         FROM (SELECT x->>'rateVersionId' AS id, sum((x->>'events')::int) AS n
               FROM jsonb_array_elements(versions_used || $6::jsonb) AS x GROUP BY 1) v),
       cursor = $7::jsonb
     WHERE id = $1`,
    [
      runId,
      rows.length,
      changed.length,
      before.toFixed(),
      after.toFixed(),
      JSON.stringify(chunkVersions),
      JSON.stringify(cursor),
    ],
  );
}

/** A re-pricing's correction of one cell: priced requests and cost move, nothing else does. */
function correction(d: DeltaRow): RollupDelta {
  const delta = {
    hour: d.hour,
    apiKeyId: d.api_key_id,
    provider: d.provider ?? '',
    model: d.model ?? '',
    feature: d.feature ?? '',
    customerId: d.customer_id ?? '',
    environment: d.environment ?? '',
    requests: 0,
    errorRequests: 0,
    pricedRequests: d.priced,
    unpricedRequests: -d.priced,
    unpricedInputTokens: -Number(d.input_tokens),
    unpricedOutputTokens: -Number(d.output_tokens),
    latencyMsSum: 0,
    latencyCount: 0,
    costUsd: new Decimal(d.cost),
  } as RollupDelta;
  for (const k of TOKEN_KINDS) delta[k.field] = 0;
  return delta;
}

/** Moves every rollup level and the tag rollups by the chunk's corrections, project by project. */
async function applyRollupDeltas(client: PgClient, deltas: DeltaRow[]): Promise<void> {
  const projects = new Map<
    string,
    { organizationId: string; cells: RollupDelta[]; tags: TagRollupDelta[] }
  >();
  for (const d of deltas) {
    let project = projects.get(d.project_id);
    if (!project)
      projects.set(d.project_id, (project = { organizationId: d.organization_id, cells: [], tags: [] }));
    if (!d.tag) project.cells.push(correction(d));
    else
      project.tags.push({
        id: [d.hour, d.tag_key, d.tag_value].join('\u001f'),
        hour: d.hour,
        tagKey: d.tag_key ?? '',
        tagValue: d.tag_value ?? '',
        delta: correction(d),
      });
  }
  for (const [projectId, { organizationId, cells, tags }] of [...projects.entries()].sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    // upsertRollups sorts each level by its unique key (one lock order for every writer).
    await upsertRollups(client, organizationId, projectId, cells);
    if (tags.length === 0) continue;
    tags.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await client.query({
      name: 'tl-upsert-tag-rollups',
      text: tagRollupUpsert(3),
      values: [organizationId, projectId, ...tagRollupParams(tags)],
    });
  }
}
