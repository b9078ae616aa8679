import { TOKEN_KINDS, USAGE_FIELDS } from '@tokenledger/contracts';
import { arrayLiteral, inTransaction, type PgClient, type PgPool } from '../pg';
import { contentHash, type PricedBatch, type PricedEvent } from './priced-event';
import { accumulate, type RollupDelta } from './rollup-cell';
import { ROLLUP_PARAM_COUNT, rollupParams, rollupUpserts, withRollups } from './rollup.sql';
import { tagRollupCells, tagRollupParams, tagRollupUpsert, upsertTagRollups } from './tag-rollup.sql';

export interface WriteOutcome {
  /** Events stored now (first time seen). */
  stored: number;
  /** Resends of stored events with the same content: counted once, so ignored. */
  duplicates: number;
  /** Resends with different content: recorded in event_conflicts, never applied. */
  conflicts: number;
  /** Stored events that could not be priced (unknown model…): visible as unpriced, never $0. */
  unpriced: number;
}

/** ASCII unit separator: joins array values into one text parameter (no event field contains it). */
const SEP = '\u001f';

const INSERT_KEYS_SQL = `
INSERT INTO usage_event_keys (project_id, event_id, occurred_at, content_hash, received_at)
SELECT $1::uuid, k.event_id, k.occurred_at, k.content_hash, k.received_at
FROM unnest($2::text[], $3::timestamptz[], $4::text[], $5::timestamptz[])
  WITH ORDINALITY AS k(event_id, occurred_at, content_hash, received_at, ord)
ORDER BY k.ord
ON CONFLICT (project_id, event_id) DO NOTHING
RETURNING event_id`;

const EXISTING_KEYS_SQL = `
SELECT event_id, content_hash FROM usage_event_keys WHERE project_id = $1::uuid AND event_id = ANY($2::text[])`;

const INSERT_CONFLICTS_SQL = `
INSERT INTO event_conflicts (project_id, event_id, existing_content_hash, received_content_hash, payload, received_at)
SELECT $1::uuid, c.event_id, c.existing, c.received, c.payload::jsonb, $5
FROM unnest($2::text[], $3::text[], $4::text[], $6::text[]) AS c(event_id, existing, received, payload)`;

const EVENT_COLUMNS = [
  ['received_at', 'timestamptz'],
  ['source', 'text'],
  ['occurred_at', 'timestamptz'],
  ['event_id', 'text'],
  ['provider', 'text'],
  ['model', 'text'],
  ...TOKEN_KINDS.map((k) => [k.column, 'bigint'] as const),
  ['input_modalities', 'text'],
  ['service_tier', 'text'],
  ['feature', 'text'],
  ['customer_id', 'text'],
  ['environment', 'text'],
  ['latency_ms', 'int'],
  ['status', 'text'],
  ['tags', 'text'],
  ['cost_usd', 'numeric'],
  ['cost_breakdown', 'text'],
  ['pricing_status', 'text'],
  ['pricing_reason', 'text'],
  ['pricing_flags', 'text'],
  ['rate_version_id', 'uuid'],
  ['priced_model', 'text'],
  ['api_key_id', 'uuid'],
] as const;

/** How each unnested column becomes its table column (arrays travel as SEP-joined text). */
const SELECT_EXPRESSIONS: Record<string, string> = {
  input_modalities: `string_to_array(e.input_modalities, E'\\x1f')`,
  pricing_flags: `string_to_array(e.pricing_flags, E'\\x1f')`,
  tags: 'e.tags::jsonb',
  cost_breakdown: 'e.cost_breakdown::jsonb',
  pricing_status: 'e.pricing_status::pricing_status',
};

/** Event columns are parameters from $3 on ($1 organization, $2 project). */
const FIRST_COLUMN = 3;

const INSERT_EVENTS_SQL = `
INSERT INTO usage_events (organization_id, project_id, ${EVENT_COLUMNS.map(([c]) => c).join(', ')})
SELECT $1::uuid, $2::uuid, ${EVENT_COLUMNS.map(([c]) => SELECT_EXPRESSIONS[c] ?? `e.${c}`).join(', ')}
FROM unnest(${EVENT_COLUMNS.map(([, type], i) => `$${FIRST_COLUMN + i}::${type}[]`).join(', ')})
  AS e(${EVENT_COLUMNS.map(([c]) => c).join(', ')})`;

