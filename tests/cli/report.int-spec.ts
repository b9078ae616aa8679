import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgPool, UsageEventWriter, type PgPool, type PrismaClient } from '@tokenledger/db';
import { parse } from 'csv-parse/sync';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli';
import { pricedAt, usageEvent } from '../support/events';
import { createTenant, testPrisma } from '../support/tenant';

describe('tokenledger report', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let dir: string;
  let tenant: Awaited<ReturnType<typeof createTenant>>;

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 2);
    dir = mkdtempSync(join(tmpdir(), 'tl-cli-report-'));
    tenant = await createTenant(prisma, 'cli-report');
    await new UsageEventWriter(pool).write({
      organizationId: tenant.org.id,
      projectId: tenant.project.id,
      source: 'api',
      receivedAt: new Date(),
      events: [
        {
          event: usageEvent({ occurredAt: '2026-10-03T10:00:00Z', customerId: 'acme' }),
          pricing: pricedAt('1.25'),
        },
        {
          event: usageEvent({ occurredAt: '2026-10-20T10:00:00Z', customerId: '@evil' }),
          pricing: pricedAt('0.005'),
        },
      ],
    });
  });

  afterAll(async () => {
    await pool.end();
    await prisma.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the CSV and its summary, prints one JSON document, and records revision 1', async () => {
    const out = join(dir, 'oct.csv');
    const res = await runCli(
      ['report', '--month', '2026-10', '--format', 'csv', '--out', out, '--org', tenant.org.slug, '--json'],
      { REPORTS_DIR: join(dir, 'store') },
    );
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout) as {
      totalUsd: string;
      revision: number;
      summaryFile: string;
      lineItems: number;
    };
    expect(result).toMatchObject({ totalUsd: '1.255', revision: 1, lineItems: 2 });
    const rows = parse(readFileSync(out), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.customer).sort()).toEqual(["'@evil", 'acme']);
    expect(rows.reduce((s, r) => s.plus(r.cost_usd!), new Decimal(0)).toFixed()).toBe('1.255');
    expect(readFileSync(result.summaryFile, 'utf8')).toContain('total,total,1.255');
    const stored = await prisma.report.findMany({ where: { organizationId: tenant.org.id } });
    expect(stored.map((r) => [r.status, r.revision, r.trigger])).toEqual([['ready', 1, 'manual']]);
  });

  it('shows progress on stderr without --json, and refuses a bad format with exit 1', async () => {
    const out = join(dir, 'oct.pdf');
    const res = await runCli(
      ['report', '--month', '2026-10', '--format', 'pdf', '--out', out, '--org', tenant.org.slug],
      {
        REPORTS_DIR: join(dir, 'store'),
      },
    );
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('100%');
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    const bad = await runCli([
      'report',
      '--month',
      '2026-10',
      '--format',
      'docx',
      '--out',
      out,
      '--org',
      tenant.org.slug,
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--format');
  });
});
