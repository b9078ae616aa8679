import type { IngestBatchJob, UsageEvent } from '@tokenledger/contracts';
import type { EventPricing, PricedBatch, PricedEvent } from './priced-event';
import type { WriteOutcome } from './usage-event.writer';

/** What prices events: the pricing library's Pricer, or any stand-in with its shape (tests). */
export interface EventPricer {
  price(event: UsageEvent, organizationId: string): EventPricing;
}

/** What writes a priced batch: UsageEventWriter, or GroupCommitWriter in front of it. */
export interface BatchWriter {
  write(batch: PricedBatch): Promise<WriteOutcome>;
}

/**
 * Prices every event of a batch and writes the batch (events, keys, rollups) in one transaction.
 * A pricing failure of one event marks that event `error` with its reason; it never drops it.
 */
export async function ingestBatch(
  pricer: EventPricer,
  writer: BatchWriter,
  job: IngestBatchJob,
): Promise<WriteOutcome> {
  const events: PricedEvent[] = job.events.map((event) => ({
    event,
    pricing: priceSafely(pricer, event, job.organizationId),
  }));
  return writer.write({
    organizationId: job.organizationId,
    projectId: job.projectId,
    // Jobs queued before keys were recorded on events may lack it.
    apiKeyId: job.apiKeyId ?? null,
    source: job.source,
    receivedAt: new Date(job.receivedAt),
    events,
  });
}

export function priceSafely(pricer: EventPricer, event: UsageEvent, organizationId: string): EventPricing {
  try {
    return pricer.price(event, organizationId);
  } catch (error) {
    return {
      status: 'error',
      reason: `pricing failed: ${error instanceof Error ? error.message : String(error)}`,
      totalUsd: null,
      breakdown: null,
      rateVersionId: null,
      pricedModel: null,
      flags: [],
    };
  }
}
