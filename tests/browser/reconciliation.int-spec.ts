import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createPgPool, UsageEventWriter, type PgPool, type PrismaClient } from '@tokenledger/db';
import Decimal from 'decimal.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import {
  axeClean,
  logIn as logInAt,
  noSidewaysScroll,
  settled as settledPage,
  type Login,
} from '../support/page-checks';
import { pricedAt, usageEvent } from '../support/events';
import { createUser, gql, loginAs } from '../support/graphql';
import { startStack, type RunningStack } from '../support/stack';
import { createTenant, testPrisma } from '../support/tenant';

const SHOTS = join(__dirname, '..', '..', '.reports', 'screenshots');

/** Last UTC month: the overview falls back to it when this month has no provider report. */
const now = new Date();
const MONTH = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
const day = (d: number) => `${MONTH}-${String(d).padStart(2, '0')}`;
const INPUT = 1_000_000;
const CACHED = 100_000;
const OUTPUT = 50_000;
// gpt-5.5 at $1.25/M input and $10/M output, as Tokenledger priced it.
const OUR_COST = new Decimal(INPUT).times('0.00000125').plus(new Decimal(OUTPUT).times('0.00001'));

/**
 * OpenAI's usage and cost pages for three days of gpt-5.5 in one project: Tokenledger received days
 * 1 and 2, OpenAI charged 20% more on day 2, and a $5 credit on day 1.
 */
function openAiFile(): string {
  const t0 = Date.parse(`${day(1)}T00:00:00Z`) / 1000;
  const usage = [];
  const costs = [];
  for (let d = 1; d <= 3; d++) {
    const start_time = t0 + (d - 1) * 86_400;
    const end_time = start_time + 86_400;
    usage.push({
      object: 'bucket',
      start_time,
      end_time,
      results: [
        {
          object: 'organization.usage.completions.result',
          input_tokens: INPUT,
          output_tokens: OUTPUT,
          input_cached_tokens: CACHED,
          input_audio_tokens: 0,
          output_audio_tokens: 0,
          num_model_requests: 1,
          project_id: 'proj_web',
          user_id: null,
          api_key_id: null,
          model: 'gpt-5.5',
          batch: false,
          service_tier: null,
        },
      ],
    });
    const results: unknown[] = [
      {
        object: 'organization.costs.result',
        amount: { value: Number((d === 2 ? OUR_COST.times('1.2') : OUR_COST).toFixed()), currency: 'usd' },
        line_item: 'gpt-5.5, input',
        project_id: 'proj_web',
      },
    ];
    if (d === 1)
      results.push({
        object: 'organization.costs.result',
        amount: { value: -5, currency: 'usd' },
        line_item: 'Credit grant',
        project_id: 'proj_web',
      });
    costs.push({ object: 'bucket', start_time, end_time, results });
  }
  const page = (data: unknown[]) => ({ object: 'page', data, has_more: false, next_page: null });
  return JSON.stringify({ usage: [page(usage)], costs: [page(costs)] });
}

