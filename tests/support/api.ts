import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '@tokenledger/api/bootstrap';
import { ApiKeyRepository, type ApiKeyScope, type PrismaClient } from '@tokenledger/db';
import { testQueuePrefix } from './queue-prefix';

/**
 * An API app on the test database with its own queue prefix (so tests never share Redis keys),
 * not listening: requests go through `app.inject`. `env` overrides configuration for this app.
 */
export async function startApi(
  env: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; queuePrefix: string }> {
  const queuePrefix = env.QUEUE_PREFIX ?? testQueuePrefix();
  const saved = { ...process.env };
  Object.assign(process.env, { LOG_LEVEL: 'silent', QUEUE_PREFIX: queuePrefix, ...env });
  try {
    const app = await createApiApp();
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return { app, queuePrefix };
  } finally {
    process.env = saved;
  }
}

/** Makes the app listen on a free local port; returns the URL clients reach it at. */
export async function listen(app: NestFastifyApplication): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

export async function createKey(
  prisma: PrismaClient,
  organizationId: string,
  projectId: string | null,
  scopes: ApiKeyScope[] = ['ingest', 'read'],
) {
  const { secret, key } = await new ApiKeyRepository(prisma).create({
    organizationId,
    projectId,
    name: 'test',
    scopes,
  });
  return { secret, key, auth: { authorization: `Bearer ${secret}` } };
}
