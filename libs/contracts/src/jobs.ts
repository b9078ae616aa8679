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
} as const;
export type QueueKey = keyof typeof QUEUES;

export type EventSource = 'api' | 'otlp' | 'demo';

export interface IngestBatchJob {
  organizationId: string;
  projectId: string;
  /** The API key that sent the batch (id, not secret), for audit. */
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

export interface AlertJob {
  organizationId: string;
  budgetId: string;
}

export interface JobCatalog {
  ingest: { batch: IngestBatchJob };
  reprice: { reprice: RepriceJob };
  simulate: { run: SimulateJob };
  report: { generate: ReportJob };
  reportSchedule: { monthly: MonthlyReportsJob };
  alert: { check: AlertJob };
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
} as const satisfies { [Q in QueueKey]: JobName<Q> };

/** The payload of a queue's job. */
export type JobData<Q extends QueueKey> = JobCatalog[Q][(typeof JOB_NAMES)[Q] & keyof JobCatalog[Q]];
