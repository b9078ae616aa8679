import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { UsageEvent } from '@tokenledger/contracts';
import {
  createPgPool,
  openStore,
  UsageEventWriter,
  type OpenedStore,
  type PgPool,
  type PricedEvent,
  type PrismaClient,
} from '@tokenledger/db';
import type { Pricer } from '@tokenledger/pricing';
import { seededRandom } from '@tokenledger/simulation';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { usageEvent } from '../support/events';
import { codeOf, createUser, gql, loginAs, type GraphQLResult } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';

const RESULT_FIELDS = `baselineUsd projectedUsd savingsUsd savingsPercent projectedLowUsd projectedHighUsd monthlySavingsUsd
  requests movedRequests movedShareOfRequests unpricedRequests warnings
  stayed { reason requests tokens costUsd }
  byFeature { key baselineUsd projectedUsd movedRequests requests }
  bySourceModel { key baselineUsd projectedUsd }
  moves { toModel projectedUsd outputEfficiency { mode ratio low high calibrations { feature outputRatio outputLow outputHigh sourceDays targetDays } } }
  quality { benchmark sourceModel targetModel sourceScore { score } targetScore { score } delta note }`;

const SIMULATE = `query($s: ScenarioInput!) { simulate(scenario: $s) { ${RESULT_FIELDS} } }`;

type Result = Record<string, unknown> & {
  baselineUsd: string;
  projectedUsd: string;
  savingsUsd: string;
  requests: number;
  movedRequests: number;
  stayed: { reason: string; requests: number; tokens: number; costUsd: string }[];
  moves: { outputEfficiency: { mode: string; ratio: number; low: number; high: number } }[];
  quality: { delta: number | null; note: string }[];
  warnings: string[];
};

/** Seeded traffic with tier edges, oversized prompts, image requests and peak/off-peak hours. */
function traffic(count: number, seed: number): UsageEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const sizes = [800, 8000, 8001, 127_999, 200_000, 200_001, 255_999, 256_001, 271_999, 272_001, 1_100_000];
  const models = [
    ['openai', 'gpt-5.5'],
    ['openai', 'gpt-5.5'],
    ['deepseek', 'deepseek-v4-pro'],
    ['deepseek', 'deepseek-v4-flash'],
  ] as const;
  return Array.from({ length: count }, () => {
    const [provider, model] = pick(models);
    // Two weeks either side of DeepSeek's peak/off-peak start (2026-08-17), at any hour.
    const at = Date.UTC(2026, 7, 5) + Math.floor(random() * 24 * 86_400_000);
    const input = random() < 0.5 ? pick(sizes) : 1 + Math.floor(random() * 300_000);
    const output = Math.floor(random() * 6000);
    const image = provider === 'openai' && random() < 0.25;
    return usageEvent(
      {
        occurredAt: new Date(at).toISOString(),
        provider,
        model,
        feature: pick(['support-chat', 'coding-agent', 'classifier']),
        customerId: pick(['acme', 'globex']),
        inputModalities: image ? ['text', 'image'] : ['text'],
        serviceTier: random() < 0.15 ? 'batch' : 'standard',
      },
      {
        inputTokens: input,
        outputTokens: output,
        cacheReadTokens: Math.floor(random() * input * 0.5),
        reasoningTokens: Math.floor(random() * output * 0.3),
        inputImageTokens: image ? Math.floor(random() * input * 0.1) : 0,
      },
    );
  });
}