const ROLLUPS_FROM = FIRST_COLUMN + EVENT_COLUMNS.length;
const HASHES_PARAM = ROLLUPS_FROM + ROLLUP_PARAM_COUNT;
const column = (name: (typeof EVENT_COLUMNS)[number][0]) =>
  FIRST_COLUMN + EVENT_COLUMNS.findIndex(([c]) => c === name);

/** The new events and every rollup level in one statement: one round trip inside the transaction. */
const INSERT_EVENTS_AND_ROLLUPS_SQL = withRollups(INSERT_EVENTS_SQL, ROLLUPS_FROM);

/**
 * A batch whose events are all new, written by one statement: keys (a plain INSERT: any eventId
 * already stored fails the whole statement with a unique violation, and nothing is written),
 * events, and every rollup level. One statement is one transaction: it commits with no round trip
 * to the worker while it holds the rollup rows that every concurrent writer updates. The keys go
 * first (the final SELECT reads them); the rest runs after, in a fixed order for every writer.
 */
const WRITE_NEW_BATCH_SQL = `
WITH keys AS (
  INSERT INTO usage_event_keys (project_id, event_id, occurred_at, content_hash, received_at)
  SELECT $2::uuid, k.event_id, k.occurred_at, k.content_hash, k.received_at
  FROM unnest(
    $${column('event_id')}::text[], $${column('occurred_at')}::timestamptz[], $${HASHES_PARAM}::text[],
    $${column('received_at')}::timestamptz[]
  ) WITH ORDINALITY AS k(event_id, occurred_at, content_hash, received_at, ord)
  ORDER BY k.ord
  RETURNING 1
),
new_events AS (${INSERT_EVENTS_SQL}),
${rollupUpserts(ROLLUPS_FROM)
  .map((sql, i) => `rollup_${i} AS (${sql})`)
  .join(',\n')},
tag_rollup AS (${tagRollupUpsert(HASHES_PARAM + 1)})
SELECT count(*)::int AS stored FROM keys`;

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** An event to write, with what its batch says of every event in it. */
export interface EventRow extends PricedEvent {
  receivedAt: string;
  source: PricedBatch['source'];
  /** The API key that sent its batch (null: none recorded). */
  apiKeyId: string | null;
  hash: string;
}

/**
 * A batch made ready to send. Preparing is most of the writer's CPU, and it needs no connection:
 * GroupCommitWriter prepares each batch as it arrives, while another write is in flight.
 */
export interface PreparedBatch {
  readonly batch: PricedBatch;
  /** Its events, sorted by eventId: one lock order for every writer. */
  readonly rows: EventRow[];
  /** Every event column (EVENT_COLUMNS' order) as an array literal: ready to send. */
  readonly columns: string[];
  /** The events' content hashes as an array literal. */
  readonly hashes: string;
  /** Its hourly rollup cells. */
  readonly cells: RollupDelta[];
}

/** The hourly rollup cells the rows add to. */
function hourlyCells(rows: EventRow[]): RollupDelta[] {
  const cells = new Map<string, RollupDelta>();
  for (const e of rows) accumulate(cells, e.event, e.pricing, 1, e.apiKeyId);
  return [...cells.values()];
}

/** A cost breakdown as JSON, decimals as strings. */
function breakdownJson(breakdown: NonNullable<PricedEvent['pricing']['breakdown']>): string {
  let out = '';
  for (const [component, usd] of Object.entries(breakdown))
    out += `${out ? ',' : ''}${JSON.stringify(component)}:"${usd.toFixed()}"`;
  return `{${out}}`;
}

