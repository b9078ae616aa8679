import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashSecret, type PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';
import { createTenant, testPrisma } from '../support/tenant';

describe('tokenledger CLI', () => {
  let prisma: PrismaClient;
  let tenant: Awaited<ReturnType<typeof createTenant>>;

  beforeAll(async () => {
    prisma = testPrisma();
    tenant = await createTenant(prisma, 'cli');
  });
  afterAll(async () => prisma.$disconnect());

  it('keys create prints the secret once as JSON and stores only its hash', async () => {
    const res = await runCli([
      'keys',
      'create',
      '--project',
      tenant.project.slug,
      '--scopes',
      'ingest,read',
      '--json',
    ]);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({
      organization: tenant.org.slug,
      project: tenant.project.slug,
      scopes: ['ingest', 'read'],
    });
    expect(out.key).toMatch(/^tlk_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
    const stored = await prisma.apiKey.findUniqueOrThrow({ where: { id: out.id } });
    expect(stored.secretHash).toBe(hashSecret(out.key));
    expect(stored.prefix).toBe(out.key.slice(0, 12));
    expect(JSON.stringify(stored)).not.toContain(out.key);
  });

  it('keys create rejects an unknown scope, naming it, with exit 1', async () => {
    const res = await runCli([
      'keys',
      'create',
      '--project',
      tenant.project.slug,
      '--scopes',
      'ingest,write',
      '--json',
    ]);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toEqual({
      error: { code: 'VALIDATION_FAILED', message: 'scopes: "write" is not one of ingest, read, admin' },
    });
  });

  it('keys create on an unknown project says which, with exit 1', async () => {
    const res = await runCli(['keys', 'create', '--project', 'no-such-project', '--json']);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).error).toEqual({
      code: 'NOT_FOUND',
      message: 'project: no project "no-such-project"',
    });
  });

  it('keys list shows prefixes and never secrets', async () => {
    const res = await runCli(['keys', 'list', '--org', tenant.org.slug, '--json']);
    expect(res.code).toBe(0);
    const { keys } = JSON.parse(res.stdout);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys[0]).not.toHaveProperty('secretHash');
  });

  it('seed creates the demo organization once and saves its login privately', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tokenledger-home-'));
    const first = await runCli(['seed', '--json'], { TOKENLEDGER_HOME: home });
    expect(first.code).toBe(0);
    const { demo } = JSON.parse(first.stdout);
    expect(demo).toMatchObject({ created: true, email: 'admin@demo.local' });
    const saved = readFileSync(join(home, 'demo-login.txt'), 'utf8');
    expect(saved).toContain(demo.password);
    expect(saved).toContain(demo.ingestKey);
    expect(statSync(join(home, 'demo-login.txt')).mode & 0o777).toBe(0o600);
    const project = await prisma.project.findFirstOrThrow({
      where: { slug: 'demo', organization: { slug: 'demo' } },
    });
    expect(project.name).toBe('Demo');

    const second = await runCli(['seed', '--json'], { TOKENLEDGER_HOME: home });
    expect(JSON.parse(second.stdout).demo).toEqual({ created: false });
  });

  it('reports an unreachable database in one line, without a stack trace', async () => {
    const res = await runCli(['keys', 'list', '--org', 'x'], {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
    });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(
      'error: PostgreSQL is not reachable at 127.0.0.1:1/none: start it, or set DATABASE_URL',
    );
  });

  it('rejects a bad environment variable by name', async () => {
    const res = await runCli(['keys', 'list', '--json'], { PORT: 'eighty' });
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout).error.message).toContain('PORT');
  });
});
