import './heap';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfigOrExit, PinoNestLogger } from '@tokenledger/config';
import { lowerPriority } from './priority';
import { WorkerModule } from './worker.module';

/** The worker has no HTTP server: an application context hosting the BullMQ processors. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config, 'worker');
  // Pricing and writing are throughput work behind a durable queue; answering clients is not.
  const failed = lowerPriority(config.WORKER_NICE);
  if (failed.length > 0)
    logger.warn(`could not lower CPU priority to nice ${config.WORKER_NICE}: ${failed[0]}`);
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  await app.init();
  logger.info('Worker started');
}

void main();
