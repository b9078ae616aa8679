// Alert destinations' signing secrets at rest: sealed by the secret box, never in plaintext in the
// database, and destinations made before sealing (plaintext rows) still deliver signed and get
// sealed, on first use or when a worker boots.
import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPgPool, type PgPool, type PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi } from '../support/api';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';
import { startReceiver } from '../support/webhooks';
import { startWorker } from '../support/worker';

const CREATE =
  'mutation($u: String!) { createAlertDestination(input: {name: "ops", url: $u}) { secret destination { id } } }';
const SEND_TEST = 'mutation($d: ID!) { sendTestAlert(destinationId: $d) { statusCode event } }';

describe('alert destination secrets at rest', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let api: NestFastifyApplication;
  let queuePrefix: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const workers: INestApplicationContext[] = [];

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 2);
    ({ app: api, queuePrefix } = await startApi());
    receiver = await startReceiver();
  });

  afterAll(async () => {
    for (const w of workers) await w.close();
    await receiver?.close();
    await api?.close();
    await pool.end();
    await prisma.$disconnect();
  });

  async function owner(label: string) {
    const tenant = await createTenant(prisma, label);
    const user = await createUser(prisma, tenant.org.id, 'owner');
    return { ...tenant, token: await loginAs(api, user.email, user.password) };
  }

  /** Every row of the table, all columns, as Postgres prints them. */
  async function tableText(table: 'alert_destinations' | 'alert_deliveries'): Promise<string> {
    const { rows } = await pool.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
    return rows.map((r) => r.row).join('\n');
  }

  async function stored(id: string) {
    const { rows } = await pool.query<{ secret: string | null; secret_sealed: string | null }>(
      'SELECT secret, secret_sealed FROM alert_destinations WHERE id = $1',
      [id],
    );
    return rows[0]!;
  }

  /** A destination as the release before sealing stored it: the secret in plaintext. */
  async function insertLegacy(organizationId: string): Promise<{ id: string; secret: string }> {
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    await pool.query(
      `INSERT INTO alert_destinations (id, organization_id, name, url, format, secret) VALUES ($1, $2, 'old', $3, 'json', $4)`,
      [id, organizationId, receiver.url, secret],
    );
    return { id, secret };
  }

  async function sendTest(token: string, destinationId: string, secret: string) {
    receiver.setSecret(secret);
    const before = receiver.received.length;
    const sent = await gql<{ sendTestAlert: { statusCode: number; event: string } }>(
      api,
      SEND_TEST,
      { d: destinationId },
      token,
    );
    return { sent, received: receiver.received.slice(before) };
  }

  it('stores a new secret only sealed (no column holds it as text) and still signs with it', async () => {
    const a = await owner('sec-new');
    const created = await gql<{ createAlertDestination: { secret: string; destination: { id: string } } }>(
      api,
      CREATE,
      { u: receiver.url },
      a.token,
    );
    expect(created.errors).toBeUndefined();
    const { secret, destination } = created.data!.createAlertDestination;
    expect(secret).toMatch(/^whsec_/);

    const row = await stored(destination.id);
    expect(row.secret).toBeNull();
    expect(row.secret_sealed).toMatch(/^v1\./);
    const { sent, received } = await sendTest(a.token, destination.id, secret);
    expect(sent.data!.sendTestAlert).toEqual({ statusCode: 200, event: 'test' });
    expect(received.map((r) => r.signatureOk)).toEqual([true]);

    // Neither the table (every column as text) nor the delivery log holds the secret or a part of it.
    const tail = secret.slice('whsec_'.length);
    for (const text of [await tableText('alert_destinations'), await tableText('alert_deliveries')]) {
      expect(text).toContain(destination.id.slice(0, 8));
      expect(text).not.toContain(tail);
      expect(text).not.toContain(tail.slice(0, 16));
    }
    expect(await tableText('alert_destinations')).toContain(row.secret_sealed);
  });

  it('a destination made before sealing delivers correctly signed and is sealed by that first use', async () => {
    const a = await owner('sec-legacy');
    const legacy = await insertLegacy(a.org.id);
    expect(await tableText('alert_destinations')).toContain(legacy.secret);

    const { sent, received } = await sendTest(a.token, legacy.id, legacy.secret);
    expect(sent.errors).toBeUndefined();
    expect(sent.data!.sendTestAlert.statusCode).toBe(200);
    expect(received.map((r) => r.signatureOk)).toEqual([true]);

    const row = await stored(legacy.id);
    expect(row.secret).toBeNull();
    expect(row.secret_sealed).toMatch(/^v1\./);
    expect(await tableText('alert_destinations')).not.toContain(legacy.secret.slice('whsec_'.length));
    // Opened from the sealed value now: the same secret signs.
    const again = await sendTest(a.token, legacy.id, legacy.secret);
    expect(again.received.map((r) => r.signatureOk)).toEqual([true]);
  });

  it('a worker seals every plaintext secret left when it boots (idempotent across workers)', async () => {
    const a = await owner('sec-boot');
    const legacy = [await insertLegacy(a.org.id), await insertLegacy(a.org.id)];
    workers.push(await startWorker({ QUEUE_PREFIX: queuePrefix }));
    workers.push(await startWorker({ QUEUE_PREFIX: queuePrefix }));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM alert_destinations WHERE organization_id = $1 AND secret IS NOT NULL',
        [a.org.id],
      );
      if (rows[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error(`${rows[0]!.n} plaintext secrets left after boot`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const text = await tableText('alert_destinations');
    for (const l of legacy) {
      expect(text).not.toContain(l.secret.slice('whsec_'.length));
      expect((await stored(l.id)).secret_sealed).toMatch(/^v1\./);
      const { received } = await sendTest(a.token, l.id, l.secret);
      expect(received.map((r) => r.signatureOk)).toEqual([true]);
    }
  });

  it('a sealed secret opens only for its own destination', async () => {
    const a = await owner('sec-bind');
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await gql<{ createAlertDestination: { destination: { id: string } } }>(
        api,
        CREATE,
        { u: receiver.url },
        a.token,
      );
      ids.push(c.data!.createAlertDestination.destination.id);
    }
    await pool.query(
      'UPDATE alert_destinations SET secret_sealed = (SELECT secret_sealed FROM alert_destinations WHERE id = $1) WHERE id = $2',
      [ids[0], ids[1]],
    );
    const before = receiver.received.length;
    const copied = await gql(api, SEND_TEST, { d: ids[1] }, a.token);
    expect(codeOf(copied)).toBe('SERVICE_UNAVAILABLE');
    expect(copied.errors![0]!.message).toMatch(/could not be opened/);
    expect(receiver.received.length).toBe(before);
  });

  it('in production without TOKENLEDGER_SECRET_KEY, refuses to make a destination (naming it) and stores nothing', async () => {
    const a = await owner('sec-prod');
    // Nest's loggers write through the last app's logger: keep this one logging, as the others do.
    const { app: prod } = await startApi({
      NODE_ENV: 'production',
      TOKENLEDGER_SECRET_KEY: '',
      LOG_LEVEL: 'debug',
      QUEUE_PREFIX: queuePrefix,
    });
    try {
      const refused = await gql(prod, CREATE, { u: 'https://hooks.example/x' }, a.token);
      expect(codeOf(refused)).toBe('SERVICE_UNAVAILABLE');
      expect(refused.errors![0]!.message).toMatch(/TOKENLEDGER_SECRET_KEY is not set/);
      const { rows } = await pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM alert_destinations WHERE organization_id = $1',
        [a.org.id],
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      await prod.close();
    }
  });
});