describe('what-if simulation over GraphQL, from the traffic mix', () => {
  let prisma: PrismaClient;
  let opened: OpenedStore;
  let pricer: Pricer;
  let app: NestFastifyApplication;
  let worker: INestApplicationContext;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let b: Awaited<ReturnType<typeof createTenant>>;
  let tokenA: string;
  let tokenB: string;
  let eventsA: UsageEvent[];

  async function write(organizationId: string, projectId: string, events: UsageEvent[]) {
    const writer = new UsageEventWriter(poolOf());
    for (let i = 0; i < events.length; i += 500) {
      await writer.write({
        organizationId,
        projectId,
        source: 'api',
        receivedAt: new Date(),
        events: events
          .slice(i, i + 500)
          .map((event): PricedEvent => ({ event, pricing: pricer.price(event, organizationId) })),
      });
    }
  }
  let pool: PgPool;
  const poolOf = () => pool;

  beforeAll(async () => {
    prisma = testPrisma();
    opened = openStore(inject('databaseUrl'), { poolSize: 4 });
    pool = createPgPool(inject('databaseUrl'), 4);
    pricer = await opened.store.pricer().current();
    const started = await startApi();
    app = started.app;
    worker = await startWorker({ QUEUE_PREFIX: started.queuePrefix, DATABASE_URL: inject('databaseUrl') });
    a = await createTenant(prisma, 'sim-a');
    b = await createTenant(prisma, 'sim-b');
    eventsA = traffic(1500, 21);
    await write(a.org.id, a.project.id, eventsA);
    await write(b.org.id, b.project.id, traffic(300, 22));
    const ownerA = await createUser(prisma, a.org.id, 'owner');
    const ownerB = await createUser(prisma, b.org.id, 'owner');
    tokenA = await loginAs(app, ownerA.email, ownerA.password);
    tokenB = await loginAs(app, ownerB.email, ownerB.password);
  });

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await pool?.end();
    await opened?.close();
    await prisma?.$disconnect();
  });

  const FILTER = { from: '2026-08-05T00:00:00Z', to: '2026-08-29T00:00:00Z' };

  async function simulate(
    scenario: Record<string, unknown>,
    token = tokenA,
  ): Promise<GraphQLResult<{ simulate: Result }>> {
    return gql<{ simulate: Result }>(app, SIMULATE, { s: { filter: FILTER, ...scenario } }, token);
  }

  /** Every raw event of the organization re-priced under one move, the way the scenario says. */
  async function bruteForce(orgId: string, move: Record<string, unknown>) {
    const { rows } = await pool.query<Record<string, unknown>>(
      `SELECT occurred_at, provider, model, input_tokens::float8 i, output_tokens::float8 o, cache_read_tokens::float8 cr,
         reasoning_tokens::float8 r, input_image_tokens::float8 img, input_modalities, service_tier, cost_usd::text cost, pricing_status
       FROM usage_events WHERE organization_id = $1 AND occurred_at >= $2 AND occurred_at < $3`,
      [orgId, FILTER.from, FILTER.to],
    );
    const facts = await opened.store.modelFacts.all();
    const target = facts.find((f) => f.provider === move.toProvider && f.model === move.toModel)!;
    let total = new Decimal(0);
    for (const e of rows) {
      const cost = new Decimal((e.cost as string | null) ?? 0);
      const selected =
        e.model === move.fromModel && !(e.provider === move.toProvider && e.model === move.toModel);
      const modalities = e.input_modalities as string[];
      const needsImage = modalities.includes('image') || (e.img as number) > 0;
      const eligible =
        e.pricing_status === 'priced' &&
        (!needsImage || target.inputModalities.includes('image')) &&
        (target.contextWindow === null || (e.i as number) <= target.contextWindow) &&
        (!move.maxPromptTokens || (e.i as number) <= (move.maxPromptTokens as number));
      if (!selected || !eligible) {
        total = total.plus(cost);
        continue;
      }
      const factor = (move.outputEfficiency as { value?: number } | undefined)?.value ?? 1;
      const priced = pricer.price(
        usageEvent(
          {
            occurredAt: (e.occurred_at as Date).toISOString(),
            provider: move.toProvider as string,
            model: move.toModel as string,
            serviceTier: ((move.serviceTier as string | undefined)?.toLowerCase() ??
              e.service_tier) as 'standard',
            inputModalities: modalities as ['text'],
          },
          {
            inputTokens: e.i as number,
            outputTokens: (e.o as number) * factor,
            cacheReadTokens:
              (move.cache as { mode: string } | undefined)?.mode === 'NONE' ? 0 : (e.cr as number),
            reasoningTokens: (e.r as number) * factor,
            inputImageTokens: e.img as number,
          },
        ),
        orgId,
      );
      if (priced.status !== 'priced') throw new Error(`brute force: ${priced.reason}`);
      total = total.plus(priced.totalUsd!);
    }
    return {
      projected: total,
      baseline: rows.reduce((s, e) => s.plus((e.cost as string | null) ?? 0), new Decimal(0)),
    };
  }

  it('answers gpt-5.5 → deepseek-v4-pro: image requests and prompts above the window stay, by reason', async () => {
    const result = await simulate({
      moves: [{ fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }],
    });
    expect(result.errors).toBeUndefined();
    const r = result.data!.simulate;
    const inRange = eventsA.filter((e) => e.occurredAt < FILTER.to);
    const gpt = inRange.filter((e) => e.model === 'gpt-5.5');
    const images = gpt.filter((e) => e.inputModalities.includes('image'));
    const tooLong = gpt.filter(
      (e) => !e.inputModalities.includes('image') && e.usage.inputTokens > 1_000_000,
    );
    expect(images.length).toBeGreaterThan(0);
    expect(tooLong.length).toBeGreaterThan(0);
    const stay = (reason: string) => r.stayed.find((s) => s.reason === reason);
    expect(stay('MODALITY')?.requests).toBe(images.length);
    expect(stay('CONTEXT_WINDOW')?.requests).toBe(tooLong.length);
    expect(r.movedRequests).toBe(gpt.length - images.length - tooLong.length);
    expect(r.requests).toBe(inRange.length);
    expect(Number(r.savingsUsd)).toBeGreaterThan(0);
    const q = r.quality.find((x) => x.note.includes('swe-bench-pro'))!;
    expect(q.delta).toBeCloseTo(-3.2, 6);
    const reference = await bruteForce(a.org.id, {
      fromModel: 'gpt-5.5',
      toProvider: 'deepseek',
      toModel: 'deepseek-v4-pro',
    });
    expect(new Decimal(r.projectedUsd).minus(reference.projected).abs().toNumber()).toBeLessThan(1e-9);
    expect(new Decimal(r.baselineUsd).minus(reference.baseline).abs().toNumber()).toBeLessThan(1e-9);
  });

  it('equals re-pricing every raw event, to 1e-9 USD, for 20 generated scenarios', async () => {
    const random = seededRandom(77);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const targets = [
      ['deepseek', 'deepseek-v4-pro'],
      ['deepseek', 'deepseek-v4-flash'],
      ['openai', 'gpt-5.5'],
      ['fireworks', 'deepseek-v4-pro'],
    ] as const;
    for (let i = 0; i < 20; i++) {
      const [toProvider, toModel] = pick(targets);
      const move: Record<string, unknown> = {
        fromModel: pick(['gpt-5.5', 'deepseek-v4-pro', 'deepseek-v4-flash']),
        toProvider,
        toModel,
        ...(random() < 0.3 ? { maxPromptTokens: pick([8000, 128000]) } : {}),
        ...(random() < 0.3 ? { serviceTier: pick(['BATCH', 'STANDARD']) } : {}),
        ...(random() < 0.5 ? { outputEfficiency: { mode: 'FIXED', value: pick([1, 2]) } } : {}),
        ...(random() < 0.4 ? { cache: { mode: 'NONE' } } : {}),
      };
      const result = await simulate({ moves: [move] });
      expect(result.errors, JSON.stringify(move)).toBeUndefined();
      const reference = await bruteForce(a.org.id, move);
      expect(
        new Decimal(result.data!.simulate.projectedUsd).minus(reference.projected).abs().toNumber(),
        JSON.stringify(move),
      ).toBeLessThan(1e-9);
    }
  });

  it('rebuilding the traffic mix from the events gives the same answer', async () => {
    const before = (
      await simulate({
        moves: [{ fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-flash' }],
      })
    ).data!.simulate;
    const progress: number[] = [];
    await opened.store.simulationRunner().rebuild((p) => progress.push(p.done));
    expect(progress.length).toBeGreaterThan(0);
    const after = (
      await simulate({
        moves: [{ fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-flash' }],
      })
    ).data!.simulate;
    expect(after.projectedUsd).toBe(before.projectedUsd);
    expect(after.baselineUsd).toBe(before.baselineUsd);
  });

  it('keeps the mix equal to the events when their cost changes (re-pricing updates them)', async () => {
    const d = await createTenant(prisma, 'sim-d');
    await write(d.org.id, d.project.id, traffic(200, 23));
    const sums = async () => {
      const { rows } = await pool.query<{
        mix: string;
        events: string;
        mix_priced: string;
        events_priced: string;
      }>(
        `SELECT (SELECT sum(cost_usd)::text FROM daily_traffic_mix WHERE organization_id = $1) AS mix,
                (SELECT coalesce(sum(cost_usd), 0)::text FROM usage_events WHERE organization_id = $1 AND pricing_status = 'priced') AS events,
                (SELECT sum(priced_requests)::text FROM daily_traffic_mix WHERE organization_id = $1) AS mix_priced,
                (SELECT count(*)::text FROM usage_events WHERE organization_id = $1 AND pricing_status = 'priced') AS events_priced`,
        [d.org.id],
      );
      return rows[0]!;
    };
    const before = await sums();
    expect(before.mix).toBe(before.events);
    // What a reprice run does to events: new costs, and a status that may change.
    await pool.query(
      `UPDATE usage_events SET cost_usd = cost_usd * 3 + 0.001 WHERE organization_id = $1 AND pricing_status = 'priced'`,
      [d.org.id],
    );
    await pool.query(
      `UPDATE usage_events SET pricing_status = 'unpriced_model', cost_usd = NULL
       WHERE organization_id = $1 AND id IN (SELECT id FROM usage_events WHERE organization_id = $1 AND pricing_status = 'priced' LIMIT 10)`,
      [d.org.id],
    );
    const after = await sums();
    expect(new Decimal(after.mix).eq(after.events)).toBe(true);
    expect(after.mix_priced).toBe(after.events_priced);
    expect(Number(after.events_priced)).toBe(Number(before.events_priced) - 10);
  });

  it('calibrates token efficiency from traffic where both models served the feature (1.3× output)', async () => {
    const c = await createTenant(prisma, 'sim-c');
    const random = seededRandom(5);
    const events: UsageEvent[] = [];
    for (let day = 0; day < 12; day++)
      for (const [provider, model, factor] of [
        ['openai', 'gpt-5.5', 1],
        ['deepseek', 'deepseek-v4-pro', 1.3],
      ] as const)
        for (let i = 0; i < 40; i++)
          events.push(
            usageEvent(
              {
                occurredAt: new Date(Date.UTC(2026, 5, 1 + day, 12, i)).toISOString(),
                provider,
                model,
                feature: 'support-chat',
              },
              { inputTokens: 2000, outputTokens: Math.round(factor * (300 + random() * 200)) },
            ),
          );
    await write(c.org.id, c.project.id, events);
    const owner = await createUser(prisma, c.org.id, 'owner');
    const token = await loginAs(app, owner.email, owner.password);
    const result = await gql<{ simulate: Result }>(
      app,
      SIMULATE,
      {
        s: {
          filter: { from: '2026-06-01T00:00:00Z', to: '2026-06-13T00:00:00Z' },
          moves: [
            {
              fromModel: 'gpt-5.5',
              toProvider: 'deepseek',
              toModel: 'deepseek-v4-pro',
              outputEfficiency: { mode: 'CALIBRATED' },
            },
          ],
        },
      },
      token,
    );
    expect(result.errors).toBeUndefined();
    const eff = result.data!.simulate.moves[0]!.outputEfficiency;
    expect(eff.mode).toBe('CALIBRATED');
    expect(eff.ratio).toBeGreaterThan(1.2);
    expect(eff.ratio).toBeLessThan(1.4);
    expect(eff.low).toBeLessThanOrEqual(1.3);
    expect(eff.high).toBeGreaterThanOrEqual(1.3);
  });

  it('keeps tenants apart on every new query and mutation', async () => {
    const own = (
      await simulate(
        { moves: [{ fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }] },
        tokenB,
      )
    ).data!.simulate;
    expect(own.requests).toBe(300);
    const saved = await gql<{ saveScenario: { id: string } }>(
      app,
      `mutation($s: ScenarioInput!) { saveScenario(name: "a's", scenario: $s) { id } }`,
      {
        s: {
          filter: FILTER,
          moves: [{ fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }],
        },
      },
      tokenA,
    );
    const id = saved.data!.saveScenario.id;
    const listB = await gql<{ scenarios: { id: string }[] }>(app, '{ scenarios { id } }', {}, tokenB);
    expect(listB.data!.scenarios.map((s) => s.id)).not.toContain(id);
    const overwriteB = await gql(
      app,
      `mutation($id: ID!, $s: ScenarioInput!) { saveScenario(id: $id, name: "b's now", scenario: $s) { id } }`,
      { id, s: { filter: FILTER, moves: [{ toProvider: 'deepseek', toModel: 'deepseek-v4-flash' }] } },
      tokenB,
    );
    expect(codeOf(overwriteB)).toBe('NOT_FOUND');
    const delB = await gql<{ deleteScenario: boolean }>(
      app,
      'mutation($id: ID!) { deleteScenario(id: $id) }',
      { id },
      tokenB,
    );
    expect(delB.data!.deleteScenario).toBe(false);
    const runB = await gql(
      app,
      'mutation($id: ID!) { startSimulationRun(scenarioId: $id) { id } }',
      { id },
      tokenB,
    );
    expect(codeOf(runB)).toBe('NOT_FOUND');
    const run = await gql<{ startSimulationRun: { id: string } }>(
      app,
      'mutation($id: ID!) { startSimulationRun(scenarioId: $id) { id status } }',
      { id },
      tokenA,
    );
    const runId = run.data!.startSimulationRun.id;
    const readB = await gql<{ simulationRun: unknown }>(
      app,
      'query($id: ID!) { simulationRun(id: $id) { id } }',
      { id: runId },
      tokenB,
    );
    expect(readB.data!.simulationRun).toBeNull();
    const recB = await gql<{ recommendations: { feature: string; baselineUsd: string }[] }>(
      app,
      'query($f: SpendFilter!) { recommendations(filter: $f, tolerance: 5) { feature sourceModel baselineUsd } }',
      { f: FILTER },
      tokenB,
    );
    const totalB = recB.data!.recommendations.reduce((s, r) => s.plus(r.baselineUsd), new Decimal(0));
    expect(totalB.toFixed(6)).toBe(new Decimal(own.baselineUsd).toFixed(6));
    const noAuth = await gql(app, SIMULATE, { s: { filter: FILTER, moves: [] } });
    expect(codeOf(noAuth)).toBe('UNAUTHENTICATED');
  });

  it("narrows a project key to its own project's traffic, and keeps it out of organization-wide scenarios", async () => {
    const second = await prisma.project.create({
      data: { organizationId: a.org.id, slug: 'sim-second', name: 'Second' },
    });
    await write(a.org.id, second.id, traffic(40, 24));
    const { secret } = await createKey(prisma, a.org.id, second.id, ['read']);
    const own = await simulate(
      { moves: [{ fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }] },
      secret,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data!.simulate.requests).toBe(traffic(40, 24).filter((e) => e.occurredAt < FILTER.to).length);
    const other = await simulate(
      {
        filter: { ...FILTER, projects: [a.project.slug] },
        moves: [{ toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }],
      },
      secret,
    );
    expect(codeOf(other)).toBe('NOT_FOUND');
    const list = await gql(app, '{ scenarios { id } }', {}, secret);
    expect(codeOf(list)).toBe('FORBIDDEN');
  });

  it('runs a saved scenario in the background and stores the result, readable by id', async () => {
    const saved = await gql<{ saveScenario: { id: string } }>(
      app,
      `mutation($s: ScenarioInput!) { saveScenario(name: "month", scenario: $s) { id } }`,
      {
        s: {
          filter: FILTER,
          moves: [{ fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }],
        },
      },
      tokenA,
    );
    const run = await gql<{ startSimulationRun: { id: string; status: string } }>(
      app,
      'mutation($id: ID!) { startSimulationRun(scenarioId: $id) { id status } }',
      { id: saved.data!.saveScenario.id },
      tokenA,
    );
    expect(run.errors).toBeUndefined();
    const id = run.data!.startSimulationRun.id;
    let status = 'queued';
    let read: GraphQLResult<{
      simulationRun: { status: string; baselineUsd: string; result: { projectedUsd: string } | null };
    }> = {};
    for (let i = 0; i < 100 && status !== 'succeeded' && status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 200));
      read = await gql(
        app,
        'query($id: ID!) { simulationRun(id: $id) { status baselineUsd error result { projectedUsd } } }',
        { id },
        tokenA,
      );
      status = read.data!.simulationRun.status;
    }
    expect(status).toBe('succeeded');
    const now = (
      await simulate({
        moves: [{ fromModel: 'gpt-5.5', toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }],
      })
    ).data!.simulate;
    expect(read.data!.simulationRun.result!.projectedUsd).toBe(now.projectedUsd);
  });

  it('refuses bad scenarios with VALIDATION_FAILED naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { moves: [{ fromModel: 'gpt-5.5', toProvider: 'nobody', toModel: 'no-such-model' }] },
        'scenario.moves[0].target',
      ],
      [
        {
          filter: { from: '2026-08-05T00:00:00Z', to: '2026-08-05T00:00:00Z' },
          moves: [{ toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }],
        },
        'scenario.filter.to',
      ],
      [
        {
          filter: { from: '2026-08-10T00:00:00Z', to: '2026-08-01T00:00:00Z' },
          moves: [{ toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }],
        },
        'scenario.filter.from',
      ],
      [
        { moves: [{ toProvider: 'deepseek', toModel: 'deepseek-v4-pro', share: 1.5 }] },
        'scenario.moves[0].share',
      ],
      [
        {
          filter: { ...FILTER, customers: ['acme'] },
          moves: [{ toProvider: 'deepseek', toModel: 'deepseek-v4-pro' }],
        },
        'scenario.filter.customers',
      ],
    ];
    for (const [scenario, field] of cases) {
      const r = await simulate(scenario);
      expect(codeOf(r), field).toBe('VALIDATION_FAILED');
      expect(r.errors![0]!.message).toContain(field);
    }
    const rec = await gql(
      app,
      'query($f: SpendFilter!) { recommendations(filter: $f, tolerance: -1) { feature } }',
      { f: FILTER },
      tokenA,
    );
    expect(codeOf(rec)).toBe('VALIDATION_FAILED');
    expect(rec.errors![0]!.message).toContain('tolerance');
  });
});
