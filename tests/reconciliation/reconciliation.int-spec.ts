import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createPgPool,
  UsageEventWriter,
  type PgPool,
  type PricedEvent,
  type PrismaClient,
} from '@tokenledger/db';
import { JOB_NAMES, QUEUES } from '@tokenledger/contracts';
import { Queue } from 'bullmq';
import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { runCli } from '../support/cli';
import { pricedAt } from '../support/events';
import { codeOf, createUser, gql, loginAs, type GraphQLResult } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';
import { startStandIn, type StandIn } from './provider-stand-in';
import {
  anthropicBuckets,
  dayString,
  DELIBERATE,
  EXTERNAL,
  MONTH,
  openAiBuckets,
  providerCost,
  seededCells,
  weReceived,
  type Cell,
} from './seeded-traffic';

const ADMIN_KEY = {
  openai: `sk-admin-${randomBytes(12).toString('hex')}`,
  anthropic: `sk-ant-admin01-${randomBytes(12).toString('hex')}`,
};
const SECRET_KEY = randomBytes(32).toString('base64');

const LINE_FIELDS = `day model project external differenceUsd providerCostUsd ourCostUsd unexplainedUsd
  explanations { kind amountUsd detail } providerTokens { inputTokens outputTokens cacheReadTokens } ourTokens { inputTokens }`;
const RECONCILIATION = `query($m: String!, $p: ReconcileProvider!) { reconciliation(month: $m, provider: $p) {
  provider month usageDays costDays coverage lines { ${LINE_FIELDS} }
  totals { providerTokens ourTokens coveragePercent providerCostUsd ourCostUsd differenceUsd unexplainedUsd byExplanation { kind amountUsd lines } } } }`;

interface Line {
  day: string;
  model: string;
  project: string | null;
  external: string | null;
  differenceUsd: string | null;
  providerCostUsd: string | null;
  ourCostUsd: string;
  unexplainedUsd: string | null;
  explanations: { kind: string; amountUsd: string | null; detail: string }[];
}
type Rec = {
  reconciliation: {
    usageDays: string[];
    costDays: string[];
    coverage: string;
    lines: Line[];
    totals: {
      providerTokens: number;
      ourTokens: number;
      coveragePercent: string;
      differenceUsd: string;
      unexplainedUsd: string;
      providerCostUsd: string;
    };
  };
};

