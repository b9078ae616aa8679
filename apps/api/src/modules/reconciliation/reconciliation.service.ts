import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { ErrorCode, JOB_NAMES, TokenledgerError } from '@tokenledger/contracts';
import {
  createQueue,
  Reconciler,
  ReconciliationRepository,
  SecretKeyError,
  within,
  type TypedQueue,
} from '@tokenledger/db';
import { coverageSentence, parseMonth, type MappingKind, type ReconcileProvider } from '@tokenledger/reports';
import type { OrgAccess } from '../access/principal';
import { QueueProvider } from '../queue/queue.provider';
import {
  ProviderConnection,
  ProviderCoverage,
  ProviderMapping,
  ReconcileImport,
  Reconciliation,
  ReconcileProviderEnum,
} from './reconciliation.model';

// The API takes request bodies up to 5 MB; larger files go through the CLI.
const MAX_FILE_CHARS = 5_000_000;

function invalid(message: string): TokenledgerError {
  return new TokenledgerError(ErrorCode.ValidationFailed, message);
}

/** Reconciliation as the API offers it: connections (write-only keys), mappings, imports, the month. */
@Injectable()
export class ReconciliationService implements OnApplicationShutdown {
  private readonly queue: TypedQueue<'reconcile'>;

  constructor(
    private readonly repo: ReconciliationRepository,
    private readonly reconciler: Reconciler,
    @Inject(CONFIG) private readonly config: Config,
    queues: QueueProvider,
  ) {
    this.queue = createQueue('reconcile', queues.connection, { prefix: queues.config.QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }

  /** Provider reports cover the whole organization: project-bound keys are refused. */
  private orgWide(access: OrgAccess): void {
    if (access.projectId)
      throw new TokenledgerError(
        ErrorCode.Forbidden,
        'Reconciliation covers the whole organization; a project-bound API key cannot use it',
      );
  }

  private month(month: string): string {
    if (!parseMonth(month)) throw invalid(`month: "${month}" is not a month such as 2026-10`);
    return month;
  }

  async reconciliation(
    access: OrgAccess,
    month: string,
    provider: ReconcileProvider,
  ): Promise<Reconciliation> {
    this.orgWide(access);
    const r = await this.reconciler.reconcile(access.organizationId, provider, this.month(month));
    return {
      ...r,
      provider: r.provider as ReconcileProviderEnum,
      coverage: coverageSentence(r),
    } as Reconciliation;
  }

  async coverage(access: OrgAccess, month: string): Promise<ProviderCoverage[]> {
    this.orgWide(access);
    this.month(month);
    const out: ProviderCoverage[] = [];
    for (const provider of ['openai', 'anthropic'] as const) {
      const r = await this.reconciler.reconcile(access.organizationId, provider, month);
      if (r.usageDays.length === 0) continue;
      out.push({
        provider: provider as ReconcileProviderEnum,
        month,
        coveragePercent: r.totals.coveragePercent,
        providerTokens: r.totals.providerTokens,
        ourTokens: r.totals.ourTokens,
        sentence: coverageSentence(r),
      });
    }
    return out;
  }

  async connections(access: OrgAccess): Promise<ProviderConnection[]> {
    this.orgWide(access);
    return (await this.repo.connections(access.organizationId)) as ProviderConnection[];
  }

  async setConnection(
    access: OrgAccess,
    provider: ReconcileProvider,
    adminKey: string,
    baseUrl: string | null | undefined,
  ): Promise<ProviderConnection> {
    this.orgWide(access);
    if (adminKey.length < 8 || adminKey.length > 512 || /\s/.test(adminKey))
      throw invalid('adminKey: must be the provider admin key (8-512 characters, no spaces)');
    let url: string | null = null;
    if (baseUrl != null) {
      let parsed: URL;
      try {
        parsed = new URL(baseUrl);
      } catch {
        throw invalid('baseUrl: must be a URL such as https://api.openai.com');
      }
      const allowed = this.config.NODE_ENV === 'production' ? ['https:'] : ['https:', 'http:'];
      if (
        !allowed.includes(parsed.protocol) ||
        parsed.username ||
        parsed.password ||
        parsed.search ||
        parsed.hash
      )
        throw invalid(
          `baseUrl: must be an ${allowed.join(' or ').replace(/:/g, '')} URL without credentials, query or fragment`,
        );
      url = parsed.toString().replace(/\/+$/, '');
    }
    try {
      return (await this.repo.setConnection(
        access.organizationId,
        provider,
        adminKey,
        url,
      )) as ProviderConnection;
    } catch (error) {
      if (error instanceof SecretKeyError)
        throw new TokenledgerError(ErrorCode.ServiceUnavailable, error.message);
      throw error;
    }
  }

  async removeConnection(access: OrgAccess, provider: ReconcileProvider): Promise<boolean> {
    this.orgWide(access);
    return this.repo.removeConnection(access.organizationId, provider);
  }

  async mappings(access: OrgAccess, provider: ReconcileProvider): Promise<ProviderMapping[]> {
    this.orgWide(access);
    return (await this.repo.mappings(access.organizationId, provider)) as ProviderMapping[];
  }

  private externalId(externalId: string): string {
    if (
      externalId.length < 1 ||
      externalId.length > 200 ||
      [...externalId].some((ch) => ch.charCodeAt(0) < 32)
    )
      throw invalid('externalId: must be 1-200 printable characters');
    return externalId;
  }

  async setMapping(
    access: OrgAccess,
    provider: ReconcileProvider,
    kind: MappingKind,
    externalId: string,
    project: string,
  ): Promise<ProviderMapping> {
    this.orgWide(access);
    if (kind === 'project' && provider !== 'openai')
      throw invalid('kind: Anthropic has workspaces, not projects');
    if (kind === 'workspace' && provider !== 'anthropic')
      throw invalid('kind: OpenAI has projects, not workspaces');
    return (await this.repo.setMapping(
      access.organizationId,
      provider,
      kind,
      this.externalId(externalId),
      project,
    )) as ProviderMapping;
  }

  async removeMapping(
    access: OrgAccess,
    provider: ReconcileProvider,
    kind: MappingKind,
    externalId: string,
  ): Promise<boolean> {
    this.orgWide(access);
    return this.repo.removeMapping(access.organizationId, provider, kind, this.externalId(externalId));
  }

  async requestImport(access: OrgAccess, provider: ReconcileProvider, month: string): Promise<boolean> {
    this.orgWide(access);
    this.month(month);
    if (!(await this.repo.connection(access.organizationId, provider)))
      throw invalid(`provider: ${provider} is not connected; setProviderConnection first`);
    try {
      await within(
        this.queue.add(
          JOB_NAMES.reconcile,
          { organizationId: access.organizationId, provider, month },
          {
            attempts: 3,
            backoff: { type: 'exponential', delay: 10_000 },
            removeOnComplete: 100,
            removeOnFail: 100,
          },
        ),
        3000,
        'Redis',
      );
    } catch {
      throw new TokenledgerError(
        ErrorCode.ServiceUnavailable,
        'The reconciliation queue is unavailable; try again',
      );
    }
    return true;
  }

  async importFile(
    access: OrgAccess,
    provider: ReconcileProvider,
    content: string,
  ): Promise<ReconcileImport> {
    this.orgWide(access);
    if (content.length > MAX_FILE_CHARS) throw invalid(`content: larger than ${MAX_FILE_CHARS} characters`);
    return (await this.reconciler.importFile(access.organizationId, provider, content)) as ReconcileImport;
  }
}
