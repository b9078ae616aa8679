import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import type { Redis } from 'ioredis';
import { ApiKeyRepository } from './accounts/api-key.repository';
import { OrganizationsRepository } from './accounts/organizations.repository';
import { ProjectsRepository } from './accounts/projects.repository';
import { UsersRepository } from './accounts/users.repository';
import { InvitationsRepository } from './accounts/invitations.repository';
import { EventConflictsRepository } from './events/event-conflicts.repository';
import { DatabaseHealth } from './health';
import { DeadLettersRepository } from './ingest/dead-letters.repository';
import { createPgPool, type PgPool } from './pg';
import { createPrismaClient, PrismaClient } from './prisma';
import { ModelFactsRepository } from './rates/model-facts.repository';
import { RateTableRepository } from './rates/rate-table.repository';
import { createRedis } from './redis';
import { LocalReportStorage, type ReportStorage } from './reports/report-storage';
import { ReportsRepository } from './reports/reports.repository';
import { RepriceRunsRepository } from './reprice/reprice-runs.repository';
import { ScenariosRepository } from './simulation/scenarios.repository';
import { Store } from './store/store';
import { Reconciler } from './reconciliation/reconciler';
import { ReconciliationRepository } from './reconciliation/reconciliation.repository';
import { secretBoxFor } from './secret-box';
import { AlertsRepository } from './budgets/alerts.repository';
import { AnomalyFinder } from './budgets/anomalies';
import { BudgetEvaluator } from './budgets/budget-evaluator';
import { BudgetStateCache } from './budgets/budget-cache';
import { BudgetMonitor } from './budgets/budget-monitor';
import { BudgetsRepository } from './budgets/budgets.repository';

/** Injection token of the process's shared Redis connection (not for blocking commands). */
export const REDIS = Symbol('REDIS');
/** Injection token of the process's plain pg pool (rollup reads, event writes). */
export const PG_POOL = Symbol('PG_POOL');
/** Injection token of the analytics store (usage events and rollups): store/analytics-store.ts. */
export const ANALYTICS_STORE = Symbol('ANALYTICS_STORE');
/** Injection token of the report file storage (a directory under REPORTS_DIR): reports/report-storage.ts. */
export const REPORT_STORAGE = Symbol('REPORT_STORAGE');

@Injectable()
class ConnectionsLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly prisma: PrismaClient,
    @Inject(PG_POOL) private readonly pool: PgPool,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.prisma.$disconnect(), this.pool.end(), this.redis.quit()]);
  }
}

/** Each repository of the store as a provider of its own, injectable by its class. */
const REPOSITORIES = [
  ['organizations', OrganizationsRepository],
  ['projects', ProjectsRepository],
  ['users', UsersRepository],
  ['invitations', InvitationsRepository],
  ['eventConflicts', EventConflictsRepository],
  ['apiKeys', ApiKeyRepository],
  ['rates', RateTableRepository],
  ['modelFacts', ModelFactsRepository],
  ['repriceRuns', RepriceRunsRepository],
  ['deadLetters', DeadLettersRepository],
  ['scenarios', ScenariosRepository],
  ['reports', ReportsRepository],
  ['health', DatabaseHealth],
  ['budgets', BudgetsRepository],
  ['alerts', AlertsRepository],
  ['budgetEvaluator', BudgetEvaluator],
  ['anomalies', AnomalyFinder],
  ['reconciliation', ReconciliationRepository],
  ['reconciler', Reconciler],
] as const;

export interface DatabaseModuleOptions {
  /** Connections of the plain pg pool (default 8). */
  pgPoolSize?: (config: Config) => number;
  /**
   * Whether PostgreSQL may run a query of the pg pool with parallel workers (default true). A process
   * that answers people (the API: a dashboard page sends several small rollup queries at once) runs
   * without: each query answers sooner alone, and the cores serve the others.
   */
  parallelQueries?: boolean;
}

/**
 * The data layer of a Nest process: Prisma, a pg pool, Redis, and the store's repositories
 * (`Store`, each repository by class, `ANALYTICS_STORE`); connections closed on shutdown.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    const providers: Provider[] = [
      {
        provide: PrismaClient,
        inject: [CONFIG],
        useFactory: (config: Config) => createPrismaClient(config.DATABASE_URL),
      },
      {
        provide: PG_POOL,
        inject: [CONFIG],
        useFactory: (config: Config) =>
          createPgPool(config.DATABASE_URL, options.pgPoolSize?.(config) ?? 8, {
            parallelQueries: options.parallelQueries ?? true,
          }),
      },
      {
        provide: REDIS,
        inject: [CONFIG],
        // Readiness reports an unreachable Redis; ioredis's reconnect errors need no listener of their own.
        useFactory: (config: Config) => createRedis(config.REDIS_URL).on('error', () => undefined),
      },
      {
        provide: Store,
        inject: [PrismaClient, PG_POOL, CONFIG],
        useFactory: (prisma: PrismaClient, pool: PgPool, config: Config) =>
          new Store(prisma, pool, { secrets: () => secretBoxFor(config) }),
      },
      { provide: ANALYTICS_STORE, inject: [Store], useFactory: (store: Store) => store.analytics },
      {
        provide: REPORT_STORAGE,
        inject: [CONFIG],
        useFactory: (config: Config): ReportStorage => new LocalReportStorage(config.REPORTS_DIR),
      },
      ...REPOSITORIES.map(([field, type]) => ({
        provide: type,
        inject: [Store],
        useFactory: (store: Store) => store[field],
      })),
      {
        provide: BudgetStateCache,
        inject: [REDIS],
        useFactory: (redis: Redis) => new BudgetStateCache(redis),
      },
      {
        provide: BudgetMonitor,
        inject: [Store, BudgetStateCache],
        useFactory: (store: Store, cache: BudgetStateCache) =>
          new BudgetMonitor(store.budgets, store.alerts, store.budgetEvaluator, cache),
      },
      ConnectionsLifecycle,
    ];
    return {
      module: DatabaseModule,
      global: true,
      providers,
      exports: [
        PrismaClient,
        PG_POOL,
        REDIS,
        Store,
        ANALYTICS_STORE,
        REPORT_STORAGE,
        BudgetStateCache,
        BudgetMonitor,
        ...REPOSITORIES.map(([, type]) => type),
      ],
    };
  }
}
