import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ReconciliationResolver } from './reconciliation.resolver';
import { ReconciliationService } from './reconciliation.service';

@Module({
  imports: [AuthModule],
  providers: [ReconciliationService, ReconciliationResolver],
})
export class ReconciliationModule {}
