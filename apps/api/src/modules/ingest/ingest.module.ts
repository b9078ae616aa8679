import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MetricsController } from '../metrics/metrics.controller';
import { TracesController } from '../otlp/traces.controller';
import { EventsController } from './events.controller';
import { QueueProvider } from './queue.provider';
import { IngestService } from './ingest.service';

@Module({
  imports: [AuthModule],
  controllers: [EventsController, TracesController, MetricsController],
  providers: [QueueProvider, IngestService],
  exports: [IngestService, QueueProvider],
})
export class IngestModule {}
