import { ApiKeyRepository, type PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { createTenant, testPrisma } from '../support/tenant';

describe('tokenledger budgets', () => {
  let prisma: PrismaClient;
  let tenant: Awaited<ReturnType<typeof createTenant>>;

  beforeAll(async () => {
    prisma = testPrisma();
    tenant = await createTenant(prisma, 'cli-budgets');
  });
  afterAll(async () => prisma.$disconnect());

  it('creates a budget and lists it with its status as JSON', async () => {
    const created = await runCli([
      'budgets',
      'create',
      '--org',
      tenant.org.slug,
      '--name',
      'Team growth',
      '--amount',
      '250',
      '--scope',
      'tag',
      '--key',
      'team',
      '--value',
      'growth',
      '--period',
      'week',
      '--time-zone',
      'Europe/Paris',
      '--hard',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    const budget = JSON.parse(created.stdout);
    expect(budget).toMatchObject({
      kind: 'hard',
      scope: { kind: 'tag', key: 'team', value: 'growth' },
      period: 'week',
    });

    const listed = await runCli(['budgets', 'list', '--org', tenant.org.slug, '--history', '2', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const out = JSON.parse(listed.stdout);
    expect(out.budgets).toHaveLength(1);
    expect(out.budgets[0]).toMatchObject({ id: budget.id, spentUsd: '0', remainingUsd: '250' });
    expect(out.budgets[0].history).toHaveLength(2);
    expect(out.budgets[0].resetsInDays).toBeGreaterThanOrEqual(0);
    expect(out.budgets[0].resetsInDays).toBeLessThanOrEqual(7);
  });

  it('refuses a bad budget naming the field, with a non-zero exit', async () => {
    const res = await runCli([
      'budgets',
      'create',
      '--org',
      tenant.org.slug,
      '--name',
      'x',
      '--amount',
      '-3',
      '--json',
    ]);
    expect(res.code).not.toBe(0);
    expect(res.stdout + res.stderr).toContain('amountUsd');
  });

  it("creates a budget on an API key named by its prefix, and refuses another organization's key", async () => {
    const keys = new ApiKeyRepository(prisma);
    const key = await keys.create({
      organizationId: tenant.org.id,
      projectId: tenant.project.id,
      name: 'batch',
      scopes: ['ingest'],
    });
    const create = (value: string) =>
      runCli([
        'budgets',
        'create',
        '--org',
        tenant.org.slug,
        '--name',
        'Batch key',
        '--amount',
        '40',
        '--scope',
        'api_key',
        '--value',
        value,
        '--json',
      ]);
    const byPrefix = await create(key.key.prefix);
    expect(byPrefix.code, byPrefix.stderr).toBe(0);
    expect(JSON.parse(byPrefix.stdout)).toMatchObject({ scope: { kind: 'api_key', value: key.key.id } });
    const listed = JSON.parse(
      (await runCli(['budgets', 'list', '--org', tenant.org.slug, '--json'])).stdout,
    ) as { budgets: { scope: { value: string | null }; spentUsd: string }[] };
    expect(listed.budgets.find((b) => b.scope.value === key.key.id)).toMatchObject({ spentUsd: '0' });

    const other = await createTenant(prisma, 'cli-budgets-other');
    const foreign = await keys.create({
      organizationId: other.org.id,
      projectId: other.project.id,
      name: 'theirs',
      scopes: ['ingest'],
    });
    for (const value of [foreign.key.id, foreign.key.prefix]) {
      const refused = await create(value);
      expect(refused.code).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain('scope.value: no API key');
    }
    expect(await prisma.budget.count({ where: { scopeValue: foreign.key.id } })).toBe(0);
  });

  it('forecast --month and anomalies --since answer as JSON for the organization', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const f = await runCli(['forecast', '--org', tenant.org.slug, '--month', month, '--json']);
    expect(f.code, f.stderr).toBe(0);
    expect(JSON.parse(f.stdout)).toMatchObject({
      organization: tenant.org.slug,
      month,
      spentUsd: '0',
      expectedUsd: '0',
    });
    const since = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const a = await runCli([
      'anomalies',
      '--org',
      tenant.org.slug,
      '--since',
      since,
      '--by',
      'feature',
      '--json',
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toEqual({ organization: tenant.org.slug, anomalies: [] });
    const bad = await runCli([
      'anomalies',
      '--org',
      tenant.org.slug,
      '--since',
      since,
      '--by',
      'galaxy',
      '--json',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('by:');
  });
});
