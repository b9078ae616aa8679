import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JOB_NAMES, QUEUES, type UsageEvent } from '@tokenledger/contracts';
import {
  createPgPool,
  dayWindows,
  openStore,
  UsageEventWriter,
  type OpenedStore,
  type PgPool,
  type PricedEvent,
  type PrismaClient,
} from '@tokenledger/db';
import {
  FOCUS_COLUMNS,
  monthBounds,
  neutralise,
  SummaryBuilder,
  summaryOf,
  usd,
  type ReportContext,
} from '@tokenledger/reports';
import { Queue } from 'bullmq';
import { parse } from 'csv-parse/sync';
import Decimal from 'decimal.js';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { pricedAt, UNPRICED, usageEvent } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';

const EVIL = '=HYPERLINK("http://evil.example/x","click")';
const MODELS = ['gpt-5.5', 'gpt-5-mini', 'mystery-model'];
const FEATURES = ['support-chat', '+cmd', null];
const CUSTOMERS = ['acme', 'globex', EVIL, null];

/** A deterministic spread of events over `days` days from `start`. */
function generate(count: number, seed: number, start: Date, days: number): UsageEvent[] {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, () =>
    usageEvent(
      {
        occurredAt: new Date(start.getTime() + Math.floor(rand() * days * 86_400_000)).toISOString(),
        model: MODELS[Math.floor(rand() * MODELS.length)]!,
        feature: FEATURES[Math.floor(rand() * FEATURES.length)] ?? undefined,
        customerId: CUSTOMERS[Math.floor(rand() * CUSTOMERS.length)] ?? undefined,
        environment: rand() < 0.8 ? 'production' : 'staging',
      },
      {
        inputTokens: 2000 + Math.floor(rand() * 100_000),
        outputTokens: Math.floor(rand() * 8000),
        cacheReadTokens: Math.floor(rand() * 1000),
      },
    ),
  );
}

/** gpt-5.5 at list-like prices (so that the savings section has a cheaper model to name). */
const price = (e: UsageEvent) =>
  e.model === 'mystery-model'
    ? UNPRICED
    : pricedAt(
        new Decimal(e.usage.outputTokens)
          .times(e.model === 'gpt-5.5' ? '0.00003' : '0.0000031')
          .plus(new Decimal(e.usage.inputTokens).times(e.model === 'gpt-5.5' ? '0.000005' : '0.00000017'))
          .toFixed(),
      );

const OCT = { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };

