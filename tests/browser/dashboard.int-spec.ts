import { createPgPool, UsageEventWriter, type PrismaClient } from '@tokenledger/db';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { pricedAt, UNPRICED, usageEvent } from '../support/events';
import { createUser } from '../support/graphql';
import { startStack, type RunningStack } from '../support/stack';
import { createTenant, testPrisma } from '../support/tenant';

describe('dashboard in Chromium', () => {
  let prisma: PrismaClient;
  let stack: RunningStack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let login: { email: string; password: string };
  let page: Page;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    prisma = testPrisma();
    const { org, project } = await createTenant(prisma, 'browser');
    login = await createUser(prisma, org.id, 'owner');
    // Three priced events yesterday ($1.25 in all) and one unknown model.
    const day = new Date();
    day.setUTCDate(day.getUTCDate() - 1);
    day.setUTCHours(12, 0, 0, 0);
    const at = day.toISOString();
    const pool = createPgPool(inject('databaseUrl'), 2);
    await new UsageEventWriter(pool).write({
      organizationId: org.id,
      projectId: project.id,
      source: 'api',
      receivedAt: new Date(),
      events: [
        {
          event: usageEvent({ occurredAt: at, feature: 'support-chat', customerId: 'acme' }),
          pricing: pricedAt('1'),
        },
        {
          event: usageEvent({ occurredAt: at, feature: 'support-chat', customerId: 'globex' }),
          pricing: pricedAt('0.2'),
        },
        {
          event: usageEvent({ occurredAt: at, model: 'deepseek-v4-flash', provider: 'deepseek' }),
          pricing: pricedAt('0.05'),
        },
        {
          event: usageEvent({ occurredAt: at, model: 'homegrown-llm', provider: 'acme' }),
          pricing: UNPRICED,
        },
      ],
    });
    await pool.end();
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchBrowser());
    page = await browser.newPage();
  });

  afterAll(async () => {
    await closeBrowser?.();
    await stack?.close();
    await prisma?.$disconnect();
  });

  it('refuses a wrong password and says so', async () => {
    await page.goto(stack.dashboardUrl);
    await page.getByLabel('Email').fill(login.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong email or password');
  });

  it('logs in and shows the spend the API computes, with unpriced usage called out', async () => {
    await page.getByLabel('Password').fill(login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByTestId('total-spend').textContent(), { timeout: 15_000 }).toBe('$1.25');
    expect(await page.getByTestId('total-requests').textContent()).toBe('4');
    expect(await page.getByTestId('unpriced-requests').textContent()).toBe('1');
    const unpriced = page.getByRole('region', { name: 'Unpriced usage' });
    await expect.poll(() => unpriced.textContent()).toContain('acme/homegrown-llm');
    // The unknown model's row says unpriced, never $0.
    const byModel = page.getByRole('region', { name: 'By model' });
    await expect
      .poll(() => byModel.locator('tr', { hasText: 'homegrown-llm' }).textContent())
      .toContain('unpriced');
    expect(await byModel.locator('tr', { hasText: 'homegrown-llm' }).textContent()).not.toContain('$0');
    const byFeature = page.getByRole('region', { name: 'By feature' });
    await expect.poll(() => byFeature.textContent()).toContain('support-chat');
    expect(await byFeature.textContent()).toContain('$1.20');
    const customers = page.getByRole('region', { name: 'Top customers' });
    expect(await customers.textContent()).toContain('acme');
    // The chart is drawn after the figures and tables (its library loads once they are painted).
    await expect
      .poll(() => page.locator('.recharts-bar-rectangle').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await page.getByTestId('api-status').textContent()).toMatch(/^API ready/);
    // SCREENSHOT_DIR=/tmp/shots npm test -- tests/browser keeps a picture to look at.
    if (process.env.SCREENSHOT_DIR)
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/overview.png`, fullPage: true });
  });

  it('lists events with their pricing and the rate tables in force', async () => {
    await page.getByRole('link', { name: 'Events' }).click();
    const events = page.getByRole('region', { name: 'Events' });
    await expect.poll(() => events.locator('tbody tr').count(), { timeout: 10_000 }).toBe(4);
    expect(await events.textContent()).toContain('homegrown-llm');
    await page.getByRole('link', { name: 'Rates & models' }).click();
    const tables = page.getByRole('region', { name: 'Rate tables' });
    await expect.poll(() => tables.textContent(), { timeout: 10_000 }).toContain('genai-prices');
    const models = page.getByRole('region', { name: 'Models' });
    await expect.poll(() => models.textContent()).toContain('deepseek/deepseek-v4-pro');
  });

  it('requests a monthly report, which appears queued with its revision', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    const reports = page.getByRole('region', { name: 'Monthly reports' });
    await expect.poll(() => reports.textContent(), { timeout: 10_000 }).toContain('No report yet');
    await reports.getByRole('combobox').selectOption('PDF');
    await reports.getByRole('button', { name: 'Make report' }).click();
    // No worker runs beside this stack: the request is queued, listed, and waits.
    await expect
      .poll(() => reports.locator('tbody tr').first().textContent(), { timeout: 10_000 })
      .toMatch(/PDF1queued/);
  });

  it('draws a reloaded overview without waiting for the session check, and redraws from its answer', async () => {
    // Hold every `me` answer back: the remembered one lets the page ask for spend at once.
    let releaseMe!: () => void;
    const meHeld = new Promise<void>((resolve) => (releaseMe = resolve));
    const order: string[] = [];
    await page.route('**/graphql', async (route) => {
      const body = route.request().postData() ?? '';
      if (body.includes('query Me')) {
        order.push('me asked');
        await meHeld;
        const response = await route.fetch();
        order.push('me answered');
        return route.fulfill({ response });
      }
      if (body.includes('query Spend')) order.push('spend asked');
      return route.continue();
    });
    try {
      await page.goto(`${stack.dashboardUrl}/`);
      await expect
        .poll(() => page.getByTestId('total-spend').textContent(), { timeout: 15_000 })
        .toBe('$1.25');
      expect(order).not.toContain('me answered');
      expect(order).toContain('spend asked');
      releaseMe();
      await expect.poll(() => order.includes('me answered')).toBe(true);
      expect(await page.getByTestId('api-status').textContent()).toMatch(/^API ready/);
    } finally {
      releaseMe();
      await page.unroute('**/graphql');
    }
  });

  it('logs out back to the login page', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Log in' }).count()).toBe(1);
    // Nothing of the session stays behind for the next person at this browser.
    const kept = await page.evaluate<string[]>('Object.keys(localStorage)');
    expect(kept).not.toContain('tokenledger.token');
    expect(kept).not.toContain('tokenledger.me');
  });
});
