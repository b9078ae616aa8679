import { Module } from '@nestjs/common';
import { SpendResolver } from './spend.resolver';
import { SpendService } from './spend.service';

@Module({ providers: [SpendService, SpendResolver], exports: [SpendService] })
export class SpendModule {}
