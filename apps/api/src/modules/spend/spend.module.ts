import { Module } from '@nestjs/common';
import { ReadPoolModule } from '../../graphql/read-pool';
import { SpendResolver } from './spend.resolver';
import { SpendService } from './spend.service';

@Module({ imports: [ReadPoolModule], providers: [SpendService, SpendResolver], exports: [SpendService] })
export class SpendModule {}
