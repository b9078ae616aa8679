import { Module } from '@nestjs/common';
import { ConfigModule } from '@tokenledger/config';
import { DatabaseModule } from '@tokenledger/db';
import { AlertProcessor } from './alert/alert.processor';
import { BudgetTrigger } from './alert/budget-trigger';
import { IngestProcessor } from './ingest/ingest.processor';
import { CatalogPricerSource } from './pricing/catalog-pricer.source';
import { ReconcileProcessor } from './reconcile/reconcile.processor';
import { ReportScheduleProcessor } from './report/report-schedule.processor';
import { ReportProcessor } from './report/report.processor';
import { RepriceProcessor } from './reprice/reprice.processor';
import { SimulateProcessor } from './simulate/simulate.processor';
import { PRICER_SOURCE } from './tokens';

@Module({
  imports: [
    ConfigModule,
    // One pg connection per concurrent batch, and a few for re-pricing and the catalog.
    DatabaseModule.forRoot({ pgPoolSize: (config) => config.WORKER_CONCURRENCY + 4 }),
  ],
  providers: [
    { provide: PRICER_SOURCE, useClass: CatalogPricerSource },
    IngestProcessor,
    RepriceProcessor,
    SimulateProcessor,
    ReportProcessor,
    ReportScheduleProcessor,
    BudgetTrigger,
    AlertProcessor,
    ReconcileProcessor,
  ],
})
export class WorkerModule {}
