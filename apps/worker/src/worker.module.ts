import { Module } from '@nestjs/common';
import { ConfigModule } from '@tokenledger/config';
import { DatabaseModule } from '@tokenledger/db';

@Module({ imports: [ConfigModule, DatabaseModule] })
export class WorkerModule {}
