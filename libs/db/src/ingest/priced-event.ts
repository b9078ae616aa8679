import { createHash } from 'node:crypto';
import type { EventSource, UsageEvent } from '@tokenledger/contracts';
import type Decimal from 'decimal.js';

export type PricingStatus = 'priced' | 'unpriced_model' | 'unpriced_component' | 'error';

/** The pricing outcome stored with an event (structurally the pricing library's PricingResult). */
export interface EventPricing {
  status: PricingStatus;
  reason: string | null;
  totalUsd: Decimal | null;
  breakdown: Record<string, Decimal> | null;
  rateVersionId: string | null;
  pricedModel: string | null;
  flags: string[];
}

export interface PricedEvent {
  event: UsageEvent;
  pricing: EventPricing;
}

export interface PricedBatch {
  organizationId: string;
  projectId: string;
  source: EventSource;
  receivedAt: Date;
  events: PricedEvent[];
}

/**
 * A digest of everything a client said about an event. A resend with the same eventId and the
 * same digest is a retry; a different digest is a conflict.
 */
export function contentHash(event: UsageEvent): string {
  const tags = Object.fromEntries(
    Object.entries(event.tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return createHash('sha256')
    .update(JSON.stringify({ ...event, tags }))
    .digest('base64url');
}
