import type { IngestBatchJob } from '@tokenledger/contracts';
import type { PrismaClient } from '../prisma';

export interface DeadLetterSummary {
  id: string;
  queue: string;
  jobId: string;
  organizationId: string | null;
  projectId: string | null;
  eventCount: number;
  error: string;
  attempts: number;
  failedAt: Date;
  replayedAt: Date | null;
}

/** Ingest batches that failed every retry, kept whole so they can be replayed. */
export class DeadLettersRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Records (or records again) a batch that failed its last attempt. */
  async record(
    queue: string,
    jobId: string,
    batch: IngestBatchJob,
    error: string,
    attempts: number,
  ): Promise<void> {
    const message = error.slice(0, 2000);
    await this.prisma.deadLetter.upsert({
      where: { queue_jobId: { queue, jobId } },
      create: {
        queue,
        jobId,
        organizationId: batch.organizationId,
        projectId: batch.projectId,
        eventCount: batch.events.length,
        error: message,
        attempts,
        payload: batch as object,
      },
      update: { error: message, attempts, failedAt: new Date(), replayedAt: null },
    });
  }

  /** How many wait for a replay. */
  countOpen(): Promise<number> {
    return this.prisma.deadLetter.count({ where: { replayedAt: null } });
  }

  /** Newest first; replayed ones only with `all`. */
  async list(all: boolean): Promise<DeadLetterSummary[]> {
    const rows = await this.prisma.deadLetter.findMany({
      where: all ? {} : { replayedAt: null },
      orderBy: { failedAt: 'desc' },
      select: {
        id: true,
        queue: true,
        jobId: true,
        organizationId: true,
        projectId: true,
        eventCount: true,
        error: true,
        attempts: true,
        failedAt: true,
        replayedAt: true,
      },
    });
    return rows.map((r) => ({ ...r, id: r.id.toString() }));
  }

  /** The batch a dead letter holds, to queue again. */
  async payload(id: string): Promise<{ eventCount: number; batch: IngestBatchJob } | null> {
    if (!/^\d+$/.test(id)) return null;
    const row = await this.prisma.deadLetter.findUnique({ where: { id: BigInt(id) } });
    return row ? { eventCount: row.eventCount, batch: row.payload as unknown as IngestBatchJob } : null;
  }

  async markReplayed(id: string): Promise<void> {
    await this.prisma.deadLetter.update({ where: { id: BigInt(id) }, data: { replayedAt: new Date() } });
  }
}
