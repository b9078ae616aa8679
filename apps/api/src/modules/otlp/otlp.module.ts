import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { TracesController } from './traces.controller';

/** `POST /v1/traces`: OpenTelemetry GenAI spans, read into usage events and ingested like any batch. */
@Module({ imports: [IngestModule], controllers: [TracesController] })
export class OtlpModule {}
