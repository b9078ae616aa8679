import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

// page.evaluate bodies run in the browser; the tests' TypeScript has no DOM library (it would clash
// with Node's fetch types), so the little of the DOM these checks use is declared here.
interface DomElement {
  tagName: string;
  className: string;
  parentElement: DomElement | null;
  getBoundingClientRect(): { right: number };
}
interface DomDocument {
  documentElement: { scrollWidth: number; clientWidth: number };
  body: DomElement;
  querySelectorAll(selector: string): Iterable<DomElement>;
}
declare const window: unknown;
declare const document: DomDocument;
declare function getComputedStyle(element: DomElement): { overflowX: string };

/** Someone who logs in to the dashboard. */
export interface Login {
  email: string;
  password: string;
}

/** A new page whose uncaught errors show in the test's output. */
export async function openPage(ctx: BrowserContext): Promise<Page> {
  const p = await ctx.newPage();
  p.on('pageerror', (e) => console.error('page error:', e.message));
  return p;
}

/** Logs in through the dashboard's form and waits for the main navigation. */
export async function logIn(p: Page, dashboardUrl: string, who: Login): Promise<void> {
  await p.goto(dashboardUrl);
  await p.getByLabel('Email').fill(who.email);
  await p.getByLabel('Password').fill(who.password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 15_000 });
}

/** Waits until the page has its heading and shows no loading state. */
export async function settled(p: Page, timeout = 15_000): Promise<void> {
  await p.locator('main h1').first().waitFor({ timeout: 15_000 });
  await expect.poll(() => p.locator('.state.loading, [aria-busy="true"]').count(), { timeout }).toBe(0);
}

/** An axe-core scan of the page: no serious or critical violation (the label names the view). */
export async function axeClean(p: Page, label: string): Promise<void> {
  await p.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await p.evaluate(async () => {
    const result = await (
      window as {
        axe: {
          run: (
            ctx: DomDocument,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `${label}: ${JSON.stringify(bad)}`).toEqual([]);
}

/** The page is no wider than its window; when it is, says which outermost elements stick out. */
export async function noSidewaysScroll(p: Page, label: string): Promise<void> {
  // Charts follow their box's size on the next frame: let a resize settle first.
  await expect
    .poll(
      () => p.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth),
      { timeout: 3000 },
    )
    .toBe(true)
    .catch(() => undefined);
  const widths = await p.evaluate(() => {
    const client = document.documentElement.clientWidth;
    const clipped = (e: DomElement): boolean => {
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      return false;
    };
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > client + 1 && !clipped(e))
      .slice(0, 5)
      .map(
        (e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)}px)`,
      );
    return { scroll: document.documentElement.scrollWidth, client, wide };
  });
  expect(
    widths.scroll,
    `${label} is ${widths.scroll}px wide in a ${widths.client}px window: ${widths.wide.join(', ')}`,
  ).toBeLessThanOrEqual(widths.client);
}
