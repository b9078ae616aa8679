import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ReportDownloadController } from './report-download.controller';
import { ReportsResolver } from './reports.resolver';
import { ReportsService } from './reports.service';

@Module({
  imports: [AuthModule],
  controllers: [ReportDownloadController],
  providers: [ReportsService, ReportsResolver],
})
export class ReportsModule {}
