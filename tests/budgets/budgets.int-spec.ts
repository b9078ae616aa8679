import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { validateUsageEvent, type UsageEventInput } from '@tokenledger/contracts';
import {
  createPgPool,
  RateTableRepository,
  UsageEventWriter,
  type PgPool,
  type PrismaClient,
} from '@tokenledger/db';
import { buildPricer } from '@tokenledger/pricing';
import { BudgetExceededError, Tokenledger, wrapOpenAI } from '@tokenledger/sdk';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, listen, startApi } from '../support/api';
import { eventInput, pricedAt, usageEvent } from '../support/events';
import { codeOf, createUser, gql, loginAs, type GraphQLResult } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';
import { startReceiver } from '../support/webhooks';
import { chatCompletion } from '../sdk/support/fake-providers';

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const BUDGET_FIELDS =
  'id name scope { kind project key value } amountUsd period periodDays timeZone thresholds kind';

describe('budgets, alerts and the hard-budget check', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let api: NestFastifyApplication;
  let apiUrl: string;
  let queuePrefix: string;
  const workers: INestApplicationContext[] = [];

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 2);
    ({ app: api, queuePrefix } = await startApi());
    apiUrl = await listen(api);
    // Two workers on the same queues: alerts must still be made and sent once.
    workers.push(await startWorker({ QUEUE_PREFIX: queuePrefix }));
    workers.push(await startWorker({ QUEUE_PREFIX: queuePrefix }));
  });

  afterAll(async () => {
    for (const w of workers) await w.close();
    await api?.close();
    await pool.end();
    await prisma.$disconnect();
  });

  async function owner(label: string) {
    const tenant = await createTenant(prisma, label);
    const user = await createUser(prisma, tenant.org.id, 'owner');
    const token = await loginAs(api, user.email, user.password);
    const ingest = await createKey(prisma, tenant.org.id, tenant.project.id, ['ingest']);
    return { ...tenant, token, ingest };
  }

  const createBudget = (token: string, input: Record<string, unknown>) =>
    gql<{ createBudget: { id: string } }>(
      api,
      `mutation($i: BudgetInput!) { createBudget(input: $i) { ${BUDGET_FIELDS} } }`,
      { i: input },
      token,
    );

  const check = async (auth: Record<string, string>, query: string) => {
    const res = await api.inject({ method: 'GET', url: `/v1/budgets/check?${query}`, headers: auth });
    expect(res.statusCode).toBe(200);
    return res.json() as { allowed: boolean; budgets: { id: string; exceeded: boolean }[] };
  };

  const post = (auth: Record<string, string>, events: UsageEventInput[]) =>
    api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: { events },
    });

  async function costOf(organizationId: string, events: UsageEventInput[]): Promise<Decimal> {
    const pricer = buildPricer(await new RateTableRepository(prisma).loadSnapshot({ organizationId }));
    let total = new Decimal(0);
    for (const raw of events) {
      const v = validateUsageEvent(raw, new Date(Date.now() + 3600_000));
      if (!v.ok) throw new Error('bad event');
      const p = pricer.price(v.event, organizationId);
      if (p.status !== 'priced') throw new Error(`unpriced: ${p.reason}`);
      total = total.plus(p.totalUsd!);
    }
    return total;
  }

  const recent = (over: Partial<UsageEventInput>, inputTokens = 200_000) =>
    eventInput(
      { occurredAt: new Date(Date.now() - 60_000).toISOString(), ...over },
      { inputTokens, outputTokens: 2000 },
    );

  it('refuses bad budgets with VALIDATION_FAILED naming the field', async () => {
    const a = await owner('bud-bad');
    const base = { name: 'x', scope: { kind: 'organization' }, amountUsd: '10', period: 'month' };
    const cases: [Record<string, unknown>, string][] = [
      [{ amountUsd: '-1' }, 'amountUsd'],
      [{ scope: { kind: 'galaxy' } }, 'scope.kind'],
      [{ scope: { kind: 'customer' } }, 'scope.value'],
      [{ scope: { kind: 'project', project: 'nope' } }, 'scope.project'],
      [{ thresholds: [50, 150] }, 'thresholds[1]'],
      [{ period: 'custom' }, 'periodDays'],
      [{ timeZone: 'Nowhere/Else' }, 'timeZone'],
      [{ kind: 'firm' }, 'kind'],
    ];
    for (const [over, field] of cases) {
      const result = await createBudget(a.token, { ...base, ...over });
      expect(codeOf(result), field).toBe('VALIDATION_FAILED');
      expect(result.errors![0]!.message.startsWith(`${field}:`), result.errors![0]!.message).toBe(true);
    }
    const dest = await gql(
      api,
      'mutation { createAlertDestination(input: {name: "x", url: "ftp://example.com"}) { secret } }',
      {},
      a.token,
    );
    expect(codeOf(dest)).toBe('VALIDATION_FAILED');
  });

  it('shows spend so far, remaining, resets in N days and past periods, in a non-UTC zone', async () => {
    const a = await owner('bud-status');
    const created = await createBudget(a.token, {
      name: 'Support month',
      scope: { kind: 'feature', value: 'support' },
      amountUsd: '10',
      period: 'month',
      timeZone: 'America/New_York',
      thresholds: [50, 100],
    });
    expect(created.errors).toBeUndefined();
    const id = created.data!.createBudget.id;
    const status = async () => {
      const r = await gql<{ budgetStatus: Record<string, unknown> & { history: Record<string, unknown>[] } }>(
        api,
        `query($id: ID!) { budgetStatus(id: $id, history: 2) { periodStart periodEnd spentUsd remainingUsd percentUsed exceeded
           resetsInDays crossedThresholds history { start end spentUsd crossed } } }`,
        { id },
        a.token,
      );
      expect(r.errors).toBeUndefined();
      return r.data!.budgetStatus;
    };
    const before = await status();
    const start = new Date(before.periodStart as string);
    const end = new Date(before.periodEnd as string);
    // The period starts at local midnight of the 1st in New York, and ends at the next one.
    const local = (d: Date) =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'America/New_York',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(d);
    expect(local(start)).toBe('1, 00:00');
    expect(local(end)).toBe('1, 00:00');
    expect(before.resetsInDays).toBe(Math.ceil((end.getTime() - Date.now()) / 86_400_000));
    expect(before.spentUsd).toBe('0');

    // Spend in this period, in the last one (just before the reset), and in another feature.
    const at = (ms: number) => new Date(ms).toISOString();
    const writer = new UsageEventWriter(pool);
    const ev = (occurredAt: string, feature: string, usd: string) => ({
      event: usageEvent({ occurredAt, feature }),
      pricing: pricedAt(usd),
    });
    await writer.write({
      organizationId: a.org.id,
      projectId: a.project.id,
      source: 'api',
      receivedAt: new Date(),
      events: [
        ev(at(start.getTime() + 30 * 60_000), 'support', '6'),
        ev(at(start.getTime() - 30 * 60_000), 'support', '11.5'),
        ev(at(start.getTime() - 20 * 86_400_000), 'support', '1'),
        ev(at(start.getTime() + 60 * 60_000), 'search', '100'),
      ],
    });
    const after = await status();
    expect(after.spentUsd).toBe('6');
    expect(after.remainingUsd).toBe('4');
    expect(after.percentUsed).toBe(60);
    expect(after.crossedThresholds).toEqual([50]);
    expect(after.exceeded).toBe(false);
    expect(after.history).toHaveLength(2);
    expect(after.history[0]).toMatchObject({ end: start.toISOString(), spentUsd: '12.5', crossed: true });
    expect(after.history[1]!.end).toBe(after.history[0]!.start);
    expect(local(new Date(after.history[0]!.start as string))).toBe('1, 00:00');
  });

  it('a crossed hard budget makes the check endpoint and the SDK refuse within seconds; other labels stay allowed', async () => {
    const a = await owner('bud-hard');
    const events = [recent({ feature: 'agent' }), recent({ feature: 'agent' })];
    const cost = await costOf(a.org.id, events);
    const created = await createBudget(a.token, {
      name: 'Agent cap',
      scope: { kind: 'feature', value: 'agent' },
      amountUsd: cost.times(0.9).toFixed(),
      period: 'day',
      kind: 'hard',
    });
    expect(created.errors).toBeUndefined();
    expect(await check(a.ingest.auth, 'feature=agent')).toMatchObject({
      allowed: true,
      budgets: [{ exceeded: false }],
    });

    let providerCalls = 0;
    const fakeOpenAI = {
      chat: { completions: { create: async (_body: unknown) => (providerCalls++, chatCompletion) } },
    };
    const tokenledger = new Tokenledger({
      apiKey: a.ingest.secret,
      baseUrl: apiUrl,
      flushOnExit: false,
      enabled: true,
    });
    const client = wrapOpenAI(fakeOpenAI, { tokenledger, feature: 'agent', enforceBudgets: true });
    await client.chat.completions.create({ model: 'gpt-5.5', messages: [] });
    expect(providerCalls).toBe(1);

    const posted = Date.now();
    expect((await post(a.ingest.auth, events)).statusCode).toBe(202);
    await until(
      'the check endpoint to refuse',
      async () => !(await check(a.ingest.auth, 'feature=agent')).allowed,
    );
    const refusedAfterMs = Date.now() - posted;
    expect(refusedAfterMs).toBeLessThan(15_000);

    expect((await tokenledger.checkBudget({ feature: 'agent' })).allowed).toBe(false);
    await expect(client.chat.completions.create({ model: 'gpt-5.5', messages: [] })).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
    expect(providerCalls).toBe(1);
    // Labels the budget does not cover still pass.
    expect(await check(a.ingest.auth, 'feature=search')).toEqual({ allowed: true, budgets: [] });
    expect((await tokenledger.checkBudget({ feature: 'search' })).allowed).toBe(true);
    await tokenledger.shutdown(1000);
  });

  it('soft budgets only alert: each threshold once, signed, across two workers and a worker restart', async () => {
    const a = await owner('bud-soft');
    const receiver = await startReceiver();
    try {
      const dest = await gql<{ createAlertDestination: { secret: string; destination: { id: string } } }>(
        api,
        'mutation($u: String!) { createAlertDestination(input: {name: "ops", url: $u}) { secret destination { id format } } }',
        { u: receiver.url },
        a.token,
      );
      expect(dest.errors).toBeUndefined();
      receiver.setSecret(dest.data!.createAlertDestination.secret);
      const destinationId = dest.data!.createAlertDestination.destination.id;

      const test = await gql<{ sendTestAlert: { statusCode: number } }>(
        api,
        'mutation($d: ID!) { sendTestAlert(destinationId: $d) { statusCode event } }',
        { d: destinationId },
        a.token,
      );
      expect(test.data!.sendTestAlert).toEqual({ statusCode: 200, event: 'test' });
      expect(receiver.received.map((r) => r.json.type)).toEqual(['test']);

      const batchA = [recent({ customerId: 'acme' }), recent({ customerId: 'acme' })];
      const batchB = [recent({ customerId: 'acme' }), recent({ customerId: 'acme' })];
      const costA = await costOf(a.org.id, batchA);
      const created = await createBudget(a.token, {
        name: 'Acme',
        scope: { kind: 'customer', value: 'acme' },
        amountUsd: costA.times(1.6).toFixed(),
        period: 'month',
        thresholds: [50, 100],
      });
      expect(created.errors).toBeUndefined();
      const budgetId = created.data!.createBudget.id;
      const thresholds = () =>
        receiver.received
          .filter((r) => r.json.type === 'budget.threshold_crossed')
          .map((r) => r.json.threshold);

      const postedA = Date.now();
      expect((await post(a.ingest.auth, batchA)).statusCode).toBe(202);
      await until('the 50% alert', async () => thresholds().includes(50), 60_000);
      const firstAlertMs = Date.now() - postedA;
      expect(firstAlertMs).toBeLessThan(60_000);

      // Restart one of the two workers between the crossings.
      await workers.shift()!.close();
      workers.push(await startWorker({ QUEUE_PREFIX: queuePrefix }));

      expect((await post(a.ingest.auth, batchB)).statusCode).toBe(202);
      await until('the 100% alert', async () => thresholds().includes(100), 60_000);
      // More writes make more evaluations; none may send a threshold again.
      expect((await post(a.ingest.auth, [recent({ customerId: 'acme' }, 1000)])).statusCode).toBe(202);
      await new Promise((r) => setTimeout(r, 3000));

      expect(thresholds().sort((x, y) => x - y)).toEqual([50, 100]);
      expect(receiver.received.every((r) => r.signatureOk)).toBe(true);
      expect(
        receiver.received.filter((r) => r.json.type !== 'test').every((r) => r.json.budget.id === budgetId),
      ).toBe(true);
      // Soft: over 100% and still allowed.
      expect(await check(a.ingest.auth, 'customerId=acme')).toEqual({ allowed: true, budgets: [] });

      const log = await gql<{
        alertDeliveries: { statusCode: number; event: string }[];
        budgetAlerts: { threshold: number; status: string }[];
      }>(
        api,
        `query($d: ID!, $b: ID!) { alertDeliveries(destinationId: $d) { statusCode event } budgetAlerts(budgetId: $b) { threshold status } }`,
        { d: destinationId, b: budgetId },
        a.token,
      );
      expect(log.errors).toBeUndefined();
      expect(log.data!.alertDeliveries.map((d) => d.statusCode)).toEqual([200, 200, 200]);
      expect(log.data!.budgetAlerts.map((x) => [x.threshold, x.status]).sort()).toEqual([
        [100, 'delivered'],
        [50, 'delivered'],
      ]);
      console.log(`budgets: first alert ${firstAlertMs} ms after the crossing batch was posted`);
    } finally {
      await receiver.close();
    }
  }, 180_000);

  it('keeps every operation within its organization', async () => {
    const a = await owner('bud-iso-a');
    const b = await owner('bud-iso-b');
    const budget = await createBudget(a.token, {
      name: 'A org',
      scope: { kind: 'organization' },
      amountUsd: '0.000001',
      period: 'day',
      kind: 'hard',
    });
    const id = budget.data!.createBudget.id;
    const dest = await gql<{ createAlertDestination: { destination: { id: string } } }>(
      api,
      'mutation { createAlertDestination(input: {name: "a", url: "http://127.0.0.1:9/x"}) { destination { id } } }',
      {},
      a.token,
    );
    const destId = dest.data!.createAlertDestination.destination.id;
    const asB = (query: string, variables: Record<string, unknown> = {}) =>
      gql(api, query, variables, b.token);
    const lists = (await asB(
      '{ budgets { id } alertDestinations { id } budgetAlerts { id } alertDeliveries { id } }',
    )) as GraphQLResult<{
      budgets: unknown[];
      alertDestinations: unknown[];
      budgetAlerts: unknown[];
      alertDeliveries: unknown[];
    }>;
    expect(lists.data).toEqual({ budgets: [], alertDestinations: [], budgetAlerts: [], alertDeliveries: [] });
    const notFound = [
      await asB('query($id: ID!) { budgetStatus(id: $id) { spentUsd } }', { id }),
      await asB(
        'mutation($id: ID!) { updateBudget(id: $id, input: {name: "x", scope: {kind: "organization"}, amountUsd: "1", period: "day"}) { id } }',
        { id },
      ),
      await asB('mutation($id: ID!) { deleteBudget(id: $id) }', { id }),
      await asB('mutation($id: ID!) { sendTestAlert(destinationId: $id) { id } }', { id: destId }),
      await asB('mutation($id: ID!) { deleteAlertDestination(id: $id) }', { id: destId }),
    ];
    for (const r of notFound) expect(codeOf(r)).toBe('NOT_FOUND');
    expect(
      (
        (await asB('query($id: ID!) { alertDeliveries(destinationId: $id) { id } }', { id: destId }))
          .data as { alertDeliveries: unknown[] }
      ).alertDeliveries,
    ).toEqual([]);
    // A's hard budget binds A's calls only.
    expect((await check(a.ingest.auth, '')).budgets).toHaveLength(1);
    expect(await check(b.ingest.auth, '')).toEqual({ allowed: true, budgets: [] });
    // Budgets are organization-wide: project keys are refused.
    const projectRead = await createKey(prisma, a.org.id, a.project.id, ['read', 'admin']);
    const refused = await gql(api, '{ budgets { id } }', {}, projectRead.secret);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    // Still there for A.
    expect(
      ((await gql(api, '{ budgets { id } }', {}, a.token)).data as { budgets: unknown[] }).budgets,
    ).toHaveLength(1);
  });
});
