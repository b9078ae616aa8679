import { Global, Module } from '@nestjs/common';
import { QueueProvider } from './queue.provider';

/** The queues the API produces to (ingest, reprice), shared by every module that enqueues. */
@Global()
@Module({ providers: [QueueProvider], exports: [QueueProvider] })
export class QueueModule {}
