import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { RatesResolver } from './rates.resolver';
import { RatesService } from './rates.service';
import { RepriceRunsResolver } from './reprice-runs.resolver';

@Module({ imports: [IngestModule], providers: [RatesService, RatesResolver, RepriceRunsResolver] })
export class RatesModule {}