describe('monthly reports', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let opened: OpenedStore;
  let app: NestFastifyApplication;
  let queuePrefix: string;
  let workers: INestApplicationContext[] = [];
  let reportsDir: string;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let b: Awaited<ReturnType<typeof createTenant>>;
  let ownerA: string;
  let viewerA: string;
  let ownerB: string;
  let keyB: { authorization: string };
  let projectKeyA: { authorization: string };
  const files = new Map<string, { id: string; body: Buffer }>();

  beforeAll(async () => {
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 4);
    opened = openStore(inject('databaseUrl'));
    reportsDir = mkdtempSync(join(tmpdir(), 'tl-reports-'));
    ({ app, queuePrefix } = await startApi({ REPORTS_DIR: reportsDir }));
    const workerEnv = { QUEUE_PREFIX: queuePrefix, REPORTS_DIR: reportsDir, REPORT_SCHEDULE_FORMATS: 'csv' };
    workers = [await startWorker(workerEnv), await startWorker(workerEnv)];
    a = await createTenant(prisma, 'rep-a');
    b = await createTenant(prisma, 'rep-b');
    const writer = new UsageEventWriter(pool);
    const write = (organizationId: string, projectId: string, events: UsageEvent[]) =>
      writer.write({
        organizationId,
        projectId,
        source: 'api',
        receivedAt: new Date(),
        events: events.map((event): PricedEvent => ({ event, pricing: price(event) })),
      });
    await write(a.org.id, a.project.id, generate(1500, 7, new Date(OCT.from), 31));
    await write(a.org.id, a.project.id, generate(300, 8, new Date('2026-09-01T00:00:00Z'), 30));
    await write(b.org.id, b.project.id, generate(200, 9, new Date('2026-09-01T00:00:00Z'), 61));
    const o = await createUser(prisma, a.org.id, 'owner');
    ownerA = await loginAs(app, o.email, o.password);
    const v = await createUser(prisma, a.org.id, 'viewer');
    viewerA = await loginAs(app, v.email, v.password);
    const ob = await createUser(prisma, b.org.id, 'owner');
    ownerB = await loginAs(app, ob.email, ob.password);
    keyB = (await createKey(prisma, b.org.id, null, ['read', 'admin'])).auth;
    projectKeyA = (await createKey(prisma, a.org.id, a.project.id, ['read'])).auth;
  });

  afterAll(async () => {
    for (const w of workers) await w.close();
    await app?.close();
    await opened?.close();
    await pool?.end();
    await prisma?.$disconnect();
    rmSync(reportsDir, { recursive: true, force: true });
  });

  async function spendUsd(token: string, range = OCT): Promise<Decimal> {
    const r = await gql<{ spend: { costUsd: string }[] }>(
      app,
      'query($f: SpendFilter!) { spend(filter: $f) { costUsd } }',
      { f: range },
      token,
    );
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return new Decimal(r.data!.spend[0]?.costUsd ?? '0');
  }

  const REPORT_FIELDS =
    'id month format revision status progress fileName byteSize totalUsd lineItems stale staleDifferenceUsd downloadUrl summaryDownloadUrl error rateVersions { rateVersionId events }';
  type ReportView = {
    id: string;
    revision: number;
    status: string;
    totalUsd: string | null;
    stale: boolean;
    staleDifferenceUsd: string | null;
    downloadUrl: string | null;
    summaryDownloadUrl: string | null;
    fileName: string;
    byteSize: number;
    error: string | null;
    lineItems: number;
  };

  async function request(month: string, format: string, token = ownerA): Promise<ReportView> {
    const r = await gql<{ requestReport: ReportView }>(
      app,
      `mutation($m: String!, $f: ReportFormat!) { requestReport(month: $m, format: $f) { ${REPORT_FIELDS} } }`,
      { m: month, f: format },
      token,
    );
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data!.requestReport;
  }

  async function report(id: string, token = viewerA): Promise<ReportView | null> {
    const r = await gql<{ report: ReportView | null }>(
      app,
      `query($id: ID!) { report(id: $id) { ${REPORT_FIELDS} } }`,
      { id },
      token,
    );
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data!.report;
  }

  async function ready(id: string): Promise<ReportView> {
    const deadline = Date.now() + 50_000;
    for (;;) {
      const r = (await report(id))!;
      if (r.status === 'ready') return r;
      if (r.status === 'failed') throw new Error(`report failed: ${r.error}`);
      if (Date.now() > deadline) throw new Error(`report ${id} is still ${r.status}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  function download(url: string, headers: Record<string, string>) {
    return app.inject({ method: 'GET', url, headers });
  }

  async function fetchFile(r: ReportView, summary = false) {
    const res = await download(summary ? r.summaryDownloadUrl! : r.downloadUrl!, {
      authorization: `Bearer ${viewerA}`,
    });
    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    return res;
  }

  it('lets a viewer read but not request, and refuses an unknown format or a bad month', async () => {
    const denied = await gql(
      app,
      'mutation { requestReport(month: "2026-10", format: PDF) { id } }',
      {},
      viewerA,
    );
    expect(codeOf(denied)).toBe('FORBIDDEN');
    const bad = await gql(
      app,
      'mutation { requestReport(month: "2026-13", format: PDF) { id } }',
      {},
      ownerA,
    );
    expect(codeOf(bad)).toBe('VALIDATION_FAILED');
    const tzDenied = await gql(app, 'mutation { setReportTimeZone(timeZone: "Europe/Paris") }', {}, viewerA);
    expect(codeOf(tzDenied)).toBe('FORBIDDEN');
    const tzBad = await gql(app, 'mutation { setReportTimeZone(timeZone: "Mars/Olympus") }', {}, ownerA);
    expect(codeOf(tzBad)).toBe('VALIDATION_FAILED');
  });

  it('CSV: line items and the summary read back with a CSV parser equal GraphQL spend to the cent', async () => {
    const spend = await spendUsd(viewerA);
    expect(spend.isZero()).toBe(false);
    const r = await ready((await request('2026-10', 'CSV')).id);
    expect(new Decimal(r.totalUsd!).equals(spend)).toBe(true);
    const res = await fetchFile(r);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`filename="${r.fileName}"`);
    files.set('csv', { id: r.id, body: res.rawPayload });
    expect(res.body).toContain('\r\n');
    const rows = parse(res.rawPayload, { columns: true }) as Record<string, string>[];
    expect(rows.length).toBe(r.lineItems);
    const sum = rows.reduce((s, row) => s.plus(row.cost_usd!), new Decimal(0));
    expect(sum.equals(spend)).toBe(true);
    expect(sum.toFixed(2)).toBe(spend.toFixed(2));
    // CSV injection: the customer id arrives as text, neutralised; so does a feature starting with "+".
    const customers = new Set(rows.map((row) => row.customer));
    expect(customers.has(`'${EVIL}`)).toBe(true);
    expect(customers.has(EVIL)).toBe(false);
    expect(rows.some((row) => row.feature === "'+cmd")).toBe(true);
    // Every day and the dimensions are there.
    expect(new Set(rows.map((row) => row.day)).size).toBeGreaterThanOrEqual(28);

    const summary = parse((await fetchFile(r, true)).rawPayload, { columns: true }) as Record<
      string,
      string
    >[];
    const total = summary.find((row) => row.section === 'total')!;
    expect(new Decimal(total.cost_usd!).equals(spend)).toBe(true);
    const prev = summary.find((row) => row.section === 'previous month')!;
    expect(
      new Decimal(prev.cost_usd!).equals(
        await spendUsd(viewerA, { from: '2026-09-01T00:00:00Z', to: OCT.from }),
      ),
    ).toBe(true);
    const unpriced = summary.filter((row) => row.section === 'unpriced');
    expect(unpriced.some((row) => row.item === 'openai / mystery-model' && Number(row.requests) > 0)).toBe(
      true,
    );
    // The savings section lists what GraphQL `recommendations` finds for the same month: the
    // ones with a cheaper target, best saving first, at most five.
    const recs = await gql<{
      recommendations: {
        feature: string;
        sourceProvider: string;
        sourceModel: string;
        targetProvider: string | null;
        targetModel: string | null;
        savingsUsd: string;
      }[];
    }>(
      app,
      `query($f: SpendFilter!) { recommendations(filter: $f, tolerance: 5) { feature sourceProvider sourceModel targetProvider targetModel savingsUsd } }`,
      { f: OCT },
      viewerA,
    );
    if (recs.errors) throw new Error(JSON.stringify(recs.errors));
    const expected = recs
      .data!.recommendations.filter((x) => x.targetModel && new Decimal(x.savingsUsd).greaterThan(0))
      .sort(
        (a, b) => new Decimal(b.savingsUsd).comparedTo(a.savingsUsd) || a.feature.localeCompare(b.feature),
      )
      .slice(0, 5);
    expect(expected.length).toBeGreaterThan(0);
    const savings = summary.filter((row) => row.section === 'savings');
    expect(savings.map((row) => [row.item, new Decimal(row.cost_usd!).toFixed()])).toEqual(
      expected.map((x) => [
        // Features come from clients: "+cmd" is neutralised like every other text cell.
        neutralise(
          `${x.feature || '(none)'}: ${x.sourceProvider} / ${x.sourceModel} → ${x.targetProvider} / ${x.targetModel}`,
        ),
        new Decimal(x.savingsUsd).toFixed(),
      ]),
    );
    expect(savings.every((row) => /quality: \S+ [\d.]+ vs [\d.]+/.test(row.note!))).toBe(true);
    expect(summary.some((row) => row.section === 'customer' && row.item === `'${EVIL}`)).toBe(true);
  });

  it('XLSX: exceljs reads a Summary and a Line items sheet whose numbers are numbers and sum to spend', async () => {
    const spend = await spendUsd(viewerA);
    const r = await ready((await request('2026-10', 'XLSX')).id);
    const res = await fetchFile(r);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    // Line items first (streamed in one pass), the Summary after them; the workbook opens on the Summary.
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Line items', 'Summary']);
    expect(wb.views[0]?.activeTab).toBe(1);
    const items = wb.getWorksheet('Line items')!;
    const header = (items.getRow(1).values as unknown[]).slice(1);
    const costCol = header.indexOf('cost_usd') + 1;
    const customerCol = header.indexOf('customer') + 1;
    expect(items.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(items.autoFilter).toBeTruthy();
    let sum = new Decimal(0);
    let evil = 0;
    items.eachRow((row, n) => {
      if (n === 1) return;
      const cost = row.getCell(costCol);
      expect(typeof cost.value).toBe('number');
      expect(cost.numFmt).toContain('$');
      sum = sum.plus(cost.value as number);
      const customer = row.getCell(customerCol);
      if (customer.value === EVIL) {
        evil++;
        expect(customer.type).toBe(ExcelJS.ValueType.String);
        expect(customer.formula).toBeUndefined();
      }
    });
    expect(evil).toBeGreaterThan(0);
    expect(sum.toFixed(2)).toBe(spend.toFixed(2));
    const summary = wb.getWorksheet('Summary')!;
    let total: number | null = null;
    summary.eachRow((row) => {
      if (row.getCell(1).value === 'Total') total = row.getCell(2).value as number;
    });
    expect(total).not.toBeNull();
    expect(new Decimal(total!).toFixed(2)).toBe(spend.toFixed(2));
  });

  it('PDF: 1-3 pages whose text (pdftotext) carries the total, and page 1 renders (pdftoppm)', async () => {
    const spend = await spendUsd(viewerA);
    const r = await ready((await request('2026-10', 'PDF')).id);
    const res = await fetchFile(r);
    expect(res.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'tl-pdf-'));
    try {
      const file = join(dir, 'report.pdf');
      writeFileSync(file, res.rawPayload);
      if (process.env.REPORT_PDF_KEEP) writeFileSync(process.env.REPORT_PDF_KEEP, res.rawPayload);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      const pages = text.split('\f').filter((p) => p.trim() !== '');
      expect(pages.length).toBeGreaterThanOrEqual(1);
      expect(pages.length).toBeLessThanOrEqual(3);
      expect(text).toContain('LLM spend report — 2026-10');
      expect(text).toContain(usd(spend));
      expect(text).toContain(`Exact total: ${spend.toFixed()} USD`);
      expect(text).toContain('2026-09 (previous month)');
      expect(text).toContain('mystery-model');
      // The savings table: a move away from gpt-5.5 with its quality basis beside the dollars.
      expect(text).toContain('Quality (swe-bench-pro)');
      expect(text).toMatch(
        /gpt-5\.5 to \S+ \/ deepseek-v4-pro +\$[\d,]+\.\d\d +\d+% +58\.6 vs 55\.4 \(-3\.2 points\)/,
      );
      execFileSync('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', file, join(dir, 'page')]);
      expect(statSync(join(dir, 'page-1.png')).size).toBeGreaterThan(5000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('FOCUS: every row has PricingQuantity × ListUnitPrice = ListCost and the rows sum to spend', async () => {
    const spend = await spendUsd(viewerA);
    const r = await ready((await request('2026-10', 'FOCUS')).id);
    const res = await fetchFile(r);
    const rows = parse(res.rawPayload, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...FOCUS_COLUMNS]);
    // Rows carry up to 18 decimals: sum them without decimal.js's default 20 significant digits.
    const Exact = Decimal.clone({ precision: 60 });
    let billed = new Exact(0);
    for (const row of rows) {
      const q = new Decimal(row.PricingQuantity!);
      expect(q.times(row.ListUnitPrice!).equals(row.ListCost!)).toBe(true);
      expect(q.times(row.ContractedUnitPrice!).equals(row.ContractedCost!)).toBe(true);
      expect(new Decimal(row.ConsumedQuantity!).div(1000).equals(q)).toBe(true);
      expect(row.ChargeCategory).toBe('Usage');
      expect(row.ServiceCategory).toBe('AI and Machine Learning');
      expect(row.ServiceSubcategory).toBe('Generative AI');
      expect(row.PricingUnit).toBe('1000 Tokens');
      expect(row.BillingCurrency).toBe('USD');
      expect(row.BillingAccountId).toBe(a.org.id);
      expect(row.EffectiveCost).toBe(row.BilledCost);
      billed = billed.plus(row.BilledCost!);
    }
    expect(billed.equals(spend)).toBe(true);
    // One row per day × project × provider × model × token kind.
    const keys = rows.map(
      (row) => `${row.ChargePeriodStart}|${row.SubAccountId}|${row.ProviderName}|${row.SkuId}`,
    );
    expect(new Set(keys).size).toBe(keys.length);
    expect(rows.some((row) => row.x_TokenKind === 'cacheRead')).toBe(true);
    // Catalog-priced models carry a real list price.
    expect(rows.some((row) => row.x_Model === 'gpt-5.5' && new Decimal(row.ListUnitPrice!).gt(0))).toBe(true);
  });

  it('a reprice after the report marks it stale with the difference; regeneration is revision 2 and revision 1 still downloads', async () => {
    const first = files.get('csv')!;
    const before = await report(first.id);
    expect(before!.stale).toBe(false);
    const { store } = opened;
    const runId = await store.repriceRuns.create({
      organizationId: a.org.id,
      since: new Date(OCT.from),
      until: new Date(OCT.to),
      reason: 'test: catalog prices',
      requestedBy: 'test',
    });
    await store.analytics.reprice(await store.pricer().fresh(), runId);
    const after = await spendUsd(viewerA);
    expect(after.equals(before!.totalUsd!)).toBe(false);
    const stale = (await report(first.id))!;
    expect(stale.stale).toBe(true);
    expect(new Decimal(stale.staleDifferenceUsd!).equals(after.minus(before!.totalUsd!))).toBe(true);

    const second = await ready((await request('2026-10', 'CSV')).id);
    expect(second.revision).toBe(2);
    expect(second.stale).toBe(false);
    expect(new Decimal(second.totalUsd!).equals(after)).toBe(true);
    const summary = parse((await fetchFile(second, true)).rawPayload, { columns: true }) as Record<
      string,
      string
    >[];
    expect(summary.some((row) => row.section === 'reprice run' && row.item === runId)).toBe(true);
    const again = await fetchFile((await report(first.id))!);
    expect(again.rawPayload.equals(first.body)).toBe(true);
  });

  it('another organization cannot download or see a report (guessed ids, its own keys)', async () => {
    const { id } = files.get('csv')!;
    const url = `/v1/reports/${id}/download`;
    expect((await download(url, {})).statusCode).toBe(401);
    expect((await download(url, { authorization: `Bearer ${ownerB}` })).statusCode).toBe(404);
    expect((await download(url, keyB)).statusCode).toBe(404);
    expect((await download(`${url}?org=${a.org.slug}`, keyB)).statusCode).toBe(404);
    expect(
      (
        await download(`/v1/reports/00000000-0000-4000-8000-000000000000/download`, {
          authorization: `Bearer ${viewerA}`,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await download(`/v1/reports/not-a-uuid/download`, { authorization: `Bearer ${viewerA}` })).statusCode,
    ).toBe(404);
    expect((await download(url, projectKeyA)).statusCode).toBe(403);
    expect(await report(id, ownerB)).toBeNull();
    const listed = await gql<{ reports: { id: string }[] }>(app, '{ reports { id } }', {}, ownerB);
    expect(listed.data!.reports.map((r) => r.id)).not.toContain(id);
  });

  it('the monthly schedule, ticking twice with two workers, makes each organization its report once', async () => {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
      maxRetriesPerRequest: null,
    });
    const queue = new Queue(QUEUES.reportSchedule, { connection: redis, prefix: queuePrefix });
    try {
      await Promise.all([
        queue.add(JOB_NAMES.reportSchedule, { month: '2026-09' }),
        queue.add(JOB_NAMES.reportSchedule, { month: '2026-09' }),
      ]);
      const deadline = Date.now() + 50_000;
      for (;;) {
        const rows = await prisma.report.findMany({
          where: { organizationId: { in: [a.org.id, b.org.id] }, month: '2026-09' },
        });
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
        if (
          rows.length >= 2 &&
          rows.every((r) => r.status === 'ready') &&
          counts.waiting + counts.active === 0
        )
          break;
        if (Date.now() > deadline) throw new Error(`schedule: ${JSON.stringify(rows.map((r) => r.status))}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const rows = await prisma.report.findMany({
        where: { organizationId: { in: [a.org.id, b.org.id] }, month: '2026-09' },
      });
      expect(
        rows
          .map((r) => `${r.organizationId === a.org.id ? 'a' : 'b'} ${r.format} r${r.revision} ${r.trigger}`)
          .sort(),
      ).toEqual(['a csv r1 scheduled', 'b csv r1 scheduled']);
      const bReport = rows.find((r) => r.organizationId === b.org.id)!;
      expect(
        new Decimal(bReport.totalUsd!.toString()).equals(
          await spendUsd(ownerB, { from: '2026-09-01T00:00:00Z', to: OCT.from }),
        ),
      ).toBe(true);
      const res = await download(`/v1/reports/${bReport.id}/download`, keyB);
      expect(res.statusCode).toBe(200);
      expect(readFileSync(join(reportsDir, bReport.storageKey!)).equals(res.rawPayload)).toBe(true);
    } finally {
      await queue.close();
      redis.disconnect();
    }
  });

  it('aggregates the summary in SQL exactly as the line items read day by day add up, in any time zone', async () => {
    for (const timeZone of ['UTC', 'Asia/Kolkata', 'America/New_York']) {
      const range = monthBounds('2026-10', timeZone);
      const month = await opened.store.analytics.openReportMonth(a.org.id, range, timeZone);
      try {
        const builder = new SummaryBuilder();
        for await (const item of month.lineItems()) builder.add(item);
        const context: ReportContext = {
          organization: { id: a.org.id, slug: a.org.slug, name: a.org.name },
          month: '2026-10',
          timeZone,
          revision: 1,
          generatedAt: new Date(0),
          periodStart: range.start,
          periodEnd: range.end,
          previous: { month: '2026-09', totalUsd: new Decimal(1), byDay: [] },
          rateVersions: [],
          repriceRuns: [],
          savings: null,
        };
        const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
        // Counted month-wide in SQL: the day windows neither drop nor repeat a line item.
        const aggregated = await month.summary();
        expect(aggregated.lineItems).toBe(builder.lineItems);
        expect(builder.lineItems).toBeGreaterThan(500);
        expect(plain(summaryOf(aggregated, context))).toEqual(plain(builder.build(context)));
      } finally {
        await month.close();
      }
    }
    // Days are local midnights: the March DST change makes one of 23 hours, and they tile the month.
    const march = monthBounds('2026-03', 'America/New_York');
    const days = dayWindows(march, 'America/New_York');
    expect(days).toHaveLength(31);
    expect(days.filter((d) => d.end.getTime() - d.start.getTime() === 23 * 3_600_000)).toHaveLength(1);
    expect(days[0]!.start).toEqual(march.start);
    expect(days.at(-1)!.end).toEqual(march.end);
    days.slice(1).forEach((d, i) => expect(d.start).toEqual(days[i]!.end));
  });

  it('lists the rate versions used from their rollup, as the events say', async () => {
    const range = monthBounds('2026-10', 'UTC');
    const fromEvents = await pool.query<{ v: string | null; n: string }>(
      `SELECT rate_version_id::text AS v, count(*)::text AS n FROM usage_events
       WHERE organization_id = $1 AND occurred_at >= $2 AND occurred_at < $3 GROUP BY 1 ORDER BY 2 DESC`,
      [a.org.id, range.start, range.end],
    );
    expect(await opened.store.analytics.reportRateVersions(a.org.id, range)).toEqual(
      fromEvents.rows.map((r) => ({ rateVersionId: r.v, events: Number(r.n) })),
    );
  });

  it("cuts the month in the organization's time zone", async () => {
    const set = await gql(app, 'mutation { setReportTimeZone(timeZone: "Asia/Tokyo") }', {}, ownerB);
    expect(set.errors).toBeUndefined();
    const tokyo = { from: '2026-09-30T15:00:00Z', to: '2026-10-31T15:00:00Z' };
    const spend = await spendUsd(ownerB, tokyo);
    const requested = await request('2026-10', 'CSV', ownerB);
    const deadline = Date.now() + 50_000;
    let r = (await report(requested.id, ownerB))!;
    while (r.status !== 'ready' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      r = (await report(requested.id, ownerB))!;
    }
    expect(r.status).toBe('ready');
    expect(new Decimal(r.totalUsd!).equals(spend)).toBe(true);
    const res = await download(r.downloadUrl!, { authorization: `Bearer ${ownerB}` });
    const rows = parse(res.rawPayload, { columns: true }) as Record<string, string>[];
    expect(rows.reduce((s, row) => s.plus(row.cost_usd!), new Decimal(0)).equals(spend)).toBe(true);
    expect(rows.every((row) => row.day >= '2026-10-01' && row.day <= '2026-10-31')).toBe(true);
    expect((await report(r.id, ownerB))!.stale).toBe(false);
  });
});
