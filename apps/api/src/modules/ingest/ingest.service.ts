import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  JOB_NAMES,
  MAX_EVENTS_PER_BATCH,
  TokenledgerError,
  validateBatch,
  type EventSource,
  type IngestBatchJob,
  type RejectedEvent,
} from '@tokenledger/contracts';
import { INGEST_JOB_OPTIONS, ProjectsRepository, within } from '@tokenledger/db';
import type { JobsOptions } from 'bullmq';
import type { ApiKeyPrincipal } from '../auth/api-key-auth.service';
import { MetricsService } from '../metrics/metrics.service';
import { QueueProvider } from '../queue/queue.provider';
import { RateLimiter } from './rate-limiter';

export interface IngestResult {
  accepted: number;
  rejected: RejectedEvent[];
  /** The queued job holding the accepted events (absent when none were accepted). */
  batchId?: string;
}

const ENQUEUE_TIMEOUT_MS = 3000;
const RETRY_AFTER_SECONDS = 5;

/**
 * Validates a batch, and answers only once the accepted events are in Redis as one job. Redis
 * unreachable: QUEUE_UNAVAILABLE and nothing accepted (the client retries the whole batch; event
 * ids make the retry safe even if the job did land).
 */
@Injectable()
export class IngestService {
  private readonly limiter: RateLimiter;
  private readonly projectSlugs = new Map<string, { id: string; expiresAt: number }>();
  private readonly slugsOfProjects = new Map<string, { slug: string | null; expiresAt: number }>();

  constructor(
    private readonly queues: QueueProvider,
    private readonly projects: ProjectsRepository,
    private readonly metrics: MetricsService,
  ) {
    const { config } = queues;
    this.limiter = new RateLimiter(
      queues.connection,
      config.QUEUE_PREFIX,
      config.INGEST_RATE_LIMIT_PER_MINUTE,
    );
  }

  async ingest(
    principal: ApiKeyPrincipal,
    events: readonly unknown[],
    source: EventSource,
    projectSlug?: string,
  ): Promise<IngestResult> {
    const projectId = await this.projectFor(principal, projectSlug);
    await this.unavailableOnRedisError(() => this.limiter.consume(principal.keyId));

    const { accepted, rejected } = validateBatch(events, new Date());
    this.metrics.eventsRejected(source, ErrorCode.ValidationFailed, rejected.length);
    if (accepted.length === 0) return { accepted: 0, rejected };

    // One job per batch of at most 1,000 events (OTLP requests can carry more).
    const receivedAt = new Date().toISOString();
    const jobs: {
      name: typeof JOB_NAMES.ingest;
      data: IngestBatchJob;
      opts: JobsOptions & { jobId: string };
    }[] = [];
    for (let i = 0; i < accepted.length; i += MAX_EVENTS_PER_BATCH) {
      const data: IngestBatchJob = {
        organizationId: principal.organizationId,
        projectId,
        apiKeyId: principal.keyId,
        source,
        receivedAt,
        events: accepted.slice(i, i + MAX_EVENTS_PER_BATCH),
      };
      jobs.push({
        name: JOB_NAMES.ingest,
        data,
        opts: { ...INGEST_JOB_OPTIONS(this.queues.config.INGEST_JOB_ATTEMPTS), jobId: randomUUID() },
      });
    }
    const batchId = jobs[0]!.opts.jobId;
    await this.unavailableOnRedisError(
      () =>
        within(
          jobs.length === 1
            ? this.queues.ingest.add(JOB_NAMES.ingest, jobs[0]!.data, jobs[0]!.opts).then(() => undefined)
            : this.queues.ingest.addBulk(jobs).then(() => undefined),
          ENQUEUE_TIMEOUT_MS,
          'Redis',
        ),
      accepted.length,
      source,
    );
    this.metrics.eventsAccepted(source, accepted.length);
    return { accepted: accepted.length, rejected, batchId };
  }

  private async unavailableOnRedisError<T>(
    body: () => Promise<T>,
    events = 0,
    source: EventSource = 'api',
  ): Promise<T> {
    try {
      return await body();
    } catch (error) {
      if (error instanceof TokenledgerError) throw error;
      this.metrics.eventsRejected(source, ErrorCode.QueueUnavailable, events);
      throw new TokenledgerError(
        ErrorCode.QueueUnavailable,
        'The ingestion queue is unavailable; nothing was accepted. Retry the whole batch.',
        { retryAfterSeconds: RETRY_AFTER_SECONDS },
      );
    }
  }

  /** A project's slug (cached a minute, as slugs to ids are). */
  private async slugOf(projectId: string): Promise<string | null> {
    const cached = this.slugsOfProjects.get(projectId);
    if (cached && cached.expiresAt > Date.now()) return cached.slug;
    const slug = (await this.projects.findById(projectId))?.slug ?? null;
    if (this.slugsOfProjects.size >= 10_000) this.slugsOfProjects.clear();
    this.slugsOfProjects.set(projectId, { slug, expiresAt: Date.now() + 60_000 });
    return slug;
  }

  /** A project key writes to its project (naming it is allowed, naming another is refused); an organization key names one with X-Tokenledger-Project. */
  private async projectFor(principal: ApiKeyPrincipal, projectSlug?: string): Promise<string> {
    if (principal.projectId) {
      // A project key may name its own project, nothing else: never silently write elsewhere.
      if (projectSlug !== undefined && projectSlug !== (await this.slugOf(principal.projectId)))
        throw new TokenledgerError(
          ErrorCode.Forbidden,
          `X-Tokenledger-Project: this API key (${principal.prefix}) writes to its own project only; "${projectSlug}" is not it (omit the header)`,
        );
      return principal.projectId;
    }
    if (!projectSlug) {
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        'This is an organization key: name the project with the X-Tokenledger-Project header (its slug)',
      );
    }
    const cacheKey = `${principal.organizationId}/${projectSlug}`;
    const cached = this.projectSlugs.get(cacheKey);
    if (cached && cached.expiresAt > Date.now()) return cached.id;
    const project = await this.projects.findBySlug(principal.organizationId, projectSlug);
    if (!project)
      throw new TokenledgerError(
        ErrorCode.NotFound,
        `X-Tokenledger-Project: no project "${projectSlug}" in this organization`,
      );
    this.projectSlugs.set(cacheKey, { id: project.id, expiresAt: Date.now() + 60_000 });
    return project.id;
  }
}
