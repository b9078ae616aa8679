import { ApiKeyRepository } from '../accounts/api-key.repository';
import { AlertsRepository } from '../budgets/alerts.repository';
import { AnomalyFinder } from '../budgets/anomalies';
import { BudgetEvaluator } from '../budgets/budget-evaluator';
import { BudgetsRepository } from '../budgets/budgets.repository';
import { OrganizationsRepository } from '../accounts/organizations.repository';
import { ProjectsRepository } from '../accounts/projects.repository';
import { UsersRepository } from '../accounts/users.repository';
import { InvitationsRepository } from '../accounts/invitations.repository';
import { EventConflictsRepository } from '../events/event-conflicts.repository';
import { DatabaseHealth } from '../health';
import { DeadLettersRepository } from '../ingest/dead-letters.repository';
import { createPgPool, type PgPool } from '../pg';
import { createPrismaClient, type PrismaClient } from '../prisma';
import { CachedPricer, type CachedPricerOptions } from '../rates/cached-pricer';
import { ModelFactsRepository } from '../rates/model-facts.repository';
import { RateTableRepository } from '../rates/rate-table.repository';
import { DEFAULT_BENCHMARK } from '@tokenledger/simulation';
import { Reconciler } from '../reconciliation/reconciler';
import { ReconciliationRepository } from '../reconciliation/reconciliation.repository';
import { ReportGenerator, reportSavings, type SavingsSource } from '../reports/report-generator';
import type { ReportStorage } from '../reports/report-storage';
import { ReportsRepository } from '../reports/reports.repository';
import { RepriceRunsRepository } from '../reprice/reprice-runs.repository';
import { secretBoxFor, type SecretBox } from '../secret-box';
import { seedDemoOrganization, type DemoCredentials } from '../seed/demo';
import { ScenariosRepository } from '../simulation/scenarios.repository';
import { SimulationRunner } from '../simulation/simulation.runner';
import type { AnalyticsStore } from './analytics-store';
import { createPostgresAnalyticsStore } from './postgres-analytics-store';

/** Points of the benchmark a report's recommendations may give up; each line prints its quality basis. */
const REPORT_TOLERANCE = 5;

/**
 * Every read and write of Tokenledger's data, by what it is about. The API (through Nest
 * providers, DatabaseModule), the worker and the CLI (`openStore`) all use this one set; none
 * of them holds a query of its own.
 */
export class Store {
  readonly organizations: OrganizationsRepository;
  readonly projects: ProjectsRepository;
  readonly users: UsersRepository;
  readonly invitations: InvitationsRepository;
  readonly eventConflicts: EventConflictsRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly rates: RateTableRepository;
  readonly modelFacts: ModelFactsRepository;
  readonly repriceRuns: RepriceRunsRepository;
  readonly deadLetters: DeadLettersRepository;
  readonly scenarios: ScenariosRepository;
  readonly reports: ReportsRepository;
  readonly health: DatabaseHealth;
  readonly budgets: BudgetsRepository;
  readonly alerts: AlertsRepository;
  /** Budget spend, status and history, from the rollups. */
  readonly budgetEvaluator: BudgetEvaluator;
  /** Unusual spend per project, feature, customer or model, from the rollups. */
  readonly anomalies: AnomalyFinder;
  /** Usage events and their rollups: the storage seam (analytics-store.ts). */
  readonly analytics: AnalyticsStore;
  /** Provider connections, mappings and imported usage/cost buckets (docs/RECONCILIATION.md). */
  readonly reconciliation: ReconciliationRepository;
  /** Imports and the month's reconciliation against the providers' reports. */
  readonly reconciler: Reconciler;

  constructor(
    private readonly prisma: PrismaClient,
    pool: PgPool,
    options: StoreOptions = {},
  ) {
    this.organizations = new OrganizationsRepository(prisma);
    this.projects = new ProjectsRepository(prisma);
    this.users = new UsersRepository(prisma);
    this.invitations = new InvitationsRepository(prisma);
    this.eventConflicts = new EventConflictsRepository(prisma, this.projects);
    this.apiKeys = new ApiKeyRepository(prisma);
    this.rates = new RateTableRepository(prisma);
    this.modelFacts = new ModelFactsRepository(prisma);
    this.repriceRuns = new RepriceRunsRepository(prisma);
    this.deadLetters = new DeadLettersRepository(prisma);
    this.scenarios = new ScenariosRepository(prisma);
    this.reports = new ReportsRepository(prisma);
    this.health = new DatabaseHealth(prisma);
    this.analytics = createPostgresAnalyticsStore(prisma, pool, this.projects);
    this.budgets = new BudgetsRepository(prisma);
    const secrets =
      options.secrets ?? (() => secretBoxFor({ NODE_ENV: process.env.NODE_ENV ?? 'development' }));
    this.alerts = new AlertsRepository(prisma, secrets);
    this.budgetEvaluator = new BudgetEvaluator(this.analytics, this.projects);
    this.anomalies = new AnomalyFinder(this.analytics);
    this.reconciliation = new ReconciliationRepository(prisma, pool, secrets);
    this.reconciler = new Reconciler(this.reconciliation);
  }

  /** The demo organization, its owner and its keys (idempotent; `seed`, `npm start`). */
  seedDemoOrganization(): Promise<DemoCredentials | null> {
    return seedDemoOrganization(this.prisma);
  }

  /** What-if simulation and recommendations over this store (one per process: it caches the catalog). */
  simulationRunner(pricer: CachedPricer = this.pricer()): SimulationRunner {
    return new SimulationRunner(this.analytics, this.modelFacts, this.rates, pricer);
  }

  /** Makes report files into `storage` (the worker's report jobs, the CLI's `report`). */
  reportGenerator(storage: ReportStorage, pricer: CachedPricer = this.pricer()): ReportGenerator {
    const runner = this.simulationRunner(pricer);
    const savings: SavingsSource = async (org, range, now) => {
      const recommendations = await runner.recommend(
        { organizationId: org.id, slug: org.slug, projectId: null },
        {
          filter: { from: range.start, to: range.end },
          benchmark: DEFAULT_BENCHMARK,
          tolerance: REPORT_TOLERANCE,
          prices: 'event-time',
        },
        now,
      );
      return reportSavings(recommendations, DEFAULT_BENCHMARK, REPORT_TOLERANCE);
    };
    return new ReportGenerator(
      this.reports,
      this.analytics,
      storage,
      () => pricer.current(),
      savings,
      this.reconciler,
    );
  }

  /** A pricer over the stored rate tables, cached and rebuilt after a publication. */
  pricer(options?: CachedPricerOptions): CachedPricer {
    return new CachedPricer(this.rates, options);
  }
}

export interface StoreOptions {
  /**
   * The secret box that seals stored secrets (provider admin keys, webhook signing secrets), asked for only when one is
   * sealed or opened; by default the configuration's TOKENLEDGER_SECRET_KEY rules (secret-box.ts).
   */
  secrets?: () => SecretBox;
}

export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

/** A store with connections of its own (the CLI, scripts); close it when done. */
export function openStore(
  databaseUrl: string,
  options: { poolSize?: number } & StoreOptions = {},
): OpenedStore {
  const prisma = createPrismaClient(databaseUrl, { poolSize: options.poolSize ?? 4 });
  const pool = createPgPool(databaseUrl, options.poolSize ?? 4);
  return {
    store: new Store(prisma, pool, { secrets: options.secrets }),
    close: async () => {
      await Promise.allSettled([prisma.$disconnect(), pool.end()]);
    },
  };
}
