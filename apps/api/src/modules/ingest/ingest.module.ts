import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsController } from './events.controller';
import { IngestService } from './ingest.service';

/** `POST /v1/events`: validate, then enqueue (202 once Redis holds the batch). */
@Module({
  imports: [AuthModule],
  controllers: [EventsController],
  providers: [IngestService],
  exports: [IngestService, AuthModule],
})
export class IngestModule {}
