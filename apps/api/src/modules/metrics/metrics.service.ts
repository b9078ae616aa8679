import { Injectable } from '@nestjs/common';
import type { EventSource } from '@tokenledger/contracts';
import { Counter, Registry } from 'prom-client';

/** This API process's own counters (Prometheus scrapes each instance). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly accepted = new Counter({
    name: 'tokenledger_events_accepted_total',
    help: 'Events accepted and durably queued, by source (api, otlp)',
    labelNames: ['source'],
    registers: [this.registry],
  });

  private readonly rejected = new Counter({
    name: 'tokenledger_events_rejected_total',
    help: 'Events rejected at the door, by source and error code',
    labelNames: ['source', 'code'],
    registers: [this.registry],
  });

  private readonly spansIgnored = new Counter({
    name: 'tokenledger_otlp_spans_ignored_total',
    help: 'OTLP spans received that carry no GenAI usage and were ignored',
    registers: [this.registry],
  });

  eventsAccepted(source: EventSource, n: number): void {
    if (n > 0) this.accepted.inc({ source }, n);
  }

  eventsRejected(source: EventSource, code: string, n: number): void {
    if (n > 0) this.rejected.inc({ source, code }, n);
  }

  otlpSpansIgnored(n: number): void {
    if (n > 0) this.spansIgnored.inc(n);
  }
}