/** Column by column (EVENT_COLUMNS' order), the values of the rows. */
function eventColumns(rows: EventRow[]): unknown[][] {
  const columns: unknown[][] = EVENT_COLUMNS.map(() => new Array<unknown>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const { event: e, pricing: p, receivedAt, source, apiKeyId } = rows[r]!;
    const u = e.usage;
    let c = 0;
    const put = (v: unknown) => (columns[c++]![r] = v);
    put(receivedAt);
    put(source);
    put(e.occurredAt);
    put(e.eventId);
    put(e.provider);
    put(e.model);
    for (let i = 0; i < USAGE_FIELDS.length; i++) put(u[USAGE_FIELDS[i]!]);
    put(e.inputModalities.join(SEP));
    put(e.serviceTier);
    put(e.feature ?? '');
    put(e.customerId ?? '');
    put(e.environment);
    put(e.latencyMs);
    put(e.status);
    put(JSON.stringify(e.tags));
    put(p.status === 'priced' && p.totalUsd ? p.totalUsd.toFixed() : null);
    put(p.breakdown ? breakdownJson(p.breakdown) : null);
    put(p.status);
    put(p.reason);
    put(p.flags.join(SEP));
    put(p.rateVersionId);
    put(p.pricedModel);
    put(apiKeyId);
  }
  return columns;
}

/** Array literals of several batches joined into one per parameter, in batch order. */
function joinLiterals(parts: string[]): string {
  if (parts.length === 1) return parts[0]!;
  const inner = parts.map((p) => p.slice(1, -1)).filter((p) => p.length > 0);
  return `{${inner.join(',')}}`;
}

const unpricedIn = (events: readonly PricedEvent[]) =>
  events.filter((e) => e.pricing.status !== 'priced').length;

/**
 * Writes priced batches: idempotency keys, the new events, conflicts, and every rollup level, in
 * one transaction per write — a crash anywhere leaves nothing half-counted, and a re-run of the
 * same batch finds every key present and adds nothing. Uniqueness is the database's job, so any
 * number of workers can run this concurrently.
 */
export class UsageEventWriter {
  constructor(private readonly pool: PgPool) {}

  prepare(batch: PricedBatch): PreparedBatch {
    const receivedAt = batch.receivedAt.toISOString();
    const apiKeyId = batch.apiKeyId ?? null;
    const rows: EventRow[] = batch.events
      .map((e) => ({
        event: e.event,
        pricing: e.pricing,
        receivedAt,
        source: batch.source,
        apiKeyId,
        hash: contentHash(e.event),
      }))
      .sort((a, b) => (a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0));
    return {
      batch,
      rows,
      columns: eventColumns(rows).map(arrayLiteral),
      hashes: arrayLiteral(rows.map((r) => r.hash)),
      cells: hourlyCells(rows),
    };
  }

  async write(batch: PricedBatch | PreparedBatch): Promise<WriteOutcome> {
    const prepared = 'rows' in batch ? batch : this.prepare(batch);
    try {
      return (await this.writeNew([prepared]))[0]!;
    } catch (error) {
      if (!isResend(error)) throw error;
    }
    return this.writeSortingResends(prepared.batch, prepared.rows);
  }

  /**
   * Several batches of one project whose events are all new, as one statement and one commit: far
   * cheaper per event than a statement each. Throws, having written nothing, when any eventId is
   * stored already or anything else fails; the caller then writes each batch on its own. Events go
   * in batch by batch, each batch's in eventId order: two writers can meet on the same eventId
   * only when a batch is resent, and if they then deadlock PostgreSQL cancels one, which is
   * written again batch by batch.
   */
  async writeTogether(batches: readonly PreparedBatch[]): Promise<WriteOutcome[]> {
    const { organizationId, projectId } = batches[0]!.batch;
    if (batches.some(({ batch: b }) => b.projectId !== projectId || b.organizationId !== organizationId))
      throw new Error('writeTogether: every batch must belong to one project');
    return this.writeNew(batches);
  }

