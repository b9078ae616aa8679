import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import {
  createPgPool,
  RateTableRepository,
  UsageEventWriter,
  type PgPool,
  type PrismaClient,
} from '@tokenledger/db';
import { buildPricer } from '@tokenledger/pricing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { usageEvent } from '../support/events';
import { createUser } from '../support/graphql';
import { startStack, type RunningStack } from '../support/stack';
import { createTenant, testPrisma } from '../support/tenant';
import { startWorker } from '../support/worker';

const EVENTS = 12_500; // three chunks of the worker's 5,000: progress can stop part way
const HELD = 2_500; // the last events, locked by the test so the run waits on them

// Issue 20: publish a discount, see the effective price, the run's progress, then the new totals.
describe('rates page in Chromium: a discount, its effective price and its re-pricing run', () => {
  let prisma: PrismaClient;
  let pool: PgPool;
  let stack: RunningStack;
  let worker: INestApplicationContext | null = null;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let page: Page;
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let login: { email: string; password: string };
  const queuePrefix = `tltest-${randomBytes(4).toString('hex')}`;
  const shots = process.env.SCREENSHOT_DIR;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    process.env.QUEUE_PREFIX = queuePrefix;
    prisma = testPrisma();
    pool = createPgPool(inject('databaseUrl'), 4);
    tenant = await createTenant(prisma, 'rates-ui');
    const owner = await createUser(prisma, tenant.org.id, 'owner');
    // 12,500 gpt-5.5 calls yesterday, each 1,000 in and 100 out: $0.008 at list price, $100 in all.
    const start = new Date();
    start.setUTCDate(start.getUTCDate() - 1);
    start.setUTCHours(0, 0, 0, 0);
    const pricer = buildPricer(
      await new RateTableRepository(prisma).loadSnapshot({ organizationId: tenant.org.id }),
    );
    const events = Array.from({ length: EVENTS }, (_, i) =>
      usageEvent(
        {
          occurredAt: new Date(start.getTime() + i * 5_000).toISOString(),
          provider: 'openai',
          model: 'gpt-5.5',
        },
        { inputTokens: 1000, outputTokens: 100 },
      ),
    );
    await new UsageEventWriter(pool).write({
      organizationId: tenant.org.id,
      projectId: tenant.project.id,
      source: 'api',
      receivedAt: new Date(),
      events: events.map((event) => ({ event, pricing: pricer.price(event, tenant.org.id) })),
    });
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchBrowser());
    page = await browser.newPage();
    login = owner;
    if (shots) mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await closeBrowser?.();
    await worker?.close();
    await stack?.close();
    await pool?.end();
    await prisma?.$disconnect();
  });

  it('shows the discounted price in force and how it was derived', async () => {
    await page.goto(stack.dashboardUrl);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill(login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect
      .poll(() => page.getByTestId('total-spend').textContent(), { timeout: 20_000 })
      .toBe('$100.00');

    const since = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const published = await fetch(`${stack.apiUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await page.evaluate("localStorage.getItem('tokenledger.token')")}`,
      },
      body: JSON.stringify({
        query: `mutation($i: PublishRateVersionInput!) { publishRateVersion(input: $i) { published repriceRun { id status } } }`,
        variables: {
          i: {
            name: 'Negotiated with OpenAI',
            effectiveFrom: since,
            rates: [
              {
                provider: 'openai',
                model: 'gpt-5.5',
                match: { exact: ['gpt-5.5'] },
                prices: { discountPercent: '20' },
              },
            ],
          },
        },
      }),
    }).then(
      (r) =>
        r.json() as Promise<{
          data: { publishRateVersion: { published: boolean; repriceRun: { status: string } } };
        }>,
    );
    expect(published.data.publishRateVersion).toMatchObject({
      published: true,
      repriceRun: { status: 'queued' },
    });

    await page.getByRole('link', { name: 'Rates & models' }).click();
    const tables = page.getByRole('region', { name: 'Rate tables' });
    // Tables by name, in the order they are consulted: the organization's override first.
    await expect
      .poll(() => tables.locator('tbody tr').first().textContent(), { timeout: 10_000 })
      .toMatch(/^1Negotiated with OpenAIyour override/);
    await page.getByLabel('Search models').fill('gpt-5.5');
    const row = page
      .getByRole('region', { name: 'Models' })
      .locator('tr', { hasText: 'openai/gpt-5.5' })
      .first();
    // $5 / $30 list, less 20%: $4 / $24.
    await expect.poll(() => row.locator('td').nth(1).textContent(), { timeout: 10_000 }).toBe('$4');
    expect(await row.locator('td').nth(3).textContent()).toBe('$24');
    expect(await row.getByTestId('price-derivation').textContent()).toMatch(
      /^Built-in catalog \(@pydantic\/genai-prices\) v\d+, less 20% \(Negotiated with OpenAI v1\)$/,
    );
  });

  it("shows the run's progress, with a notice, while it is under way", async () => {
    const region = page.getByRole('region', { name: 'Re-pricing' });
    await expect.poll(() => region.textContent(), { timeout: 10_000 }).toContain('queued');
    expect(await page.getByTestId('reprice-notice').textContent()).toContain('Re-pricing in progress');

    // Hold the last 2,500 events so the run stops after its first two chunks, then start a worker.
    const holder = await pool.connect();
    await holder.query('BEGIN');
    await holder.query(
      `SELECT id FROM usage_events WHERE project_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2 FOR UPDATE`,
      [tenant.project.id, HELD],
    );
    try {
      worker = await startWorker({ QUEUE_PREFIX: queuePrefix });
      await expect
        .poll(() => page.getByTestId('reprice-progress').first().textContent(), { timeout: 30_000 })
        .toBe('10,000 of 12,500 events');
      expect(await region.textContent()).toContain('running');
      // Once started, the run says what it covers: the one model the discount prices.
      expect(await page.getByTestId('reprice-notice').textContent()).toMatch(
        /^Re-pricing in progress: totals that include openai\/gpt-5\.5 may still show old prices/,
      );
      if (shots) await page.screenshot({ path: `${shots}/rates-reprice-running.png`, fullPage: true });
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }
  });

  it('then the new totals: the run says what it changed and the overview shows the discounted spend', async () => {
    const region = page.getByRole('region', { name: 'Re-pricing' });
    await expect
      .poll(() => page.getByTestId('reprice-progress').first().textContent(), { timeout: 30_000 })
      .toBe('12,500 of 12,500 events');
    await expect.poll(() => region.textContent()).toContain('succeeded');
    expect(await page.getByTestId('reprice-notice').count()).toBe(0);
    expect(await page.getByTestId('reprice-before').first().textContent()).toBe('$100.00');
    expect(await page.getByTestId('reprice-after').first().textContent()).toBe('$80.00');
    if (shots) await page.screenshot({ path: `${shots}/rates-reprice-done.png`, fullPage: true });
    await page.getByRole('link', { name: 'Overview' }).click();
    await expect
      .poll(() => page.getByTestId('total-spend').textContent(), { timeout: 15_000 })
      .toBe('$80.00');
  });
});
