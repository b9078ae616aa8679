import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ConfigModule } from '@tokenledger/config';
import { DatabaseModule } from '@tokenledger/db';
import { ErrorEnvelopeFilter } from './errors/error-envelope.filter';
import { GraphQLAppModule } from './graphql/graphql-app.module';
import { AccessModule } from './modules/access/access.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { BudgetsModule } from './modules/budgets/budgets.module';
import { EventsModule } from './modules/events/events.module';
import { HealthModule } from './modules/health/health.module';
import { IngestModule } from './modules/ingest/ingest.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { OtlpModule } from './modules/otlp/otlp.module';
import { QueueModule } from './modules/queue/queue.module';
import { RatesModule } from './modules/rates/rates.module';
import { SimulationModule } from './modules/simulation/simulation.module';
import { ReconciliationModule } from './modules/reconciliation/reconciliation.module';
import { ReportsModule } from './modules/reports/reports.module';
import { SpendModule } from './modules/spend/spend.module';
import { StatusModule } from './modules/status/status.module';

@Module({
  imports: [
    ConfigModule,
    // Measured at 10M events: a 30-day customer breakdown (113K daily rows) answers in 56 ms without
    // parallel workers and 180 ms with them; hourly scans take as long either way.
    DatabaseModule.forRoot({ parallelQueries: false }),
    QueueModule,
    GraphQLAppModule,
    MetricsModule,
    AccessModule,
    AccountsModule,
    HealthModule,
    IngestModule,
    OtlpModule,
    SpendModule,
    EventsModule,
    RatesModule,
    ReportsModule,
    ReconciliationModule,
    BudgetsModule,
    StatusModule,
    SimulationModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: ErrorEnvelopeFilter }],
})
export class AppModule {}
