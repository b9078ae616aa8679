import type { UsageEvent } from '@tokenledger/contracts';
import { projectBatches, splitHours, type DemoTrafficPlan } from '@tokenledger/demo';
import {
  ingestBatch,
  type BatchWriter,
  type EventPricer,
  type EventPricing,
  type PricingStatus,
} from '@tokenledger/db';
import Decimal from 'decimal.js';

/** What a load did, in the terms of the summary. */
export interface LoadCounts {
  /** Events stored by this load (first time seen). */
  stored: number;
  /** Events already stored by an earlier load with the same seed and options. */
  duplicates: number;
  /** Resent eventIds whose content differed: kept as conflicts, never applied. */
  conflicts: number;
  /** The events' pricing outcomes, by status. */
  pricing: Record<PricingStatus, number>;
  /** Sum of the priced events' cost. */
  spendUsd: Decimal;
  /** Events per project slug. */
  perProject: Record<string, number>;
}

export function emptyCounts(): LoadCounts {
  return {
    stored: 0,
    duplicates: 0,
    conflicts: 0,
    pricing: { priced: 0, unpriced_model: 0, unpriced_component: 0, error: 0 },
    spendUsd: new Decimal(0),
    perProject: {},
  };
}

/** The worker's pricer, counting what it priced on the way (the summary's spend and unpriced). */
class TallyingPricer implements EventPricer {
  constructor(
    private readonly inner: EventPricer,
    private readonly counts: LoadCounts,
  ) {}

  price(event: UsageEvent, organizationId: string): EventPricing {
    let result: EventPricing;
    try {
      result = this.inner.price(event, organizationId);
    } catch (error) {
      this.counts.pricing.error++; // ingestBatch stores it as `error`
      throw error;
    }
    this.counts.pricing[result.status]++;
    if (result.status === 'priced' && result.totalUsd)
      this.counts.spendUsd = this.counts.spendUsd.plus(result.totalUsd);
    return result;
  }
}

export interface BulkLoadOptions {
  plan: DemoTrafficPlan;
  organizationId: string;
  /** Project slug → id, for every project of the plan. */
  projectIds: ReadonlyMap<string, string>;
  /** Where batches are written: the analytics store (on a connection tuned for bulk loads). */
  writer: BatchWriter;
  pricer: EventPricer;
  /** Transactions in flight: the hours are split into this many streams, each in time order. */
  concurrency: number;
  /** Events per transaction. */
  batchSize: number;
  onProgress?: (events: number) => void;
}

/**
 * The bulk path: no HTTP, no queue, but the worker's own code — `ingestBatch` prices each batch and
 * writes events, idempotency keys and every rollup level in one transaction. The window is split
 * into contiguous ranges of hours loaded side by side, so concurrent transactions touch different
 * rollup rows and batches stay within a few hours (few rollup cells per event).
 */
export async function bulkLoad(options: BulkLoadOptions): Promise<LoadCounts> {
  const { plan, organizationId, projectIds, batchSize } = options;
  const counts = emptyCounts();
  const pricer = new TallyingPricer(options.pricer, counts);
  const { writer } = options;
  let done = 0;

  const write = async (project: string, events: UsageEvent[]) => {
    const projectId = projectIds.get(project);
    if (!projectId) throw new Error(`no project id for "${project}"`);
    const outcome = await ingestBatch(pricer, writer, {
      organizationId,
      projectId,
      apiKeyId: null,
      source: 'demo',
      receivedAt: new Date().toISOString(),
      events,
    });
    counts.stored += outcome.stored;
    counts.duplicates += outcome.duplicates;
    counts.conflicts += outcome.conflicts;
    counts.perProject[project] = (counts.perProject[project] ?? 0) + events.length;
    done += events.length;
    options.onProgress?.(done);
  };

  // A failed stream stops the others at their next batch, so nothing runs on after the error.
  let failed = false;
  const stream = async (hours: [number, number]) => {
    for (const { project, events } of projectBatches(plan, batchSize, hours, () => failed))
      await write(project, events);
  };

  const results = await Promise.allSettled(
    splitHours(plan, Math.max(1, options.concurrency)).map((range) =>
      stream(range).catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
  return counts;
}
