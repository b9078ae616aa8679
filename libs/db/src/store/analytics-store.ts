import type { OrgScope } from '../accounts/scope';
import type { PricingOutcomeCount } from '../events/event-lookups';
import type { EventPage, EventQuery } from '../events/usage-events.repository';
import type { EventPricer } from '../ingest/ingest-batch';
import type { PricedBatch } from '../ingest/priced-event';
import type { PreparedBatch, WriteOutcome } from '../ingest/usage-event.writer';
import type Decimal from 'decimal.js';
import type { MonthRange, RateVersionCount, ReportMonth, RollupState } from '../reports/report-data';
import type { RepriceOutcome, RepriceProgress } from '../reprice/reprice.runner';
import type { SpendPlan } from '../spend/spend-plan';
import type { SpendRequest, SpendTotals } from '../spend/spend.repository';
import type { DailyUsage, MixLayout, TrafficSlice } from '@tokenledger/simulation';
import type { DailyUsageRequest, TrafficMixRequest, TrafficMixSize } from '../simulation/traffic-mix';

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
  /**
   * The traffic mix of a filter (what-if simulation): per UTC day, source model and feature, the
   * requests, tokens by kind and recorded cost split by prompt-size bucket, output bucket,
   * modality set, service tier and time-window class. From the rollups' companion, never raw events.
   */
  trafficMix(scope: OrgScope, request: TrafficMixRequest): Promise<TrafficSlice[]>;
  /** Requests and tokens per day, feature and model (calibrating token efficiency), from rollups. */
  dailyUsage(scope: OrgScope, request: DailyUsageRequest): Promise<DailyUsage[]>;
  /** Where the traffic mix cuts (bucket floors, time-window classes). */
  trafficMixLayout(): Promise<MixLayout>;
  /** Stores a new layout and recomputes the mix of every day from the events, with progress. */
  rebuildTrafficMix(
    layout: MixLayout,
    onProgress?: (p: { day: string; done: number; total: number; rows: number }) => void,
  ): Promise<{ days: number; rows: number }>;
  /** Rows and bytes of the traffic mix beside the events table's. */
  trafficMixSize(): Promise<TrafficMixSize>;
  /**
   * A month's report data from one snapshot: the rollup state (the report's lock) and its line
   * items (day × project × provider × model × feature × customer × environment, days cut in
   * `timeZone`), ordered by day and streamed from the rollups, never held whole; as many passes as
   * a format needs. Close it when done.
   */
  openReportMonth(organizationId: string, range: MonthRange, timeZone: string): Promise<ReportMonth>;
  /** The month's rollup state now: compared with a report's lock to say whether it is stale. */
  reportRollupState(organizationId: string, range: MonthRange): Promise<RollupState>;
  /** Spend by day ("YYYY-MM-DD" in `timeZone`) over a range, from the rollups. */
  reportDailySpend(
    organizationId: string,
    range: MonthRange,
    timeZone: string,
  ): Promise<Map<string, Decimal>>;
  /** Which rate versions priced the range's events, and how many each. */
  reportRateVersions(organizationId: string, range: MonthRange): Promise<RateVersionCount[]>;
}