describe('reconciliation with the providers’ usage and cost reports', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let app: NestFastifyApplication;
  let worker: INestApplicationContext;
  let queuePrefix: string;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let b: Awaited<ReturnType<typeof createTenant>>;
  let batchSlug: string;
  let ownerA: string;
  let viewerA: string;
  let ownerB: string;
  let viewerB: string;
  let projectKeyA: string;
  let openai: StandIn;
  let anthropic: StandIn;
  const cells: Cell[] = seededCells();
  const slug = (c: Cell) => (c.project === 'web' ? a.project.slug : batchSlug);
  /** Everything the API answered, and everything written to stdout/stderr: scanned for the keys. */
  const answers: string[] = [];
  const output: string[] = [];
  const restore: (() => void)[] = [];
  let dir: string;

  async function call<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown>,
    token: string,
  ): Promise<GraphQLResult<T>> {
    const r = await gql<T>(app, query, variables, token);
    answers.push(JSON.stringify(r));
    return r;
  }

  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        output.push(String(chunk));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      restore.push(() => (stream.write = write));
    }
    dir = mkdtempSync(join(tmpdir(), 'tl-recon-'));
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 4);
    a = await createTenant(prisma, 'recon-a');
    b = await createTenant(prisma, 'recon-b');
    batchSlug = `batch-${randomBytes(3).toString('hex')}`;
    const batch = await prisma.project.create({
      data: { organizationId: a.org.id, slug: batchSlug, name: 'Batch' },
    });
    const writer = new UsageEventWriter(pool);
    for (const project of ['web', 'batch'] as const) {
      const events = cells.filter((c) => c.project === project && weReceived(c)).flatMap((c) => c.events);
      await writer.write({
        organizationId: a.org.id,
        projectId: project === 'web' ? a.project.id : batch.id,
        source: 'api',
        receivedAt: new Date(),
        events: events.map((e): PricedEvent => ({ event: e.event, pricing: pricedAt(e.cost.toFixed()) })),
      });
    }
    // Organization B has a little traffic of its own, on a day A's reports also cover.
    await writer.write({
      organizationId: b.org.id,
      projectId: b.project.id,
      source: 'api',
      receivedAt: new Date(),
      events: cells[0]!.events.map((e): PricedEvent => ({
        event: e.event,
        pricing: pricedAt(e.cost.toFixed()),
      })),
    });

    openai = await startStandIn('openai', ADMIN_KEY.openai, openAiBuckets(cells), {
      faults: [
        { report: 'usage', page: 2, status: 429, retryAfterSeconds: 1 },
        { report: 'costs', page: 1, status: 500 },
      ],
    });
    anthropic = await startStandIn('anthropic', ADMIN_KEY.anthropic, anthropicBuckets(cells), {
      faults: [
        { report: 'costs', page: 3, status: 429, retryAfterSeconds: 0 },
        { report: 'usage', page: 4, status: 500 },
      ],
    });
    const env = { TOKENLEDGER_SECRET_KEY: SECRET_KEY, RECONCILE_SCHEDULE: 'none' };
    ({ app, queuePrefix } = await startApi({ ...env, LOG_LEVEL: 'debug' }));
    worker = await startWorker({
      ...env,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'debug',
      REPORT_SCHEDULE_FORMATS: 'none',
    });
    const o = await createUser(prisma, a.org.id, 'owner');
    ownerA = await loginAs(app, o.email, o.password);
    const v = await createUser(prisma, a.org.id, 'viewer');
    viewerA = await loginAs(app, v.email, v.password);
    const ob = await createUser(prisma, b.org.id, 'owner');
    ownerB = await loginAs(app, ob.email, ob.password);
    const vb = await createUser(prisma, b.org.id, 'viewer');
    viewerB = await loginAs(app, vb.email, vb.password);
    projectKeyA = (await createKey(prisma, a.org.id, a.project.id, ['read', 'admin'])).secret;
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await app?.close();
    await openai?.close();
    await anthropic?.close();
    await pool?.end();
    await prisma?.$disconnect();
    for (const r of restore) r();
    rmSync(dir, { recursive: true, force: true });
  });

  async function waitForImport(
    token: string,
    provider: string,
    after: Date,
  ): Promise<{ lastImportStatus: string; lastImportError: string | null }> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await call<{
        providerConnections: {
          provider: string;
          lastImportAt: string | null;
          lastImportStatus: string;
          lastImportError: string | null;
        }[];
      }>(
        '{ providerConnections { provider baseUrl lastImportAt lastImportStatus lastImportError } }',
        {},
        token,
      );
      const c = r.data?.providerConnections.find((x) => x.provider === provider.toUpperCase());
      if (c?.lastImportAt && new Date(c.lastImportAt) >= after && c.lastImportStatus) return c;
      if (Date.now() > deadline) throw new Error(`no import of ${provider}: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  const cellOf = (provider: 'openai' | 'anthropic', which: 'missing' | 'price') => {
    const d = DELIBERATE[provider][which];
    return cells.find(
      (c) => c.provider === provider && c.day === d.day && c.model === d.model && c.project === d.project,
    )!;
  };

  function expectExactlyTheDeliberateDifferences(
    provider: 'openai' | 'anthropic',
    rec: Rec['reconciliation'],
  ) {
    const missing = cellOf(provider, 'missing');
    const priced = cellOf(provider, 'price');
    const explained = rec.lines
      .filter((l) => l.explanations.length > 0)
      .map((l) => ({
        day: l.day,
        project: l.project,
        model: l.model,
        explanations: l.explanations.map((e) => [e.kind.toLowerCase(), e.amountUsd]),
      }));
    const expected = [
      {
        day: dayString(missing.day),
        project: slug(missing),
        model: missing.model,
        explanations: [['not_received', providerCost(missing).toFixed()]],
      },
      {
        day: dayString(priced.day),
        project: slug(priced),
        model: priced.model,
        explanations: [['price_difference', providerCost(priced).minus(priced.cost).toFixed()]],
      },
      {
        day: dayString(DELIBERATE[provider].credit.day),
        project: a.project.slug,
        model: '(credit)',
        explanations: [['credit', new Decimal(DELIBERATE[provider].credit.usd).toFixed()]],
      },
    ].sort((x, y) => x.day.localeCompare(y.day));
    expect(explained).toEqual(expected);
    const difference = providerCost(missing)
      .plus(providerCost(priced).minus(priced.cost))
      .plus(DELIBERATE[provider].credit.usd);
    expect(new Decimal(rec.totals.differenceUsd).toFixed()).toBe(difference.toFixed());
    expect(new Decimal(rec.totals.unexplainedUsd).toFixed()).toBe('0');
    for (const l of rec.lines.filter((x) => x.explanations.length === 0))
      expect(new Decimal(l.differenceUsd!).isZero()).toBe(true);
    // Every day is covered, empty buckets included; every cell of both sides has a line.
    expect(rec.usageDays).toHaveLength(31);
    expect(rec.costDays).toHaveLength(31);
    const providerCells = cells.filter((c) => c.provider === provider);
    expect(rec.lines).toHaveLength(providerCells.length + 1);
    const seen = providerCells.filter(weReceived).reduce((s, c) => s + c.input + c.output, 0);
    const all = providerCells.reduce((s, c) => s + c.input + c.output, 0);
    expect(rec.totals.providerTokens).toBe(all);
    expect(rec.totals.ourTokens).toBe(seen);
    expect(new Decimal(rec.totals.coveragePercent).toFixed(6)).toBe(
      new Decimal(seen).div(all).times(100).toFixed(6),
    );
  }

  it('imports OpenAI through its API on demand (pages, 429 Retry-After, a 500) and finds exactly the deliberate differences', async () => {
    let r = await call(
      'mutation($u: String) { setProviderConnection(provider: OPENAI, adminKey: "' +
        ADMIN_KEY.openai +
        '", baseUrl: $u) { provider baseUrl } }',
      { u: openai.url },
      ownerA,
    );
    expect(r.errors).toBeUndefined();
    for (const [kind, externalId, project] of [
      ['PROJECT', EXTERNAL.openai.web, a.project.slug],
      ['PROJECT', EXTERNAL.openai.batch, batchSlug],
    ] as const) {
      r = await call(
        'mutation($k: ProviderMappingKind!, $e: String!, $p: String!) { setProviderMapping(provider: OPENAI, kind: $k, externalId: $e, project: $p) { kind externalId project } }',
        { k: kind, e: externalId, p: project },
        ownerA,
      );
      expect(r.errors).toBeUndefined();
    }
    const before = new Date(Date.now() - 1000);
    r = await call(
      'mutation { requestReconciliationImport(provider: OPENAI, month: "2026-10") }',
      {},
      ownerA,
    );
    expect(r.data).toEqual({ requestReconciliationImport: true });
    expect(await waitForImport(ownerA, 'openai', before)).toMatchObject({
      lastImportStatus: 'ok',
      lastImportError: null,
    });
    // 31 daily buckets, 7 a page: 5 pages of each report, one 429 and one 500 retried.
    expect(openai.requests.filter((q) => q.report === 'usage').map((q) => `${q.page}:${q.status}`)).toEqual([
      '1:200',
      '2:429',
      '2:200',
      '3:200',
      '4:200',
      '5:200',
    ]);
    expect(openai.requests.filter((q) => q.report === 'costs').map((q) => `${q.page}:${q.status}`)).toEqual([
      '1:500',
      '1:200',
      '2:200',
      '3:200',
      '4:200',
      '5:200',
    ]);

    const rec = await call<Rec>(RECONCILIATION, { m: MONTH, p: 'OPENAI' }, viewerA);
    expect(rec.errors).toBeUndefined();
    expectExactlyTheDeliberateDifferences('openai', rec.data!.reconciliation);
    expect(rec.data!.reconciliation.coverage).toMatch(
      /^Tokenledger saw 9\d\.\d% of your OpenAI tokens in 2026-10\.$/,
    );

    // Importing again replaces the same days: nothing is counted twice.
    const rows = async () =>
      (
        await pool.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM provider_usage_buckets WHERE organization_id = $1',
          [a.org.id],
        )
      ).rows[0]!.n;
    const count = await rows();
    const again = new Date(Date.now() - 1000);
    await call('mutation { requestReconciliationImport(provider: OPENAI, month: "2026-10") }', {}, ownerA);
    await waitForImport(ownerA, 'openai', again);
    expect(await rows()).toBe(count);
    const rec2 = await call<Rec>(RECONCILIATION, { m: MONTH, p: 'OPENAI' }, viewerA);
    expect(rec2.data!.reconciliation.totals).toEqual(rec.data!.reconciliation.totals);

    const coverage = await call<{ reconciliationCoverage: { provider: string; sentence: string }[] }>(
      '{ reconciliationCoverage(month: "2026-10") { provider coveragePercent sentence } }',
      {},
      viewerA,
    );
    expect(coverage.data!.reconciliationCoverage.map((c) => c.provider)).toContain('OPENAI');
  }, 90_000);

  it('imports Anthropic through its API from the CLI (cents, workspaces, the default workspace) and prints the table and JSON', async () => {
    const r = await call(
      `mutation($u: String) { setProviderConnection(provider: ANTHROPIC, adminKey: "${ADMIN_KEY.anthropic}", baseUrl: $u) { provider } }`,
      { u: anthropic.url },
      ownerA,
    );
    expect(r.errors).toBeUndefined();
    await call(
      'mutation($p: String!) { setProviderMapping(provider: ANTHROPIC, kind: WORKSPACE, externalId: "wrkspc_web", project: $p) { project } }',
      { p: a.project.slug },
      ownerA,
    );
    await call(
      'mutation($p: String!) { setProviderMapping(provider: ANTHROPIC, kind: WORKSPACE, externalId: "default", project: $p) { project } }',
      { p: batchSlug },
      ownerA,
    );
    const env = {
      DATABASE_URL: inject('databaseUrl'),
      TOKENLEDGER_SECRET_KEY: SECRET_KEY,
      LOG_LEVEL: 'debug',
    };
    const json = await runCli(
      ['reconcile', '--month', MONTH, '--provider', 'anthropic', '--org', a.org.slug, '--import', '--json'],
      env,
    );
    output.push(json.stdout, json.stderr);
    expect(json.code, json.stderr).toBe(0);
    const parsed = JSON.parse(json.stdout) as Rec['reconciliation'] & { imported: { usageRows: number } };
    expect(parsed.imported.usageRows).toBe(cells.filter((c) => c.provider === 'anthropic').length);
    expectExactlyTheDeliberateDifferences('anthropic', parsed);
    expect(
      anthropic.requests
        .filter((q) => q.status !== 200)
        .map((q) => `${q.report}:${q.page}:${q.status}`)
        .sort(),
    ).toEqual(['costs:3:429', 'usage:4:500']);

    const table = await runCli(
      ['reconcile', '--month', MONTH, '--provider', 'anthropic', '--org', a.org.slug],
      env,
    );
    output.push(table.stdout, table.stderr);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('Tokenledger saw');
    expect(table.stdout).toMatch(/2026-10-09 .*claude-sonnet-4-5 .*not_received/);
    expect(table.stdout).toMatch(/2026-10-22 .*\(credit\) .*credit -15\.00/);
    expect(table.stdout).toMatch(/price_difference\s+\$\s+-\d+\.\d\d on 1 lines/);
  }, 90_000);

  it('puts each provider’s reconciliation in the monthly report summary, without any key', async () => {
    const reportsDir = join(dir, 'reports');
    const out = join(dir, 'report.csv');
    const env = {
      DATABASE_URL: inject('databaseUrl'),
      TOKENLEDGER_SECRET_KEY: SECRET_KEY,
      REPORTS_DIR: reportsDir,
    };
    const made = await runCli(
      ['report', '--month', MONTH, '--format', 'csv', '--out', out, '--org', a.org.slug],
      env,
    );
    output.push(made.stdout, made.stderr);
    expect(made.code, made.stderr).toBe(0);
    const summary = readFileSync(join(dir, 'report-summary.csv'), 'utf8');
    for (const provider of ['openai', 'anthropic'] as const) {
      const label = provider === 'openai' ? 'OpenAI' : 'Anthropic';
      const missing = cellOf(provider, 'missing');
      const priced = cellOf(provider, 'price');
      const difference = providerCost(missing)
        .plus(providerCost(priced).minus(priced.cost))
        .plus(DELIBERATE[provider].credit.usd);
      expect(summary).toContain(`reconciliation,${label},${difference.toFixed()},`);
      expect(summary).toContain(
        `reconciliation,${label} / credit,${new Decimal(DELIBERATE[provider].credit.usd).toFixed()},1`,
      );
      expect(summary).toMatch(new RegExp(`Tokenledger saw \\d+\\.\\d% of your ${label} tokens in 2026-10`));
    }
    for (const key of Object.values(ADMIN_KEY))
      expect(summary.includes(key) || readFileSync(out, 'utf8').includes(key)).toBe(false);
    // The workbook's summary sheet and the PDF carry the same section.
    const xlsx = join(dir, 'report.xlsx');
    const madeXlsx = await runCli(
      ['report', '--month', MONTH, '--format', 'xlsx', '--out', xlsx, '--org', a.org.slug],
      env,
    );
    expect(madeXlsx.code, madeXlsx.stderr).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    const texts: string[] = [];
    book.getWorksheet('Summary')!.eachRow((row) => row.eachCell((c) => void texts.push(String(c.value))));
    expect(texts).toContain("Reconciliation with the providers' reports (UTC days)");
    expect(texts).toContain('OpenAI: difference');
    const pdf = await runCli(
      ['report', '--month', MONTH, '--format', 'pdf', '--out', join(dir, 'report.pdf'), '--org', a.org.slug],
      env,
    );
    expect(pdf.code, pdf.stderr).toBe(0);
  }, 60_000);

  it('imports a file of pages for an organization without an admin key, and names the line and field of a bad one', async () => {
    const pages = openAiBuckets(cells);
    const file = [
      { object: 'page', data: pages.usage.slice(0, 16), has_more: true, next_page: 'p2' },
      { object: 'page', data: pages.usage.slice(16), has_more: false, next_page: null },
      { object: 'page', data: pages.costs, has_more: false, next_page: null },
    ]
      .map((p) => JSON.stringify(p))
      .join('\n');
    const r = await call<{ importReconciliationFile: { usageDays: number; costDays: number } }>(
      'mutation($c: String!) { importReconciliationFile(provider: OPENAI, content: $c) { usageDays costDays usageRows costRows } }',
      { c: file },
      ownerB,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.importReconciliationFile).toMatchObject({ usageDays: 31, costDays: 31 });
    // B mapped nothing: every provider line is unmapped; B's own day is "not reported".
    const rec = await call<Rec>(RECONCILIATION, { m: MONTH, p: 'OPENAI' }, viewerB);
    const kinds = new Set(
      rec.data!.reconciliation.lines.flatMap((l) => l.explanations.map((e) => e.kind.toLowerCase())),
    );
    expect([...kinds].sort()).toEqual(['credit', 'not_reported', 'unmapped']);
    expect(
      rec.data!.reconciliation.lines.some((l) => l.project === a.project.slug || l.project === batchSlug),
    ).toBe(false);

    const bad = file.split('\n');
    bad[1] = bad[1]!.replace(/"output_tokens":\d+/, '"output_tokens":"lots"');
    const refused = await call(
      'mutation($c: String!) { importReconciliationFile(provider: OPENAI, content: $c) { usageDays } }',
      { c: bad.join('\n') },
      ownerB,
    );
    expect(codeOf(refused)).toBe('VALIDATION_FAILED');
    expect(refused.errors![0]!.message).toMatch(/^file: line 2: data\[0\]\.results\[0\]\.output_tokens: /);

    const path = join(dir, 'bad.jsonl');
    writeFileSync(path, bad.join('\n'));
    const cli = await runCli(
      ['reconcile', '--month', MONTH, '--provider', 'openai', '--org', b.org.slug, '--file', path],
      {
        DATABASE_URL: inject('databaseUrl'),
        TOKENLEDGER_SECRET_KEY: SECRET_KEY,
      },
    );
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`--file ${path}: line 2: data[0].results[0].output_tokens:`);
  });

  it('keeps tenants apart and lets only admins change connections and mappings', async () => {
    const conns = await call<{ providerConnections: unknown[] }>(
      '{ providerConnections { provider } }',
      {},
      viewerB,
    );
    expect(conns.data!.providerConnections).toEqual([]);
    const foreign = await call(
      'mutation($p: String!) { setProviderMapping(provider: OPENAI, kind: PROJECT, externalId: "proj_web", project: $p) { project } }',
      { p: a.project.slug },
      ownerB,
    );
    expect(codeOf(foreign)).toBe('VALIDATION_FAILED');
    const viewerWrite = await call('mutation { removeProviderConnection(provider: OPENAI) }', {}, viewerA);
    expect(codeOf(viewerWrite)).toBe('FORBIDDEN');
    const projectKey = await call<Rec>(RECONCILIATION, { m: MONTH, p: 'OPENAI' }, projectKeyA);
    expect(codeOf(projectKey)).toBe('FORBIDDEN');
    const badUrl = await call(
      `mutation { setProviderConnection(provider: OPENAI, adminKey: "sk-admin-xxxxxxxx", baseUrl: "ftp://x") { provider } }`,
      {},
      ownerB,
    );
    expect(codeOf(badUrl)).toBe('VALIDATION_FAILED');
    expect(badUrl.errors![0]!.message).toMatch(/^baseUrl: /);
    const badMonth = await call(RECONCILIATION, { m: '2026-13', p: 'OPENAI' }, viewerA);
    expect(codeOf(badMonth)).toBe('VALIDATION_FAILED');
    // A's figures are unchanged by B's import.
    const rec = await call<Rec>(RECONCILIATION, { m: MONTH, p: 'OPENAI' }, viewerA);
    expect(rec.data!.reconciliation.lines.some((l) => l.project === null)).toBe(false);
  });

  it('in production, refuses to seal a key without TOKENLEDGER_SECRET_KEY (naming it) and an http base URL; reading needs no key', async () => {
    // Nest's loggers write through the last app's logger: keep this one logging, as the others do.
    const { app: prod } = await startApi({
      NODE_ENV: 'production',
      TOKENLEDGER_SECRET_KEY: '',
      LOG_LEVEL: 'debug',
    });
    try {
      const send = (query: string) => gql(prod, query, {}, ownerB);
      const sealed = await send(
        'mutation { setProviderConnection(provider: ANTHROPIC, adminKey: "sk-ant-admin-prod-1234", baseUrl: "https://api.example") { provider } }',
      );
      expect(codeOf(sealed)).toBe('SERVICE_UNAVAILABLE');
      expect(sealed.errors![0]!.message).toMatch(/TOKENLEDGER_SECRET_KEY is not set/);
      const plain = await send(
        'mutation { setProviderConnection(provider: ANTHROPIC, adminKey: "sk-ant-admin-prod-1234", baseUrl: "http://api.example") { provider } }',
      );
      expect(codeOf(plain)).toBe('VALIDATION_FAILED');
      expect(plain.errors![0]!.message).toMatch(/^baseUrl: must be an https URL/);
      const read = await send(
        '{ reconciliation(month: "2026-10", provider: OPENAI) { totals { providerTokens } } }',
      );
      expect(read.errors).toBeUndefined();
    } finally {
      await prod.close();
    }
  });

  it('imports every connection on the daily tick of the job scheduler (this month and the one before)', async () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      maxRetriesPerRequest: null,
    });
    const queue = new Queue(QUEUES.reconcile, { connection: redis, prefix: queuePrefix });
    try {
      const before = new Date(Date.now() - 1000);
      const served = anthropic.requests.length;
      await queue.add(JOB_NAMES.reconcile, { organizationId: null, provider: null, month: null });
      expect(await waitForImport(ownerA, 'openai', before)).toMatchObject({ lastImportStatus: 'ok' });
      expect(await waitForImport(ownerA, 'anthropic', before)).toMatchObject({ lastImportStatus: 'ok' });
      // Two months of each report from Anthropic's stand-in: October's five pages and November's one.
      expect(anthropic.requests.slice(served).filter((q) => q.report === 'usage').length).toBe(6);
      const rec = await call<Rec>(RECONCILIATION, { m: MONTH, p: 'ANTHROPIC' }, viewerA);
      expectExactlyTheDeliberateDifferences('anthropic', rec.data!.reconciliation);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  }, 60_000);

  it('records a refused key as a failed import without the key, and never shows or stores a key in plaintext', async () => {
    // A wrong key (a reconnect) is refused by the stand-in: the failure is recorded, the key is not.
    const wrong = `sk-admin-wrong-${randomBytes(8).toString('hex')}`;
    await call(
      `mutation($u: String) { setProviderConnection(provider: OPENAI, adminKey: "${wrong}", baseUrl: $u) { provider } }`,
      { u: openai.url },
      ownerA,
    );
    const before = new Date(Date.now() - 1000);
    await call('mutation { requestReconciliationImport(provider: OPENAI, month: "2026-10") }', {}, ownerA);
    const failed = await waitForImport(ownerA, 'openai', before);
    expect(failed.lastImportStatus).toBe('failed');
    expect(failed.lastImportError).toMatch(/refused the admin key \(401\)/);
    // The worker logs the failure once BullMQ has recorded it: wait for that line before scanning.
    for (let i = 0; i < 50 && !output.some((x) => /refused the admin key/.test(x)); i++)
      await new Promise((res) => setTimeout(res, 100));

    const keys = [ADMIN_KEY.openai, ADMIN_KEY.anthropic, wrong];
    // The database: every row of every table, as text.
    const tables = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    for (const { table_name } of tables.rows)
      for (const key of keys) {
        const { rows } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${table_name}" t WHERE t::text LIKE $1`,
          [`%${key}%`],
        );
        expect(rows[0]!.n, `${table_name} holds a key in plaintext`).toBe(0);
      }
    const sealed = await pool.query<{ admin_key_sealed: string }>(
      'SELECT admin_key_sealed FROM provider_connections WHERE organization_id = $1',
      [a.org.id],
    );
    expect(sealed.rows).toHaveLength(2);
    for (const r of sealed.rows) expect(r.admin_key_sealed).toMatch(/^v1\./);
    // GraphQL answers, and the logs of the API, the worker and the CLI.
    // The worker's logs are in what was scanned (its import lines and the refused key's failure).
    expect(output.join('')).toMatch(/openai 2026-10: \d+ usage and \d+ cost rows imported/);
    expect(output.join('')).toMatch(/refused the admin key/);
    for (const key of keys) {
      expect(answers.some((x) => x.includes(key))).toBe(false);
      expect(output.some((x) => x.includes(key))).toBe(false);
    }
  }, 60_000);
});
