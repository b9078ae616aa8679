import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AnomaliesResolver } from './anomalies.resolver';
import { BudgetCheckController } from './budget-check.controller';
import { BudgetsResolver } from './budgets.resolver';
import { BudgetsService } from './budgets.service';

/** Budgets, alerts and the hard-budget check endpoint. */
@Module({
  imports: [AuthModule],
  controllers: [BudgetCheckController],
  providers: [BudgetsService, BudgetsResolver, AnomaliesResolver],
})
export class BudgetsModule {}
