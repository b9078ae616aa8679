import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiApp } from '@tokenledger/api/bootstrap';
import { PG_POOL, type PgPool } from '@tokenledger/db';

describe('API health, readiness and error envelope', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    app = await createApiApp();
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  // Dashboard pages send several rollup queries at once: the API's pool runs them without parallel
  // workers (worker start-up cost more than it saved at 10M events; docs/BENCHMARKS.md).
  it('reads through a pool whose sessions run queries without parallel workers', async () => {
    const pool = app.get<PgPool>(PG_POOL);
    const { rows } = await pool.query<{ max_parallel_workers_per_gather: string }>(
      'SHOW max_parallel_workers_per_gather',
    );
    expect(rows[0]!.max_parallel_workers_per_gather).toBe('0');
  });

  it('answers /healthz', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200 when Postgres and Redis answer', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
    expect(res.statusCode).toBe(200);
  });

  it('gives every request an id, reusing a well-formed incoming one', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    const fresh = await app.inject({ method: 'GET', url: '/healthz' });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with the error envelope', async () => {
    const res = await app.inject({ method: 'GET', url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No such route' } });
  });

  it('answers malformed JSON with 400 MALFORMED_JSON, never 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: '{bad',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MALFORMED_JSON');
  });

  it('serves the GraphQL status query', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: { query: '{ status { ready postgres redis version } }' },
    });
    expect(res.json()).toEqual({
      data: { status: { ready: true, postgres: 'ok', redis: 'ok', version: expect.any(String) } },
    });
  });
});
