import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { UsageEventInput } from '@tokenledger/contracts';
import type { PrismaClient } from '@tokenledger/db';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { eventInput } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';

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

const BUDGET_FIELDS = 'id name scope { kind project key value } amountUsd period kind';

/** An OTLP/JSON export request with one GenAI span (what an OpenTelemetry exporter sends). */
function otlpRequest(spanId: string, at: Date, inputTokens: number, outputTokens: number) {
  const nanos = (d: Date) => (BigInt(d.getTime()) * 1_000_000n).toString();
  const attr = (key: string, value: Record<string, unknown>) => ({ key, value });
  return {
    resourceSpans: [
      {
        resource: { attributes: [attr('service.name', { stringValue: 'svc' })] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId,
                name: 'chat gpt-5.5',
                startTimeUnixNano: nanos(at),
                endTimeUnixNano: nanos(new Date(at.getTime() + 1000)),
                attributes: [
                  attr('gen_ai.system', { stringValue: 'openai' }),
                  attr('gen_ai.request.model', { stringValue: 'gpt-5.5' }),
                  attr('gen_ai.usage.input_tokens', { intValue: String(inputTokens) }),
                  attr('gen_ai.usage.output_tokens', { intValue: outputTokens }),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('budgets scoped to an API key', () => {
  let prisma: PrismaClient;
  let api: NestFastifyApplication;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    prisma = testPrisma();
    let queuePrefix: string;
    ({ app: api, queuePrefix } = await startApi());
    worker = await startWorker({ QUEUE_PREFIX: queuePrefix });
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await prisma.$disconnect();
  });

  /** An organization with one project, its owner's session, and two ingest keys of that project. */
  async function owner(label: string) {
    const tenant = await createTenant(prisma, label);
    const user = await createUser(prisma, tenant.org.id, 'owner');
    const token = await loginAs(api, user.email, user.password);
    const keyA = await createKey(prisma, tenant.org.id, tenant.project.id, ['ingest']);
    const keyB = await createKey(prisma, tenant.org.id, tenant.project.id, ['ingest']);
    return { ...tenant, token, keyA, keyB };
  }

  const createBudget = (token: string, input: Record<string, unknown>) =>
    gql<{ createBudget: { id: string; scope: { kind: string; value: string } } }>(
      api,
      `mutation($i: BudgetInput!) { createBudget(input: $i) { ${BUDGET_FIELDS} } }`,
      { i: input },
      token,
    );

  const status = async (token: string, id: string) => {
    const r = await gql<{
      budgetStatus: { spentUsd: string; exceeded: boolean; forecast: { spentUsd: string } };
    }>(
      api,
      'query($id: ID!) { budgetStatus(id: $id, history: 1) { spentUsd exceeded forecast { spentUsd } } }',
      { id },
      token,
    );
    expect(r.errors).toBeUndefined();
    return r.data!.budgetStatus;
  };

  const check = async (auth: Record<string, string>, query = '') => {
    const res = await api.inject({ method: 'GET', url: `/v1/budgets/check?${query}`, headers: auth });
    expect(res.statusCode).toBe(200);
    return res.json() as {
      allowed: boolean;
      budgets: { id: string; exceeded: boolean; scope: { kind: string; value: string } }[];
    };
  };

  const post = (auth: Record<string, string>, events: UsageEventInput[]) =>
    api.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: { events },
    });

  const recent = (inputTokens: number) =>
    eventInput(
      { occurredAt: new Date(Date.now() - 60_000).toISOString() },
      { inputTokens, outputTokens: 1000 },
    );

  /** Spend and events of the project per key, from the events themselves. */
  const spendByKey = async (projectId: string) => {
    const rows = await prisma.usageEvent.groupBy({
      by: ['apiKeyId'],
      where: { projectId },
      _sum: { costUsd: true },
      _count: { _all: true },
    });
    return new Map(
      rows.map((r) => [
        r.apiKeyId,
        { events: r._count._all, costUsd: new Decimal(r._sum.costUsd!.toFixed()) },
      ]),
    );
  };

  /** A budget period that surely holds the events just sent: one day from an hour ago. */
  const thisDay = () => ({
    period: 'custom',
    periodDays: 1,
    startsAt: new Date(Date.now() - 3600_000).toISOString(),
  });

  it('records the sending key on events from /v1/events and /v1/traces; a budget on key A counts only what A sent', async () => {
    const a = await owner('keybud-spend');
    expect((await post(a.keyA.auth, [recent(100_000), recent(200_000)])).statusCode).toBe(202);
    expect((await post(a.keyB.auth, [recent(400_000), recent(800_000)])).statusCode).toBe(202);
    const otlp = await api.inject({
      method: 'POST',
      url: '/v1/traces',
      headers: { ...a.keyA.auth, 'content-type': 'application/json' },
      payload: otlpRequest('eee19b7ec3c1b174', new Date(Date.now() - 30_000), 50_000, 500),
    });
    expect(otlp.statusCode).toBe(200);
    await until(
      'five events stored',
      async () => (await prisma.usageEvent.count({ where: { projectId: a.project.id } })) === 5,
    );

    const byKey = await spendByKey(a.project.id);
    expect([...byKey.keys()].sort()).toEqual([a.keyA.key.id, a.keyB.key.id].sort());
    expect(byKey.get(a.keyA.key.id)!.events).toBe(3);
    expect(byKey.get(a.keyB.key.id)!.events).toBe(2);
    const otlpEvent = await prisma.usageEvent.findFirstOrThrow({
      where: { projectId: a.project.id, source: 'otlp' },
    });
    expect(otlpEvent.apiKeyId).toBe(a.keyA.key.id);

    const spentA = byKey.get(a.keyA.key.id)!.costUsd;
    const spentB = byKey.get(a.keyB.key.id)!.costUsd;
    expect(spentA.gt(0) && spentB.gt(spentA)).toBe(true);
    const forA = await createBudget(a.token, {
      name: 'Key A',
      scope: { kind: 'api_key', value: a.keyA.key.id.toUpperCase() },
      amountUsd: '1000',
      ...thisDay(),
    });
    expect(forA.errors).toBeUndefined();
    expect(forA.data!.createBudget.scope).toMatchObject({ kind: 'api_key', value: a.keyA.key.id });
    const forB = await createBudget(a.token, {
      name: 'Key B',
      scope: { kind: 'api_key', value: a.keyB.key.id },
      amountUsd: '1000',
      ...thisDay(),
    });
    expect(forB.errors).toBeUndefined();

    const sa = await status(a.token, forA.data!.createBudget.id);
    expect(sa.spentUsd).toBe(spentA.toFixed());
    expect(sa.forecast.spentUsd).toBe(spentA.toFixed());
    expect((await status(a.token, forB.data!.createBudget.id)).spentUsd).toBe(spentB.toFixed());

    const listed = await gql<{ budgets: { scope: { kind: string; value: string } }[] }>(
      api,
      '{ budgets { scope { kind value } } }',
      {},
      a.token,
    );
    expect(listed.data!.budgets.map((b) => b.scope.value).sort()).toEqual(
      [a.keyA.key.id, a.keyB.key.id].sort(),
    );
  });

  it('a hard budget on key A over its limit refuses A at the check endpoint; key B is still allowed', async () => {
    const a = await owner('keybud-hard');
    const created = await createBudget(a.token, {
      name: 'Key A cap',
      scope: { kind: 'api_key', value: a.keyA.key.id },
      amountUsd: '0.01',
      kind: 'hard',
      ...thisDay(),
    });
    expect(created.errors).toBeUndefined();
    const id = created.data!.createBudget.id;
    // Before any spend: the budget binds A (allowed), and nothing binds B.
    expect(await check(a.keyA.auth)).toMatchObject({ allowed: true, budgets: [{ id, exceeded: false }] });
    expect(await check(a.keyB.auth)).toEqual({ allowed: true, budgets: [] });

    // B spends far over A's amount: A's budget does not move.
    expect((await post(a.keyB.auth, [recent(2_000_000), recent(2_000_000)])).statusCode).toBe(202);
    await until(
      'B events stored',
      async () => (await prisma.usageEvent.count({ where: { projectId: a.project.id } })) === 2,
    );
    const spentB = (await spendByKey(a.project.id)).get(a.keyB.key.id)!.costUsd;
    expect(spentB.gt('0.01')).toBe(true);
    expect((await status(a.token, id)).spentUsd).toBe('0');
    expect((await check(a.keyA.auth)).allowed).toBe(true);

    // A spends over its amount: within seconds (the worker refreshes after the write) A is refused.
    expect((await post(a.keyA.auth, [recent(2_000_000)])).statusCode).toBe(202);
    const refused = await until('the check endpoint to refuse key A', async () => {
      const answer = await check(a.keyA.auth, 'feature=anything');
      return answer.allowed ? null : answer;
    });
    expect(refused.budgets).toEqual([
      expect.objectContaining({
        id,
        exceeded: true,
        scope: expect.objectContaining({ kind: 'api_key', value: a.keyA.key.id }),
      }),
    ]);
    expect(await check(a.keyB.auth, 'feature=anything')).toEqual({ allowed: true, budgets: [] });
    const s = await status(a.token, id);
    expect(s.exceeded).toBe(true);
    expect(new Decimal(s.spentUsd).equals((await spendByKey(a.project.id)).get(a.keyA.key.id)!.costUsd)).toBe(
      true,
    );
  });

  it('refuses an api_key scope that names no key of the organization, naming scope.value', async () => {
    const a = await owner('keybud-bad');
    const other = await owner('keybud-other');
    const base = { name: 'x', amountUsd: '10', period: 'month' };
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'api_key' }, 'scope.value: is required'],
      [{ kind: 'api_key', value: a.keyA.key.prefix }, 'scope.value: "'],
      [{ kind: 'api_key', value: '00000000-0000-4000-8000-00000000dead' }, 'scope.value: no API key'],
      // Another organization's key: refused exactly as a key that does not exist.
      [{ kind: 'api_key', value: other.keyA.key.id }, 'scope.value: no API key'],
    ];
    for (const [scope, message] of cases) {
      const result = await createBudget(a.token, { ...base, scope });
      expect(codeOf(result), JSON.stringify(scope)).toBe('VALIDATION_FAILED');
      expect(result.errors![0]!.message.startsWith(message), result.errors![0]!.message).toBe(true);
    }
    // Nor can a budget be moved onto another organization's key.
    const mine = await createBudget(a.token, { ...base, scope: { kind: 'api_key', value: a.keyA.key.id } });
    expect(mine.errors).toBeUndefined();
    const moved = await gql(
      api,
      'mutation($id: ID!, $i: BudgetInput!) { updateBudget(id: $id, input: $i) { id } }',
      {
        id: mine.data!.createBudget.id,
        i: { ...base, scope: { kind: 'api_key', value: other.keyB.key.id } },
      },
      a.token,
    );
    expect(codeOf(moved)).toBe('VALIDATION_FAILED');
    expect((moved.errors![0]!.message as string).startsWith('scope.value:')).toBe(true);
    expect(await prisma.budget.count({ where: { organizationId: a.org.id } })).toBe(1);
    expect(await prisma.budget.count({ where: { scopeValue: other.keyB.key.id } })).toBe(0);
    // The other organization's key is not bound by A's budgets.
    expect(await check(other.keyA.auth)).toEqual({ allowed: true, budgets: [] });
  });
});