/** Issue 18's reconciliation page and the overview's coverage figure, in Chromium. */
describe('reconciliation in the dashboard', () => {
  const logIn = (p: Page, who: Login) => logInAt(p, stack.dashboardUrl, who);
  const settled = (p: Page) => settledPage(p, 20_000);
  const axe = axeClean;
  let prisma: PrismaClient;
  let pool: PgPool;
  let stack: RunningStack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let owner: Login;
  let viewer: Login;
  let ownerToken: string;
  let context: BrowserContext;
  let page: Page;
  let expected: { coverage: string; differenceUsd: string; overview: string };

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    process.env.TOKENLEDGER_SECRET_KEY = randomBytes(32).toString('base64');
    mkdirSync(SHOTS, { recursive: true });
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 2);
    const { org, project } = await createTenant(prisma, 'recon-ui');
    owner = await createUser(prisma, org.id, 'owner');
    viewer = await createUser(prisma, org.id, 'viewer');
    // What Tokenledger received: days 1 and 2 (day 3 came from an app without the SDK).
    await new UsageEventWriter(pool).write({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt: new Date(),
      events: [1, 2].map((d) => ({
        event: usageEvent(
          { occurredAt: `${day(d)}T10:00:00Z`, provider: 'openai', model: 'gpt-5.5' },
          { inputTokens: INPUT, outputTokens: OUTPUT, cacheReadTokens: CACHED },
        ),
        pricing: pricedAt(OUR_COST.toFixed()),
      })),
    });
    stack = await startStack();
    ownerToken = await loginAs(stack.api, owner.email, owner.password);
    const mapped = await gql(
      stack.api,
      `mutation($p: String!) { setProviderMapping(provider: OPENAI, kind: PROJECT, externalId: "proj_web", project: $p) { project } }`,
      { p: project.slug },
      ownerToken,
    );
    expect(mapped.errors).toBeUndefined();
    const imported = await gql<{ importReconciliationFile: { usageDays: number; costDays: number } }>(
      stack.api,
      'mutation($c: String!) { importReconciliationFile(provider: OPENAI, content: $c) { usageDays costDays } }',
      { c: openAiFile() },
      ownerToken,
    );
    expect(imported.errors).toBeUndefined();
    expect(imported.data?.importReconciliationFile).toEqual({ usageDays: 3, costDays: 3 });
    const rec = await gql<{
      reconciliation: { coverage: string; totals: { differenceUsd: string } };
      reconciliationCoverage: { provider: string; sentence: string }[];
    }>(
      stack.api,
      `query($m: String!) { reconciliation(month: $m, provider: OPENAI) { coverage totals { differenceUsd } }
        reconciliationCoverage(month: $m) { provider sentence } }`,
      { m: MONTH },
      ownerToken,
    );
    expect(rec.errors).toBeUndefined();
    expected = {
      coverage: rec.data!.reconciliation.coverage,
      differenceUsd: rec.data!.reconciliation.totals.differenceUsd,
      overview: rec.data!.reconciliationCoverage[0]!.sentence,
    };
    // The data is what the file says: two of three days seen, $1.75 not received + $0.35 price − $5 credit.
    expect(expected.coverage).toBe(`Tokenledger saw 66.6% of your OpenAI tokens in ${MONTH}.`);
    expect(new Decimal(expected.differenceUsd).toFixed()).toBe('-2.9');
    expect(rec.data!.reconciliationCoverage.map((c) => c.provider)).toEqual(['OPENAI']);
    ({ browser, close: closeBrowser } = await launchBrowser());
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await logIn(page, owner);
  }, 180_000);

  afterAll(async () => {
    await closeBrowser?.();
    await stack?.close();
    await pool?.end();
    await prisma?.$disconnect();
  });

  it('the overview shows the coverage line and opens the reconciliation of that month', async () => {
    await settled(page);
    const figure = page.getByTestId('overview-coverage');
    await figure.waitFor({ timeout: 20_000 });
    expect(await figure.locator('li').allTextContents()).toEqual([expected.overview]);
    await figure.screenshot({ path: join(SHOTS, 'overview-coverage-1440.png') });
    await figure.getByRole('link', { name: expected.overview }).click();
    await page.getByRole('heading', { name: 'Reconciliation', level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('month')).toBe(MONTH);
  });

  it('shows the coverage sentence, both costs, the difference and why, as GraphQL says', async () => {
    await page.goto(`${stack.dashboardUrl}/reconciliation?month=${MONTH}&provider=openai`);
    await settled(page);
    expect(await page.getByTestId('coverage-sentence').textContent()).toBe(expected.coverage);
    // GraphQL's difference, to the cent, with a real minus sign.
    expect(await page.getByTestId('difference').textContent()).toBe(
      `−$${new Decimal(expected.differenceUsd).abs().toFixed(2)}`,
    );
    expect(await page.getByTestId('difference').textContent()).toBe('−$2.90');
    expect(await page.getByTestId('provider-cost').textContent()).toBe('$0.60'); // 1.75 + 2.10 + 1.75 − 5
    expect(await page.getByTestId('our-cost').textContent()).toBe('$3.50');
    const rows = await page.getByTestId('explanations').locator('tbody tr').allTextContents();
    expect(rows).toEqual(
      expect.arrayContaining([
        'Not received by Tokenledger+$1.751',
        'Price difference+$0.351',
        'Credit−$5.001',
      ]),
    );
    expect(rows).toHaveLength(3);
    const lines = await page.getByTestId('differing-lines').locator('tbody tr').allTextContents();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(`^${day(1)}\\(credit\\).*−\\$5\\.00\\$0\\.00−\\$5\\.00Credit −\\$5\\.00`),
    );
    await axe(page, 'reconciliation');
    await page.screenshot({ path: join(SHOTS, 'reconciliation-1440.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await settled(page);
    await noSidewaysScroll(page, 'reconciliation at 390 px');
    await page.screenshot({ path: join(SHOTS, 'reconciliation-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('a provider with nothing imported says how to connect it', async () => {
    await page.goto(`${stack.dashboardUrl}/reconciliation?month=${MONTH}&provider=openai`);
    await settled(page);
    await page.getByLabel('Provider').selectOption('ANTHROPIC');
    await expect.poll(() => new URL(page.url()).searchParams.get('provider')).toBe('anthropic');
    const empty = page.getByTestId('reconciliation-empty');
    await empty.waitFor({ timeout: 20_000 });
    expect(await empty.textContent()).toContain(
      `npm run tokenledger -- reconcile --month ${MONTH} --provider anthropic --file pages.jsonl`,
    );
    // The other provider's sentence stays, as a link back to it.
    await page.getByRole('link', { name: expected.coverage }).waitFor();
    await axe(page, 'reconciliation, empty');
    await page.setViewportSize({ width: 390, height: 844 });
    await noSidewaysScroll(page, 'empty reconciliation at 390 px');
    await page.screenshot({ path: join(SHOTS, 'reconciliation-empty-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('admins connect a provider with a write-only key and import now; viewers see why they cannot', async () => {
    const key = `sk-admin-${randomBytes(12).toString('hex')}`;
    await page.goto(`${stack.dashboardUrl}/settings#reconciliation`);
    await settled(page);
    const openai = page.getByTestId('connection-openai');
    await openai.getByLabel('OpenAI admin key').fill(key);
    await openai.getByRole('button', { name: 'Connect' }).click();
    await openai
      .getByTestId('key-state')
      .waitFor({ timeout: 20_000 })
      .catch(async (e: unknown) => {
        throw new Error(`${String(e)}; the section says: ${await openai.textContent()}`);
      });
    expect(await openai.getByTestId('key-state').textContent()).toBe('key set');
    // Never pre-filled, never in the page.
    expect(await openai.getByLabel("Replace OpenAI's admin key").inputValue()).toBe('');
    expect(await page.content()).not.toContain(key);
    await openai.getByRole('button', { name: 'Import now' }).click();
    await openai.getByRole('status').filter({ hasText: 'queued' }).waitFor({ timeout: 20_000 });
    await axe(page, 'settings, provider reports');
    await page.screenshot({ path: join(SHOTS, 'reconciliation-settings-1440.png'), fullPage: true });

    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    const p = await ctx.newPage();
    await logIn(p, viewer);
    await p.goto(`${stack.dashboardUrl}/settings#reconciliation`);
    await settled(p);
    const section = p.locator('#reconciliation');
    expect(await section.textContent()).toContain('Viewers can read everything but change nothing');
    expect(await section.getByTestId('key-state').textContent()).toBe('key set');
    expect(await section.getByRole('button', { name: 'Import now' }).isDisabled()).toBe(true);
    expect(await section.getByRole('button', { name: 'Replace key' }).isDisabled()).toBe(true);
    expect(await section.getByRole('button', { name: 'Connect' }).isDisabled()).toBe(true);
    await noSidewaysScroll(p, 'settings at 390 px');
    await section.screenshot({ path: join(SHOTS, 'reconciliation-settings-viewer-390.png') });
    await ctx.close();
  });
});
