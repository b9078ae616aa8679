import { Module } from '@nestjs/common';
import { RatesResolver } from './rates.resolver';
import { RatesService } from './rates.service';
import { RepriceRunsResolver } from './reprice-runs.resolver';

@Module({ providers: [RatesService, RatesResolver, RepriceRunsResolver] })
export class RatesModule {}
