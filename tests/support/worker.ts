import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfig, PinoNestLogger } from '@tokenledger/config';
import { WorkerModule } from '@tokenledger/worker/worker.module';
import { QUEUES } from '@tokenledger/contracts';
import type { PrismaClient } from '@tokenledger/db';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** The worker in this process, configured from `env` (same queue prefix as the API under test). */
export async function startWorker(env: Record<string, string>): Promise<INestApplicationContext> {
  const saved = { ...process.env };
  Object.assign(process.env, { LOG_LEVEL: 'silent', ...env });
  try {
    const logger = createLogger(loadConfig(), 'worker');
    const app = await NestFactory.createApplicationContext(WorkerModule, {
      logger: new PinoNestLogger(logger),
    });
    await app.init();
    return app;
  } finally {
    process.env = saved;
  }
}

/** The built worker (`npm test` builds first) as its own process, so a test can SIGKILL it. */
export function spawnWorker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(__dirname, '..', '..', 'apps', 'worker', 'dist', 'main.js')], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Polls until `projectId` holds `count` events (or the deadline passes); returns the count. */
export async function waitForEvents(
  prisma: PrismaClient,
  projectId: string,
  count: number,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let n = 0;
  while (Date.now() < deadline) {
    n = await prisma.usageEvent.count({ where: { projectId } });
    if (n >= count) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
  return n;
}

/** Waits until the ingest queue under `prefix` has nothing waiting, delayed or active. */
export async function waitForQueueDrain(prefix: string, timeoutMs = 60_000): Promise<void> {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const queue = new Queue(QUEUES.ingest, { connection: redis, prefix });
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (c.waiting + c.active + c.delayed + c.prioritized === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the ingest queue did not drain within ${timeoutMs} ms`);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
