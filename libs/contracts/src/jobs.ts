import type { UsageEvent } from './usage-event';

/**
 * The job catalog: queue → job name → payload. Queue names carry a hash tag so every key of a
 * queue lands in one Redis Cluster slot.
 */
export const QUEUES = {
  ingest: '{ingest}',
  reprice: '{reprice}',
  simulate: '{simulate}',
  report: '{report}',
  reportSchedule: '{report-schedule}',
  alert: '{alert}',
  reconcile: '{reconcile}',
} as const;
export type QueueKey = keyof typeof QUEUES;

export type EventSource = 'api' | 'otlp' | 'demo';

export interface IngestBatchJob {
  organizationId: string;
  projectId: string;
  /** The API key that sent the batch (id, not secret): recorded on each event (budgets per key). */
  apiKeyId: string | null;
  source: EventSource;
  receivedAt: string;
  events: UsageEvent[];
}

export interface RepriceJob {
  /** Scope: one organization, or every organization when null (a global catalog correction). */
  organizationId: string | null;
  since: string;
  until: string | null;
  reason: string;
  /** The version whose publication triggered it, when one did. */
  rateVersionId: string | null;
  requestedBy: string | null;
  repriceRunId: string;
}

export interface SimulateJob {
  organizationId: string;
  simulationRunId: string;
}

export interface ReportJob {
  organizationId: string;
  reportId: string;
}

/**
 * One tick of the monthly report schedule: make last month's reports for every organization. The
 * month is left to the worker (the month before the tick, in each organization's time zone) unless
 * given. Each organization's report is created once whatever the number of ticks or workers
 * (a unique key in the database).
 */
export interface MonthlyReportsJob {
  month: string | null;
}

/**
 * Evaluate budgets: one organization's (after an ingest write), or every organization holding a
 * budget when `organizationId` is null (the job scheduler's tick, every minute).
 */
export interface AlertJob {
  organizationId: string | null;
  budgetId: string | null;
}

/**
 * Import a provider's usage and cost reports through its API with the stored admin key (on
 * demand: one organization, provider and month), or every connection's current and previous
 * month (the daily job scheduler's tick: `organizationId` null).
 */
export interface ReconcileImportJob {
  organizationId: string | null;
  /** "openai" | "anthropic"; null with a null organization. */
  provider: string | null;
  /** "2026-10"; null: the month of the tick (and the one before, still being finalized). */
  month: string | null;
}

export interface JobCatalog {
  ingest: { batch: IngestBatchJob };
  reprice: { reprice: RepriceJob };
  simulate: { run: SimulateJob };
  report: { generate: ReportJob };
  reportSchedule: { monthly: MonthlyReportsJob };
  alert: { check: AlertJob };
  reconcile: { import: ReconcileImportJob };
}

export type JobName<Q extends QueueKey> = keyof JobCatalog[Q] & string;
export type JobOf<Q extends QueueKey, N extends JobName<Q>> = JobCatalog[Q][N];

/** The job name of each queue (each queue carries one kind of job): producers and processors use these. */
export const JOB_NAMES = {
  ingest: 'batch',
  reprice: 'reprice',
  simulate: 'run',
  report: 'generate',
  reportSchedule: 'monthly',
  alert: 'check',
  reconcile: 'import',
} as const satisfies { [Q in QueueKey]: JobName<Q> };

/** The payload of a queue's job. */
export type JobData<Q extends QueueKey> = JobCatalog[Q][(typeof JOB_NAMES)[Q] & keyof JobCatalog[Q]];
