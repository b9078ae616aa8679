import type { PricedBatch } from './priced-event';
import type { PreparedBatch, UsageEventWriter, WriteOutcome } from './usage-event.writer';

export interface GroupCommitOptions {
  /** Writes in flight per project at once. */
  inFlight: number;
  /** A write takes waiting batches up to this many events (always at least one batch). */
  maxEvents: number;
}

interface Waiting {
  batch: PreparedBatch;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  waiting: Waiting[];
  inFlight: number;
}

/**
 * Group commit for ingest batches. While a project's write is in flight, the batches that arrive
 * for it wait; when it ends, the next write takes all of them as one statement and one commit. An
 * idle project's batch is written at once, so nothing waits when there is no queue; under load
 * the groups grow by themselves, and PostgreSQL does per group what it did per batch (statement,
 * commit, rollup row updates). Each batch's promise settles only once its events are committed.
 *
 * A group that fails for any reason (an eventId already stored, a value refused, a lost
 * connection) is written again batch by batch, each settling on its own: one batch's problem
 * never fails another, and a batch that fails alone is retried alone by the queue.
 */
export class GroupCommitWriter {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly writer: Pick<UsageEventWriter, 'prepare' | 'write' | 'writeTogether'>,
    private readonly options: GroupCommitOptions,
  ) {}

  write(batch: PricedBatch): Promise<WriteOutcome> {
    // Prepared now, while the project's write in flight keeps PostgreSQL busy.
    const prepared = this.writer.prepare(batch);
    const key = `${batch.organizationId}/${batch.projectId}`;
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { waiting: [], inFlight: 0 }));
    const written = new Promise<WriteOutcome>((resolve, reject) =>
      lane.waiting.push({ batch: prepared, resolve, reject }),
    );
    this.pump(key, lane);
    return written;
  }

  private pump(key: string, lane: Lane): void {
    while (lane.inFlight < this.options.inFlight && lane.waiting.length > 0) {
      const group = this.take(lane);
      lane.inFlight++;
      void this.writeGroup(group).finally(() => {
        lane.inFlight--;
        if (lane.inFlight === 0 && lane.waiting.length === 0) this.lanes.delete(key);
        else this.pump(key, lane);
      });
    }
  }

  private take(lane: Lane): Waiting[] {
    let events = 0;
    let n = 0;
    while (n < lane.waiting.length) {
      events += lane.waiting[n]!.batch.rows.length;
      if (n > 0 && events > this.options.maxEvents) break;
      n++;
    }
    return lane.waiting.splice(0, n);
  }

  private async writeGroup(group: Waiting[]): Promise<void> {
    if (group.length > 1) {
      const outcomes = await this.writer.writeTogether(group.map((w) => w.batch)).catch(() => null);
      if (outcomes) {
        group.forEach((w, i) => w.resolve(outcomes[i]!));
        return;
      }
    }
    for (const w of group) await this.writer.write(w.batch).then(w.resolve, w.reject);
  }
}
