import type { ProjectsRepository } from '../accounts/projects.repository';
import { countStoredEvents, pricingOutcomes } from '../events/event-lookups';
import { UsageEventsRepository } from '../events/usage-events.repository';
import { UsageEventWriter } from '../ingest/usage-event.writer';
import type { PrismaClient } from '../prisma';
import type { PgPool } from '../pg';
import { ReportDataReader } from '../reports/report-data';
import { planRepriceScope } from '../reprice/reprice-scope';
import { runReprice } from '../reprice/reprice.runner';
import { SpendRepository } from '../spend/spend.repository';
import { TrafficMixRepository } from '../simulation/traffic-mix';
import type { AnalyticsStore } from './analytics-store';

/** The analytics store on PostgreSQL: the ingest writer, the spend planner over rollups, drill-down. */
export function createPostgresAnalyticsStore(
  prisma: PrismaClient,
  pool: PgPool,
  projects: ProjectsRepository,
): AnalyticsStore {
  const writer = new UsageEventWriter(pool);
  const spend = new SpendRepository(pool, projects);
  const events = new UsageEventsRepository(prisma, projects);
  const mix = new TrafficMixRepository(pool, projects);
  const reports = new ReportDataReader(pool);
  return {
    prepare: (batch) => writer.prepare(batch),
    write: (batch) => writer.write(batch),
    writeTogether: (batches) => writer.writeTogether(batches),
    spend: (scope, request) => spend.totals(scope, request),
    planSpend: (scope, request) => spend.plan(scope, request),
    events: (scope, query, first, after) => events.page(scope, query, first, after),
    countStored: (projectId, eventIds, since) => countStoredEvents(pool, projectId, eventIds, since),
    pricingOutcomes: (projectId, eventIds) => pricingOutcomes(pool, projectId, eventIds),
    organizationHasEvents: (organizationId) => events.organizationHasEvents(organizationId),
    reprice: (pricer, runId, options) =>
      runReprice(pool, pricer, runId, {
        plan: (run) => planRepriceScope(prisma, pool, run),
        onProgress: options?.onProgress,
      }),
    trafficMix: (scope, request) => mix.slices(scope, request),
    dailyUsage: (scope, request) => mix.dailyUsage(scope, request),
    trafficMixLayout: () => mix.layout(),
    rebuildTrafficMix: (layout, onProgress) => mix.rebuild(layout, onProgress),
    trafficMixSize: () => mix.size(),
    openReportMonth: (organizationId, range, timeZone) => reports.openMonth(organizationId, range, timeZone),
    reportRollupState: (organizationId, range) => reports.state(organizationId, range),
    reportDailySpend: (organizationId, range, timeZone) =>
      reports.dailySpend(organizationId, range, timeZone),
    reportRateVersions: (organizationId, range) => reports.rateVersionsUsed(organizationId, range),
  };
}
