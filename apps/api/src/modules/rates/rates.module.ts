import { Module } from '@nestjs/common';
import { RepriceRunsResolver } from './reprice-runs.resolver';

@Module({ providers: [RepriceRunsResolver] })
export class RatesModule {}
