import type { UsageEvent } from '@tokenledger/contracts';
import { createPgPool, openStore, UsageEventWriter, type PgPool, type PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli } from '../support/cli';
import { usageEvent } from '../support/events';
import { createTenant, testPrisma } from '../support/tenant';

describe('CLI simulate and recommend', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let org: { id: string; slug: string };

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 2);
    const tenant = await createTenant(prisma, 'sim-cli');
    org = tenant.org;
    const opened = openStore(inject('databaseUrl'), { poolSize: 2 });
    try {
      const pricer = await opened.store.pricer().current();
      const events: UsageEvent[] = [];
      for (let day = 1; day <= 10; day++)
        for (let i = 0; i < 20; i++)
          events.push(
            usageEvent(
              {
                occurredAt: new Date(Date.UTC(2026, 5, day, 9, i)).toISOString(),
                feature: i % 4 === 0 ? 'vision' : 'support-chat',
                inputModalities: i % 4 === 0 ? ['text', 'image'] : ['text'],
              },
              { inputTokens: 4000, outputTokens: 500 },
            ),
          );
      await new UsageEventWriter(pool).write({
        organizationId: org.id,
        projectId: tenant.project.id,
        source: 'api',
        receivedAt: new Date(),
        events: events.map((event) => ({ event, pricing: pricer.price(event, org.id) })),
      });
    } finally {
      await opened.close();
    }
  });

  afterAll(async () => {
    await pool.end();
    await prisma.$disconnect();
  });

  it('simulate --move prints one JSON document: savings, what stays by reason, the quality basis', async () => {
    const res = await runCli([
      'simulate',
      '--from',
      '2026-06-01',
      '--to',
      '2026-07-01',
      '--move',
      'gpt-5.5=deepseek/deepseek-v4-pro',
      '--org',
      org.slug,
      '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as {
      result: {
        requests: number;
        movedRequests: number;
        stayed: { reason: string; requests: number }[];
        savingsUsd: string;
        quality: { note: string }[];
      };
    };
    expect(out.result.requests).toBe(200);
    expect(out.result.stayed).toEqual([expect.objectContaining({ reason: 'MODALITY', requests: 50 })]);
    expect(out.result.movedRequests).toBe(150);
    expect(Number(out.result.savingsUsd)).toBeGreaterThan(0);
    expect(out.result.quality[0]!.note).toContain('swe-bench-pro');
    const feature = await runCli([
      'simulate',
      '--from',
      '2026-06-01',
      '--to',
      '2026-07-01',
      '--move',
      'gpt-5.5=deepseek/deepseek-v4-pro',
      '--feature',
      'vision',
      '--org',
      org.slug,
      '--json',
    ]);
    expect((JSON.parse(feature.stdout) as { result: { movedRequests: number } }).result.movedRequests).toBe(
      0,
    );
  });

  it('recommend ranks a cheaper model within the tolerance, and refuses a bad move naming the flag', async () => {
    const res = await runCli([
      'recommend',
      '--from',
      '2026-06-01',
      '--to',
      '2026-07-01',
      '--tolerance',
      '5',
      '--org',
      org.slug,
      '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const recs = (
      JSON.parse(res.stdout) as {
        recommendations: { feature: string; targetModel: string | null; movableShare: number }[];
      }
    ).recommendations;
    const chat = recs.find((r) => r.feature === 'support-chat')!;
    expect(chat.targetModel).toBe('deepseek-v4-pro');
    expect(chat.movableShare).toBe(1);
    const bad = await runCli([
      'simulate',
      '--from',
      '2026-06-01',
      '--to',
      '2026-07-01',
      '--move',
      'gpt-5.5',
      '--org',
      org.slug,
      '--json',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toContain('--move[0]');
  });
});
