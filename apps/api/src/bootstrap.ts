import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, loadConfig, PinoNestLogger } from '@tokenledger/config';
import { MAX_BATCH_BYTES } from '@tokenledger/contracts';
import { LogController } from 'fastify';
import { AppModule } from './app.module';
import { registerProtobufParser, registerRequestDecompression } from './http/request-decompression';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The API application, configured but not listening (tests call `init()` or `listen()`). */
export async function createApiApp(): Promise<NestFastifyApplication> {
  const logger = createLogger(loadConfig(), 'api');
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: MAX_BATCH_BYTES,
    trustProxy: true,
    // Fastify's own per-request lines are replaced by the one-line log below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
  });
  const fastify = adapter.getInstance();
  registerRequestDecompression(fastify);
  registerProtobufParser(fastify);
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // One line per request, with its id, status and duration (health probes excepted).
  fastify.addHook('onResponse', async (request, reply) => {
    if (QUIET_PATHS.has(request.url)) return;
    const level = reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'warn' : 'info';
    request.log[level](
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      `${request.method} ${request.url} ${reply.statusCode}`,
    );
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, {
    logger: new PinoNestLogger(logger),
  });
  app.enableShutdownHooks();
  return app;
}