  /** Every event new: one statement (keys, events, rollups), or a unique violation and nothing written. */
  private async writeNew(batches: readonly PreparedBatch[]): Promise<WriteOutcome[]> {
    const outcomes = batches.map(({ batch: b }) => ({
      stored: b.events.length,
      duplicates: 0,
      conflicts: 0,
      unpriced: unpricedIn(b.events),
    }));
    const count = batches.reduce((n, b) => n + b.rows.length, 0);
    if (count === 0) return outcomes;
    const { organizationId, projectId } = batches[0]!.batch;
    const columns = EVENT_COLUMNS.map((_, i) => joinLiterals(batches.map((b) => b.columns[i]!)));
    // Everything is built before anything is sent: once a writer has upserted the rollups it holds
    // locks on rows that every concurrent writer of the project updates, so it must not compute
    // while it holds them.
    const { rows: result } = await this.pool.query<{ stored: number }>({
      name: 'tl-write-new-batch',
      text: WRITE_NEW_BATCH_SQL,
      values: [
        organizationId,
        projectId,
        ...columns,
        ...rollupParams(batches.flatMap((b) => b.cells)),
        joinLiterals(batches.map((b) => b.hashes)),
        ...tagRollupParams(tagRollupCells(batches.flatMap((b) => b.rows))),
      ],
    });
    if (result[0]!.stored !== count) throw new Error(`wrote ${result[0]!.stored} keys for ${count} events`);
    return outcomes;
  }

  /** Some eventIds are stored already (a retry, a resend): sort them out in a transaction. */
  private async writeSortingResends(batch: PricedBatch, rows: EventRow[]): Promise<WriteOutcome> {
    return inTransaction(this.pool, async (client) => {
      // Named statements: each connection parses and plans them once.
      const inserted = await client.query<{ event_id: string }>({
        name: 'tl-insert-keys',
        text: INSERT_KEYS_SQL,
        values: [
          batch.projectId,
          arrayLiteral(rows.map((r) => r.event.eventId)),
          arrayLiteral(rows.map((r) => r.event.occurredAt)),
          arrayLiteral(rows.map((r) => r.hash)),
          arrayLiteral(rows.map((r) => r.receivedAt)),
        ],
      });
      const fresh = new Set(inserted.rows.map((r) => r.event_id));
      const newRows = rows.filter((r) => fresh.has(r.event.eventId));
      const conflicts = await this.recordResends(
        client,
        batch,
        rows.filter((r) => !fresh.has(r.event.eventId)),
      );
      if (newRows.length > 0) {
        await client.query({
          name: 'tl-insert-events-and-rollups',
          text: INSERT_EVENTS_AND_ROLLUPS_SQL,
          values: [
            batch.organizationId,
            batch.projectId,
            ...eventColumns(newRows).map(arrayLiteral),
            ...rollupParams(hourlyCells(newRows)),
          ],
        });
        await upsertTagRollups(client, batch.organizationId, batch.projectId, newRows);
      }
      return {
        stored: newRows.length,
        duplicates: rows.length - newRows.length - conflicts,
        conflicts,
        unpriced: unpricedIn(newRows),
      };
    });
  }

  /** Resent eventIds: same content is a harmless retry; different content is kept as a conflict. */
  private async recordResends(client: PgClient, batch: PricedBatch, resent: EventRow[]): Promise<number> {
    if (resent.length === 0) return 0;
    const existing = await client.query<{ event_id: string; content_hash: string }>(EXISTING_KEYS_SQL, [
      batch.projectId,
      resent.map((r) => r.event.eventId),
    ]);
    const stored = new Map(existing.rows.map((r) => [r.event_id, r.content_hash]));
    const conflicting = resent.filter((r) => stored.get(r.event.eventId) !== r.hash);
    if (conflicting.length > 0) {
      await client.query(INSERT_CONFLICTS_SQL, [
        batch.projectId,
        conflicting.map((r) => r.event.eventId),
        conflicting.map((r) => stored.get(r.event.eventId) ?? ''),
        conflicting.map((r) => r.hash),
        batch.receivedAt,
        conflicting.map((r) => JSON.stringify(r.event)),
      ]);
    }
    return conflicting.length;
  }
}

/** The statement failed because an eventId is stored already. */
function isResend(error: unknown): boolean {
  const e = error as { code?: string; table?: string };
  return e.code === UNIQUE_VIOLATION && e.table === 'usage_event_keys';
}
