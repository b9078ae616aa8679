import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { PrismaClient } from '@tokenledger/db';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the test computes the range the page shows with the page's own pure code
import { resolveRange } from '../../apps/dashboard/src/time-range';
import { launchBrowser } from '../support/browser';
import {
  axeClean,
  logIn as logInAt,
  noSidewaysScroll,
  openPage,
  settled as settledPage,
  type Login,
} from '../support/page-checks';
import { runCli } from '../support/cli';
import { createUser, gql, loginAs } from '../support/graphql';
import { startStack, type RunningStack } from '../support/stack';
import { startWorker } from '../support/worker';
import { createTenant, testPrisma } from '../support/tenant';

const SHOTS = join(__dirname, '..', '..', '.reports', 'screenshots');
const ZONE = 'America/New_York';
const PAGES = [
  ['overview', '/'],
  ['explorer', '/explorer?range=30d&by=MODEL,FEATURE'],
  ['events', '/events'],
  ['rates', '/rates?model=openai/gpt-5.5'],
  ['reports', '/reports'],
  ['settings', '/settings'],
] as const;

/** Every page of the dashboard against the real API with the demo company's traffic. */
describe('dashboard pages in Chromium', () => {
  const open = openPage;
  const logIn = (p: Page, who: Login) => logInAt(p, stack.dashboardUrl, who);
  const settled = (p: Page) => settledPage(p);
  const axe = axeClean;
  let prisma: PrismaClient;
  let stack: RunningStack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let owner: Login;
  let viewer: Login;
  let newcomer: Login;
  let orgSlug: string;
  let context: BrowserContext;
  let page: Page;
  let worker: INestApplicationContext | null = null;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    mkdirSync(SHOTS, { recursive: true });
    prisma = testPrisma();
    const { org } = await createTenant(prisma, 'pages');
    orgSlug = org.slug;
    owner = await createUser(prisma, org.id, 'owner');
    viewer = await createUser(prisma, org.id, 'viewer');
    const empty = await createTenant(prisma, 'empty');
    newcomer = await createUser(prisma, empty.org.id, 'owner', 'newcomer');
    // The demo company: three projects, many models, features and customers, some unpriced usage.
    const load = await runCli([
      'demo',
      'load',
      '--org',
      org.slug,
      '--events',
      '3000',
      '--days',
      '40',
      '--seed',
      '3',
      '--json',
    ]);
    expect(load.code, load.stderr).toBe(0);
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchBrowser());
    context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      timezoneId: ZONE,
      locale: 'en-US',
    });
    page = await open(context);
  }, 180_000);

  afterAll(async () => {
    await worker?.close();
    await closeBrowser?.();
    await stack?.close();
    await prisma?.$disconnect();
  });

  it('logs in and the overview total equals GraphQL spend for the same range', async () => {
    await logIn(page, owner);
    await settled(page);
    const token = await loginAs(stack.api, owner.email, owner.password);
    // The overview's default range: the last 30 days of the viewer's calendar (New York here).
    const filter = resolveRange({ preset: '30d' }, new Date(), ZONE);
    const result = await gql<{ spend: { costUsd: string; requests: number }[] }>(
      stack.api,
      'query($org: String, $f: SpendFilter!) { spend(org: $org, filter: $f) { costUsd requests } }',
      { org: orgSlug, f: filter },
      token,
    );
    const total = result.data!.spend[0]!;
    expect(Number(total.costUsd)).toBeGreaterThan(0);
    const shown = Number(total.costUsd).toLocaleString('en-US', { style: 'currency', currency: 'USD' });
    await expect.poll(() => page.getByTestId('total-spend').textContent()).toBe(shown);
    expect(await page.getByTestId('total-requests').textContent()).toBe(
      total.requests.toLocaleString('en-US'),
    );
    // Unpriced demo usage is named, with a way to price it.
    const unpriced = page.getByRole('region', { name: 'Unpriced usage' });
    await expect.poll(() => unpriced.getByRole('link', { name: /^Price / }).count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('mtd-spend').textContent()).toMatch(/^\$/);
  });

  it('explorer: grouping and a filter change chart and table, the URL carries them, a reload keeps them', async () => {
    await page.getByRole('link', { name: 'Explorer' }).click();
    await page.getByRole('heading', { name: 'Explorer', level: 1 }).waitFor();
    await settled(page);
    const table = page.getByTestId('explorer-table');
    const firstColumn = () => table.locator('tbody tr td:first-child').allTextContents();
    await expect.poll(async () => (await firstColumn()).length).toBeGreaterThan(1);
    const byModel = await firstColumn();
    const legend = () => page.locator('.recharts-legend-item-text').allTextContents();
    const modelLegend = await legend();

    await page.getByLabel('Group by').selectOption('FEATURE');
    await expect.poll(() => new URL(page.url()).searchParams.get('by')).toBe('FEATURE');
    await expect.poll(firstColumn).not.toEqual(byModel);
    await expect.poll(legend).not.toEqual(modelLegend);
    const byFeature = await firstColumn();

    // Filter to one customer through the multi-select, found by its search box.
    await page.getByRole('button', { name: /^Customer/ }).click();
    const panel = page.getByRole('group', { name: 'Filter by customer' });
    await panel.getByRole('checkbox').first().waitFor();
    const option = panel.locator('li label').filter({ hasNotText: '(none)' }).first();
    const firstCustomer = (await option.textContent())!.trim().split(' ')[0]!;
    await panel.getByLabel('Search customer values').fill(firstCustomer);
    // A click, not check(): the box is controlled by the URL, which the router updates in a transition.
    await panel.getByRole('checkbox').first().click();
    await panel.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.getAll('customer')).toEqual([firstCustomer]);
    await settled(page);
    await expect.poll(firstColumn).not.toEqual(byFeature);
    const filtered = await firstColumn();
    const heading = await page.getByRole('region', { name: 'Breakdown' }).locator('h2').textContent();

    const url = page.url();
    await page.reload();
    await settled(page);
    expect(page.url()).toBe(url);
    expect(await page.getByLabel('Group by').inputValue()).toBe('FEATURE');
    await expect.poll(firstColumn).toEqual(filtered);
    expect(await page.getByRole('region', { name: 'Breakdown' }).locator('h2').textContent()).toBe(heading);
    expect(await page.getByRole('list', { name: 'Active filters' }).textContent()).toContain(firstCustomer);

    // The CSV is the view: its grouping, its rows in its order, exact decimals.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^tokenledger-.*-by-feature\.csv$/);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      'feature,cost_usd,requests,unpriced_requests,input_tokens,output_tokens,cache_read_tokens,reasoning_tokens',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0] || '(none)')).toEqual(filtered);

    // A row drills into its own events.
    await table
      .getByRole('link', { name: /^Events of / })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
    await settled(page);
    expect(new URL(page.url()).searchParams.getAll('customer')).toEqual([firstCustomer]);
    await expect
      .poll(() => page.getByRole('region', { name: 'Events' }).locator('tbody tr').count())
      .toBeGreaterThan(0);
  });

  it('explorer: the chart of a many-valued dimension draws its top seven by spend and the rest as "other"', async () => {
    await page.goto(`${stack.dashboardUrl}/explorer?range=30d&by=CUSTOMER`);
    await settled(page);
    const labels = await page
      .getByTestId('explorer-table')
      .locator('tbody tr td:first-child')
      .allTextContents();
    expect(labels.length).toBeGreaterThan(7);
    await expect
      .poll(() => page.locator('.recharts-legend-item-text').allTextContents())
      .toEqual([...labels.slice(0, 7), 'other']);
  });

  it('explorer: per hour up to 31 days; a longer range is drawn per day and says so', async () => {
    const chart = page.getByRole('region', { name: 'Spend chart' });
    await page.goto(`${stack.dashboardUrl}/explorer?range=7d&every=HOUR`);
    await settled(page);
    expect(await chart.locator('h2').textContent()).toBe('Spend per hour, by model');
    await expect.poll(() => chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('interval-note').count()).toBe(0);

    await page.goto(`${stack.dashboardUrl}/explorer?range=90d&every=HOUR`);
    await settled(page);
    expect(await chart.locator('h2').textContent()).toBe('Spend per day, by model');
    expect(await page.getByTestId('interval-note').textContent()).toContain('up to 31 days');
    await expect.poll(() => chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    expect(await page.locator('option[value="HOUR"]').isDisabled()).toBe(true);
  });

  it('creates an API key, shows it once, and revokes it', async () => {
    await page.goto(`${stack.dashboardUrl}/settings`);
    await settled(page);
    const form = page.getByRole('form', { name: 'New API key' });
    await form.getByLabel('Name').fill('browser-test key');
    await form.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.getByTestId('new-key-secret').textContent())!;
    expect(secret).toMatch(/^tlk_/);
    await page.getByRole('button', { name: 'I have saved it' }).click();
    await expect.poll(() => page.getByTestId('new-key').count()).toBe(0);
    const row = page.getByTestId('keys-table').locator('tr', { hasText: 'browser-test key' });
    await expect.poll(() => row.count()).toBe(1);
    // Once: after a reload only the prefix is anywhere on the page.
    await page.reload();
    await settled(page);
    expect(await page.content()).not.toContain(secret);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Revoke browser-test key' }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
  });

  it('a viewer sees admin actions disabled, with why', async () => {
    const viewerContext = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      timezoneId: ZONE,
    });
    const p = await open(viewerContext);
    await logIn(p, viewer);
    await p.goto(`${stack.dashboardUrl}/settings`);
    await settled(p);
    expect(await p.getByRole('button', { name: 'Create key' }).isDisabled()).toBe(true);
    expect(await p.getByRole('button', { name: 'Invite' }).isDisabled()).toBe(true);
    expect(await p.getByRole('button', { name: 'Create project' }).isDisabled()).toBe(true);
    const revokes = p.getByRole('button', { name: 'Revoke' });
    for (let i = 0; i < (await revokes.count()); i++) expect(await revokes.nth(i).isDisabled()).toBe(true);
    expect(await p.getByText('Viewers can read everything but change nothing').first().isVisible()).toBe(
      true,
    );
    await p.goto(`${stack.dashboardUrl}/rates`);
    await settled(p);
    expect(await p.getByRole('button', { name: 'Add a price' }).isDisabled()).toBe(true);
    await viewerContext.close();
  });

  it('an invitation is a link: the invitee opens it, creates an account and lands in the organization', async () => {
    await page.goto(`${stack.dashboardUrl}/settings`);
    await settled(page);
    const email = `invitee-${Date.now()}@example.com`;
    const form = page.getByRole('form', { name: 'Invite a member' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption('VIEWER');
    await form.getByRole('button', { name: 'Invite' }).click();
    const link = (await page.getByTestId('invitation-link').textContent())!;
    expect(link).toMatch(/\/accept\?token=/);
    await expect.poll(() => page.getByRole('region', { name: 'Invitations' }).textContent()).toContain(email);

    const inviteeContext = await browser.newContext({
      viewport: { width: 390, height: 844 },
      timezoneId: ZONE,
    });
    const p = await open(inviteeContext);
    await p.goto(link);
    await p.getByLabel('Your name').fill('Invited Person');
    await p.getByLabel('Password').fill('a-long-enough-password');
    await axe(p, 'accept invitation');
    await p.screenshot({ path: join(SHOTS, 'accept-390.png'), fullPage: true });
    await p.getByRole('button', { name: 'Accept invitation' }).click();
    await p.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 15_000 });
    await expect.poll(() => p.locator('header').textContent()).toContain('viewer');
    await expect.poll(() => p.getByTestId('total-spend').textContent(), { timeout: 15_000 }).toMatch(/^\$/);
    await inviteeContext.close();
  });

  it("unpriced usage leads to a form that prices the model in one of the organization's tables", async () => {
    await page.goto(stack.dashboardUrl);
    await settled(page);
    const link = page
      .getByRole('region', { name: 'Unpriced usage' })
      .getByRole('link', { name: /^Price / })
      .first();
    const model = (await link.textContent())!.replace(/^Price /, '');
    await link.click();
    const form = page.getByRole('region', { name: 'Price a model' });
    await form.waitFor();
    expect(await form.getByLabel('Model', { exact: true }).inputValue()).toBe(model);
    await form.getByLabel('Input $ / 1M tokens', { exact: true }).fill('0.5');
    await form.getByLabel('Output $ / 1M tokens', { exact: true }).fill('1.5');
    await form.getByRole('button', { name: 'Publish price' }).click();
    await expect
      .poll(() => form.getByRole('status').textContent(), { timeout: 15_000 })
      .toMatch(/^Published negotiated v1/);
    // The new table is listed as the organization's own, consulted before the catalog.
    const tables = page.getByRole('region', { name: 'Rate tables' });
    await expect.poll(() => tables.locator('tbody tr').first().textContent()).toContain('negotiated');
  });

  it("rates: a model's price history lists its versions and charts them up to today", async () => {
    await page.goto(`${stack.dashboardUrl}/rates?model=openai/gpt-5.5`);
    await settled(page);
    const history = page.getByRole('region', { name: 'Price history of openai/gpt-5.5' });
    const versions = history.getByRole('group', { name: 'Price versions, scrollable' }).locator('tbody tr');
    await expect.poll(() => versions.count()).toBeGreaterThan(0);
    // One point per version, then today: the price in force now, drawn as lasting until now.
    const ticks = history.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value');
    await expect.poll(() => ticks.allTextContents(), { timeout: 10_000 }).toContain('today');
    expect((await ticks.allTextContents()).at(-1)).toBe('today');
    expect(await history.locator('.recharts-line').count()).toBeGreaterThan(0);
  });

  it('requests a month as CSV, follows it to ready on the worker, and downloads it: its rows add up to GraphQL spend', async () => {
    worker = await startWorker({});
    // The re-pricing an earlier test queued (no worker ran then) finishes first: a report made while
    // it runs is correctly marked stale afterwards, but would not add up to the spend asked below.
    const { id: orgId } = await prisma.organization.findUniqueOrThrow({ where: { slug: orgSlug } });
    await expect
      .poll(
        () =>
          prisma.repriceRun.count({
            where: { organizationId: orgId, status: { in: ['queued', 'running'] } },
          }),
        {
          timeout: 60_000,
        },
      )
      .toBe(0);
    await page.goto(`${stack.dashboardUrl}/reports`);
    await settled(page);
    const reports = page.getByRole('region', { name: 'Monthly reports' });
    // The default month is last month; the demo traffic covers part of it.
    const month = await reports.getByLabel('Month').inputValue();
    await reports.getByRole('combobox').selectOption('CSV');
    await reports.getByRole('button', { name: 'Make report' }).click();
    const row = reports.locator('tbody tr', { hasText: month }).filter({ hasText: 'CSV' }).first();
    await expect.poll(() => row.textContent(), { timeout: 60_000 }).toContain('ready');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toContain(month);
    const lines = readFileSync((await download.path())!, 'utf8')
      .trimEnd()
      .split('\r\n');
    const column = lines[0]!.split(',').indexOf('cost_usd');
    expect(column).toBeGreaterThanOrEqual(0);
    expect(lines.length).toBeGreaterThan(1);
    // Exact decimal sum (micro-dollars as BigInt): the file, the page and GraphQL agree to the cent.
    const micro = (v: string) => BigInt(Math.round(Number(v) * 1e6));
    const fileTotal = lines.slice(1).reduce((s, l) => s + micro(l.split(',')[column]!), 0n);
    const [y, m] = month.split('-').map(Number) as [number, number];
    const token = await loginAs(stack.api, owner.email, owner.password);
    const result = await gql<{ spend: { costUsd: string }[] }>(
      stack.api,
      'query($org: String, $f: SpendFilter!) { spend(org: $org, filter: $f) { costUsd } }',
      {
        org: orgSlug,
        f: {
          from: new Date(Date.UTC(y, m - 1, 1)).toISOString(),
          to: new Date(Date.UTC(y, m, 1)).toISOString(),
        },
      },
      token,
    );
    const spend = micro(result.data!.spend[0]!.costUsd);
    expect(spend).toBeGreaterThan(0n);
    // Rounding each line to a micro-dollar: at most half a micro-dollar apart per line.
    const gap = fileTotal > spend ? fileTotal - spend : spend - fileTotal;
    expect(gap <= BigInt(lines.length)).toBe(true);
    const shown = Number(result.data!.spend[0]!.costUsd).toLocaleString('en-US', {
      style: 'currency',
      currency: 'USD',
    });
    expect(await row.textContent()).toContain(shown);
    // Nothing changed the month since: the report is not marked stale.
    expect(await row.textContent()).toContain('unchanged');
  });

  it('every page: no serious or critical axe violation in either theme, no sideways scroll at 390 px, screenshots', async () => {
    for (const [name, path] of PAGES) {
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.goto(`${stack.dashboardUrl}${path}`);
      await settled(page);
      await page.screenshot({ path: join(SHOTS, `${name}-1440.png`), fullPage: true });
      await axe(page, `${name} light`);
      await page.emulateMedia({ colorScheme: 'dark' });
      await axe(page, `${name} dark`);
      await page.screenshot({ path: join(SHOTS, `${name}-1440-dark.png`), fullPage: true });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.reload();
      await settled(page);
      await noSidewaysScroll(page, name);
      await page.screenshot({ path: join(SHOTS, `${name}-390.png`), fullPage: true });
    }
  });

  it("a new organization's overview shows how to send a first event; login page passes too", async () => {
    const fresh = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: ZONE });
    const p = await open(fresh);
    await p.goto(stack.dashboardUrl);
    await p.getByRole('button', { name: 'Log in' }).waitFor();
    await axe(p, 'login');
    await p.screenshot({ path: join(SHOTS, 'login-1440.png') });
    await logIn(p, newcomer);
    const first = p.getByRole('region', { name: 'Send your first event' });
    await first.waitFor({ timeout: 15_000 });
    expect(await first.textContent()).toContain('curl -X POST');
    await first.getByRole('button', { name: 'Create an ingest key for this project' }).click();
    await expect.poll(() => first.locator('pre').first().textContent()).toMatch(/apiKey: 'tlk_/);
    await settled(p);
    await axe(p, 'first event');
    await p.screenshot({ path: join(SHOTS, 'first-event-1440.png'), fullPage: true });
    await p.setViewportSize({ width: 390, height: 844 });
    await noSidewaysScroll(p, 'first event');
    await p.screenshot({ path: join(SHOTS, 'first-event-390.png'), fullPage: true });
    await fresh.close();
  });
});
