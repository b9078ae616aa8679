import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createPgPool, RateTableRepository, UsageEventWriter, type PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApi } from '../support/api';
import { runCli } from '../support/cli';
import { pricedAt, usageEvent } from '../support/events';
import { createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

// Issue 20 item 5: the CLI says what it did, the way GraphQL does.
describe('CLI consistency', () => {
  let prisma: PrismaClient;
  let tenant: Awaited<ReturnType<typeof createTenant>>;

  beforeAll(async () => {
    prisma = testPrisma();
    tenant = await createTenant(prisma, 'cli20');
  });
  afterAll(async () => prisma.$disconnect());

  it('an unknown option is reported as unknown, not as a missing required one', async () => {
    const res = await runCli(['keys', 'create', '--projct', tenant.project.slug]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("unknown option '--projct'");
    expect(res.stderr).toContain('Did you mean --project?');
    expect(res.stderr).not.toContain('not specified');
    // A required option that is really missing is still named.
    const missing = await runCli(['keys', 'create']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("required option '--project <slug>' not specified");
  });

  it.each([
    ['keys', 'create'],
    ['keys', 'list'],
    ['quote'],
    ['reprice'],
    ['projects', 'create'],
    ['catalog', 'list'],
  ])('%s %s --help lists --json', async (...command) => {
    const res = await runCli([...command.filter(Boolean), '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/--json\s+print one JSON document on stdout/);
  });

  it(
    'projects create and list, then a key for the new project; keys list names its project (also in --json)',
    { timeout: 240_000 },
    async () => {
      const created = await runCli([
        'projects',
        'create',
        '--org',
        tenant.org.slug,
        '--slug',
        'support-bot',
        '--name',
        'Support bot',
        '--json',
      ]);
      expect(created.code).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({
        organization: tenant.org.slug,
        slug: 'support-bot',
        name: 'Support bot',
      });
      const again = await runCli([
        'projects',
        'create',
        '--org',
        tenant.org.slug,
        '--slug',
        'support-bot',
        '--json',
      ]);
      expect(again.code).toBe(1);
      expect(JSON.parse(again.stdout).error).toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('support-bot'),
      });
      const bad = await runCli([
        'projects',
        'create',
        '--org',
        tenant.org.slug,
        '--slug',
        'Support Bot',
        '--json',
      ]);
      expect(JSON.parse(bad.stdout).error).toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(/^--slug: /),
      });

      const list = await runCli(['projects', 'list', '--org', tenant.org.slug, '--json']);
      expect(JSON.parse(list.stdout).projects.map((p: { slug: string }) => p.slug)).toEqual(
        [tenant.project.slug, 'support-bot'].sort(),
      );
      const human = await runCli(['projects', 'list', '--org', tenant.org.slug]);
      expect(human.stdout).toMatch(/support-bot\s+Support bot/);

      const key = await runCli([
        'keys',
        'create',
        '--org',
        tenant.org.slug,
        '--project',
        'support-bot',
        '--json',
      ]);
      expect(key.code).toBe(0);
      const keys = await runCli(['keys', 'list', '--org', tenant.org.slug, '--json']);
      const listed = JSON.parse(keys.stdout).keys;
      expect(listed).toContainEqual(
        expect.objectContaining({ prefix: JSON.parse(key.stdout).prefix, project: 'support-bot' }),
      );
      const keysHuman = await runCli(['keys', 'list', '--org', tenant.org.slug]);
      expect(keysHuman.stdout).toContain('support-bot');
    },
  );

  it('reprice shows a progress bar on stderr, and none with --json', async () => {
    const { org, project } = await createTenant(prisma, 'cli20-reprice');
    const pool = createPgPool(inject('databaseUrl'), 2);
    await new UsageEventWriter(pool).write({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt: new Date(),
      events: [
        usageEvent({ occurredAt: '2026-06-01T12:00:00Z' }),
        usageEvent({ occurredAt: '2026-06-02T12:00:00Z' }),
      ].map((event) => ({ event, pricing: pricedAt('999') })),
    });
    await pool.end();
    const res = await runCli(['reprice', '--since', '2026-06-01', '--org', org.slug]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(new RegExp(`re-pricing ${org.slug}\\s+100%\\s+2/2`));
    expect(res.stdout).toContain('2 of 2 events changed');
    const json = await runCli(['reprice', '--since', '2026-06-01', '--org', org.slug, '--json']);
    expect(json.stderr).not.toContain('re-pricing');
    expect(JSON.parse(json.stdout).runs[0]).toMatchObject({
      scope: 'all',
      eventsScanned: 2,
      eventsChanged: 0,
    });
  });

  describe('quote: the CLI and GraphQL price the same event the same way for an organization with overrides', () => {
    let app: NestFastifyApplication;
    let token: string;
    const org = () => tenant.org.slug;
    beforeAll(async () => {
      ({ app } = await startApi());
      const user = await createUser(prisma, tenant.org.id, 'viewer');
      token = await loginAs(app, user.email, user.password);
      await new RateTableRepository(prisma).publishVersion({
        table: { organizationId: tenant.org.id, slug: 'overrides' },
        effectiveFrom: new Date('2026-01-01T00:00:00Z'),
        rates: [
          {
            provider: 'openai',
            model: 'gpt-5.5',
            match: { exact: ['gpt-5.5'] },
            prices: { discountPercent: '20' },
            source: 'contract',
          },
        ],
        source: 'test',
      });
    });
    afterAll(async () => app.close());

    const usage = { inputTokens: 120000, outputTokens: 4000, cacheReadTokens: 100000 };
    const at = '2026-06-01T12:00:00Z';
    const graphqlQuote = async (bearer?: string) =>
      (
        await gql<{
          quote: {
            status: string;
            totalUsd: string;
            flags: string[];
            pricesFrom: string;
            rateVersion: { table: string };
          };
        }>(
          app,
          'query($i: QuoteInput!) { quote(input: $i) { status totalUsd flags pricesFrom rateVersion { table } } }',
          { i: { provider: 'openai', model: 'gpt-5.5', usage, occurredAt: at } },
          bearer,
        )
      ).data!.quote;
    const cliQuote = async (...extra: string[]) => {
      const res = await runCli([
        'quote',
        '--provider',
        'openai',
        '--model',
        'gpt-5.5',
        '--input',
        '120000',
        '--output',
        '4000',
        '--cache-read',
        '100000',
        '--at',
        at,
        ...extra,
        '--json',
      ]);
      expect(res.code).toBe(0);
      return JSON.parse(res.stdout);
    };

    it('with the organization: the same total, version and flags, both saying whose prices', async () => {
      await expect.poll(() => graphqlQuote(token), { timeout: 10_000 }).toMatchObject({ totalUsd: '0.216' });
      const fromGraphql = await graphqlQuote(token);
      const fromCli = await cliQuote('--org', org());
      expect(fromCli).toMatchObject({
        status: fromGraphql.status.toLowerCase(),
        totalUsd: fromGraphql.totalUsd,
        flags: fromGraphql.flags,
        rateVersion: { table: fromGraphql.rateVersion.table },
        pricesFrom: `organization ${org()}`,
      });
      expect(fromGraphql.pricesFrom).toBe(`organization ${org()}`);
    });

    it('without it: both price with the catalog only, and say so', async () => {
      const anonymous = await graphqlQuote();
      const fromCli = await cliQuote();
      expect(anonymous).toMatchObject({ totalUsd: '0.27', pricesFrom: 'catalog' });
      expect(fromCli).toMatchObject({ totalUsd: '0.27', pricesFrom: 'catalog' });
      const human = await runCli([
        'quote',
        '--provider',
        'openai',
        '--model',
        'gpt-5.5',
        '--input',
        '1000',
        '--output',
        '10',
      ]);
      expect(human.stdout).toMatch(/prices\s+the global catalog only: add --org <slug>/);
    });
  });
});
