import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { startStack, type RunningStack } from '../support/stack';

describe('dashboard in Chromium', () => {
  let stack: RunningStack;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;

  beforeAll(async () => {
    process.env.LOG_LEVEL = 'silent';
    stack = await startStack();
    ({ browser, close: closeBrowser } = await launchBrowser());
  });

  afterAll(async () => {
    await closeBrowser?.();
    await stack?.close();
  });

  it('loads and shows the API as ready, read through GraphQL', async () => {
    const page = await browser.newPage();
    const graphqlCalls: string[] = [];
    page.on('request', (r) => r.url().endsWith('/graphql') && graphqlCalls.push(r.method()));
    await page.goto(stack.dashboardUrl);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Tokenledger');
    await expect
      .poll(() => page.getByTestId('api-status').textContent(), { timeout: 10_000 })
      .toMatch(/^ready/);
    expect(graphqlCalls).toContain('POST');
    await page.close();
  });
});
