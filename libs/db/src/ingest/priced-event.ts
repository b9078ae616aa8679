import { hash } from 'node:crypto';
import type { EventSource, UsageEvent } from '@tokenledger/contracts';
import type { PricingResult } from '@tokenledger/pricing';

export type { PricingStatus } from '@tokenledger/pricing';

/** The pricing outcome stored with an event: the pricing library's result (its provider is not stored). */
export type EventPricing = Omit<PricingResult, 'pricedProvider'> & { pricedProvider?: string | null };

export interface PricedEvent {
  event: UsageEvent;
  pricing: EventPricing;
}

export interface PricedBatch {
  organizationId: string;
  projectId: string;
  source: EventSource;
  /** The API key that sent the batch, recorded on each event and in api_key_rollups (absent or null: none). */
  apiKeyId?: string | null;
  receivedAt: Date;
  events: PricedEvent[];
}

/**
 * A digest of everything a client said about an event. A resend with the same eventId and the
 * same digest is a retry; a different digest is a conflict.
 */
export function contentHash(event: UsageEvent): string {
  // Tags in key order, so their order as sent does not matter; most events' already are.
  const keys = Object.keys(event.tags);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  const canonical = sorted
    ? event
    : { ...event, tags: Object.fromEntries(keys.sort().map((k) => [k, event.tags[k]])) };
  // crypto.hash: the same SHA-256 as createHash, in one call (no Hash object per event).
  return hash('sha256', JSON.stringify(canonical), 'base64url');
}
