import type { OrgScope } from '../accounts/scope';
import type { PricingOutcomeCount } from '../events/event-lookups';
import type { EventPage, EventQuery } from '../events/usage-events.repository';
import type { EventPricer } from '../ingest/ingest-batch';
import type { PricedBatch } from '../ingest/priced-event';
import type { PreparedBatch, WriteOutcome } from '../ingest/usage-event.writer';
import type { RepriceOutcome, RepriceProgress } from '../reprice/reprice.runner';
import type { SpendPlan } from '../spend/spend-plan';
import type { SpendRequest, SpendTotals } from '../spend/spend.repository';

/**
 * The storage seam: everything the product asks of the store that holds usage events and their
 * rollups. PostgreSQL answers it today (`createPostgresAnalyticsStore`); an analytics database
 * (ClickHouse past ~1B events a month) would be a second implementation of this interface, and
 * nothing above libs/db changes. Accounts, keys and rate tables stay in PostgreSQL either way:
 * they are small, relational and transactional.
 *
 * The rules every implementation keeps:
 * - writes are idempotent per (project, eventId): a resend with the same content is counted once,
 *   one with different content is kept apart as a conflict and never applied;
 * - an event and its rollup contributions are written together or not at all;
 * - reads of totals come from rollups, never from a scan of raw events;
 * - every read is limited to one organization (and to one project for a project-bound key).
 */
export interface AnalyticsStore {
  /** The batch in the form `write` sends it, computed before any transaction opens (opaque to callers). */
  prepare(batch: PricedBatch): PreparedBatch;
  /** Writes a priced batch: events, idempotency keys and rollups, in one transaction. */
  write(batch: PricedBatch | PreparedBatch): Promise<WriteOutcome>;
  /** Several batches of one project in one statement and one commit (group commit), each with its own outcome. */
  writeTogether(batches: readonly PreparedBatch[]): Promise<WriteOutcome[]>;
  /** Spend totals for a filter and a grouping, from the rollups. */
  spend(scope: OrgScope, request: SpendRequest): Promise<SpendTotals[]>;
  /** Which rollup would answer `spend` and how (benchmarks, tests, EXPLAIN). */
  planSpend(scope: OrgScope, request: SpendRequest): Promise<SpendPlan>;
  /** Raw events for drill-down, newest first, keyset-paginated. */
  events(scope: OrgScope, query: EventQuery, first: number, after?: string | null): Promise<EventPage>;
  /** Of these eventIds of one project, how many are stored, and how many were received before `since`. */
  countStored(
    projectId: string,
    eventIds: readonly string[],
    since: Date,
  ): Promise<{ stored: number; storedBefore: number }>;
  /** How these eventIds of one project were priced: events and cost by pricing status. */
  pricingOutcomes(projectId: string, eventIds: readonly string[]): Promise<PricingOutcomeCount[]>;
  /** Whether the organization holds any usage event (demo data loads only into an empty one). */
  organizationHasEvents(organizationId: string): Promise<boolean>;
  /**
   * Re-prices the events of a recorded reprice run and moves their rollups by the difference,
   * resumable from its cursor. A run for a published version covers only the provider/model
   * names that version's table can price (its cost follows those events); `onProgress` hears
   * events scanned of the total after each committed chunk.
   */
  reprice(
    pricer: EventPricer,
    runId: string,
    options?: { onProgress?: (progress: RepriceProgress) => void },
  ): Promise<RepriceOutcome>;
  // Still to come, each as one method here: the per-cell prompt-size / modality / time-window
  // aggregates what-if simulation prices (issue "What-if savings"), and the month's line items
  // streamed for reports (issue "Monthly cost reports").
}
