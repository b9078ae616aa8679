import { Controller, Get, Header, Inject } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { DeadLettersRepository, INGEST_COUNTERS, readIngestCounters, within } from '@tokenledger/db';
import { QueueProvider } from '../queue/queue.provider';
import { MetricsService } from './metrics.service';

const HELP: Record<string, string> = {
  batches: 'Ingest batches written to Postgres by the workers',
  stored: 'Events stored (first time seen) by the workers',
  duplicates: 'Resent events with identical content, counted once',
  conflicts: 'Resent events with different content, kept apart and not applied',
  unpriced: 'Events stored without a price (unknown model or component)',
  dead_lettered: 'Ingest batches that failed every retry',
};

function line(name: string, type: 'counter' | 'gauge', help: string, samples: [string, number][]): string {
  return [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
    ...samples.map(([labels, v]) => `${name}${labels} ${v}`),
  ].join('\n');
}

/** `GET /metrics`: Prometheus text. This process's counters, the workers' (from Redis), the queue. */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queues: QueueProvider,
    private readonly deadLetters: DeadLettersRepository,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    const own = await this.metrics.registry.metrics();
    const blocks = [own.trimEnd()];
    try {
      blocks.push(...(await within(this.queueBlocks(), 2000, 'Redis')));
    } catch {
      blocks.push(
        line('tokenledger_queue_up', 'gauge', 'Whether the ingest queue (Redis) answered this scrape', [
          ['', 0],
        ]),
      );
    }
    const deadLetters = await this.deadLetters.countOpen();
    blocks.push(
      line('tokenledger_dead_letter_batches', 'gauge', 'Batches in the dead-letter table not yet replayed', [
        ['', deadLetters],
      ]),
    );
    return `${blocks.join('\n\n')}\n`;
  }

  private async queueBlocks(): Promise<string[]> {
    const { ingest: queue, connection } = this.queues;
    const [counts, counters, oldestWaiting, oldestActive] = await Promise.all([
      queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
      readIngestCounters(connection, this.config.QUEUE_PREFIX),
      queue.getJobs(['waiting'], 0, 0, true),
      queue.getJobs(['active'], 0, 0, true),
    ]);
    const now = Date.now();
    const oldest = [...oldestWaiting, ...oldestActive].map((j) => j.timestamp).filter((t) => t > 0);
    const lagSeconds = oldest.length > 0 ? (now - Math.min(...oldest)) / 1000 : 0;
    return [
      line('tokenledger_queue_up', 'gauge', 'Whether the ingest queue (Redis) answered this scrape', [
        ['', 1],
      ]),
      line(
        'tokenledger_queue_jobs',
        'gauge',
        'Ingest queue jobs by state (one job is one batch)',
        Object.entries(counts).map(([state, n]) => [`{queue="ingest",state="${state}"}`, n]),
      ),
      line(
        'tokenledger_pricing_lag_seconds',
        'gauge',
        'Age of the oldest ingest batch not yet priced and stored',
        [['', lagSeconds]],
      ),
      ...INGEST_COUNTERS.map((c) =>
        line(`tokenledger_ingest_${c}_total`, 'counter', HELP[c]!, [['', counters[c] ?? 0]]),
      ),
    ];
  }
}
