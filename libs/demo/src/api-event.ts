import type { UsageEvent, UsageEventInput } from '@tokenledger/contracts';

/**
 * An event as a client sends it to `POST /v1/events` (API.md): optional fields left out rather
 * than null. The API's validation turns it back into exactly the same UsageEvent.
 */
export function toApiEvent(event: UsageEvent): UsageEventInput {
  const input: UsageEventInput = {
    eventId: event.eventId,
    occurredAt: event.occurredAt,
    provider: event.provider,
    model: event.model,
    usage: { ...event.usage },
    serviceTier: event.serviceTier,
    environment: event.environment,
    inputModalities: [...event.inputModalities],
    status: event.status,
    tags: { ...event.tags },
  };
  if (event.feature !== null) input.feature = event.feature;
  if (event.customerId !== null) input.customerId = event.customerId;
  if (event.latencyMs !== null) input.latencyMs = event.latencyMs;
  return input;
}
