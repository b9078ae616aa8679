/// <reference lib="dom" />
// The page-side code below runs in Chromium (page.evaluate), hence the DOM types.
// `npm run bench:dashboard` (issue 17, "Speed"): the built dashboard in Debian's Chromium against a
// running API over demo traffic loaded into a database of its own. Measured with the browser's
// Performance API:
//   - the overview's largest contentful paint after login (target < 1 s), and when its data is drawn;
//   - an explorer change of grouping, from the change to the new table and chart painted (p95 < 300 ms);
//   - the JavaScript the first page loads, gzipped (and what the overview adds after login).
//
//   BENCH_DASHBOARD_EVENTS=10000000 (the figure; fewer loads faster)  BENCH_DASHBOARD_RUNS=10
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createPrismaClient, hashPassword, RateTableRepository } from '@tokenledger/db';
import { chromium, type BrowserContext } from 'playwright-core';
import {
  benchQueuePrefix,
  createBenchDatabase,
  figure,
  freePort,
  latencySummary,
  log,
  machineFacts,
  REDIS_URL,
  ROOT,
  runBench,
  spawnApp,
  stopProcess,
  waitForHttp,
  writeReport,
  demoLoad,
} from './support/bench-env.mjs';

const EVENTS = Number(process.env.BENCH_DASHBOARD_EVENTS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_DASHBOARD_RUNS ?? 10);
const DIST = join(ROOT, 'apps', 'dashboard', 'dist');
const DIMS = ['MODEL', 'PROVIDER', 'FEATURE', 'CUSTOMER', 'PROJECT', 'ENVIRONMENT'] as const;
const LABELS: Record<(typeof DIMS)[number], string> = {
  MODEL: 'Model',
  PROVIDER: 'Provider',
  FEATURE: 'Feature',
  CUSTOMER: 'Customer',
  PROJECT: 'Project',
  ENVIRONMENT: 'Environment',
};

/** Gzipped bytes of the built files a page fetched (as a server compressing with gzip -6 sends them). */
function gzipBytes(urls: string[]): { files: string[]; bytes: number; raw: number } {
  const files = [...new Set(urls.map((u) => basename(new URL(u).pathname)))];
  let bytes = 0;
  let raw = 0;
  for (const f of files) {
    const content = readFileSync(join(DIST, 'assets', f));
    raw += content.length;
    bytes += gzipSync(content, { level: 6 }).length;
  }
  return { files, bytes, raw };
}

await runBench(async (cleanup) => {
  const startedAt = new Date();
  const machine = await machineFacts();
  const db = await createBenchDatabase(cleanup);
  const prisma = createPrismaClient(db.url, { poolSize: 2 });
  cleanup.add('disconnect prisma', () => prisma.$disconnect());
  // A kept database (BENCH_DATABASE) whose `bench` organization is already loaded (by this bench
  // or bench:report) is measured as it is: no second 10-million-event load.
  const existing = db.kept ? await prisma.organization.findUnique({ where: { slug: 'bench' } }) : null;
  if (!existing) await new RateTableRepository(prisma).importBuiltInCatalog();
  const org = existing ?? (await prisma.organization.create({ data: { slug: 'bench', name: 'Benchmark' } }));
  const password = 'bench-password-1';
  const user = await prisma.user.upsert({
    where: { email: 'bench@example.com' },
    update: { passwordHash: await hashPassword(password) },
    create: { email: 'bench@example.com', name: 'bench', passwordHash: await hashPassword(password) },
  });
  await prisma.membership.upsert({
    where: { userId_organizationId: { userId: user.id, organizationId: org.id } },
    update: { role: 'owner' },
    create: { userId: user.id, organizationId: org.id, role: 'owner' },
  });
  let loaded = { seconds: 0, eventsPerSecond: 0 };
  if (existing) log(`database ${db.name} kept: measuring its loaded \`bench\` organization`);
  else {
    log(`loading ${EVENTS.toLocaleString('en-US')} demo events over 90 days (demo load, bulk path)`);
    loaded = await demoLoad(db.url, { events: EVENTS });
    log(`loaded in ${loaded.seconds} s`);
  }

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = spawnApp(cleanup, 'api', {
    DATABASE_URL: db.url,
    REDIS_URL,
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    QUEUE_PREFIX: benchQueuePrefix(cleanup),
  });
  await waitForHttp(`${apiUrl}/readyz`, api);
  const webPort = await freePort();
  const web = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'preview',
      'apps/dashboard',
      '--port',
      String(webPort),
      '--strictPort',
      '--logLevel',
      'warn',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, API_URL: apiUrl, DASHBOARD_HOST: '127.0.0.1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  cleanup.add('stop the dashboard server', () => stopProcess(web));
  const webUrl = `http://127.0.0.1:${webPort}`;
  await waitForHttp(webUrl, web);

  // Playwright gives the browser a fresh temporary profile.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  cleanup.add('close chromium', () => browser.close());

  /** Measures LCP and the first frame with data: installed before any page of a context runs. */
  async function observe(context: BrowserContext): Promise<void> {
    await context.addInitScript(() => {
      const w = window as unknown as { __lcp: number; __drawn: number };
      w.__lcp = 0;
      w.__drawn = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__lcp = e.startTime;
      }).observe({ type: 'largest-contentful-paint', buffered: true });
      const check = () => {
        const total = document.querySelector('[data-testid="total-spend"]')?.textContent ?? '';
        if (!w.__drawn && /\d/.test(total) && document.querySelector('.recharts-bar-rectangle'))
          w.__drawn = performance.now();
        else if (!w.__drawn) requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
  }

  /**
   * What the login form leaves in a browser's storage (the token and the remembered `me`), from one
   * login through the form: each measured load gets a fresh profile holding it, so its HTTP cache is
   * empty and every file is fetched again, as on a first visit after login. One login for all runs:
   * the API allows an email 10 login attempts a minute, fewer than this bench's profiles.
   */
  let session: Awaited<ReturnType<BrowserContext['storageState']>> | undefined;
  async function loggedIn(): Promise<BrowserContext> {
    if (!session) {
      const form = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await form.newPage();
      await page.goto(webUrl);
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page
        .locator('[data-testid="total-spend"]')
        .filter({ hasText: /\d/ })
        .waitFor({ timeout: 60_000 });
      session = await form.storageState();
      await form.close();
    }
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      storageState: session,
    });
    await observe(context);
    return context;
  }

  // The first page: the login form, in a profile that has never seen the dashboard.
  const anonymous = await browser.newContext();
  const firstPage = await anonymous.newPage();
  const firstUrls: string[] = [];
  firstPage.on('response', (r) => r.url().endsWith('.js') && firstUrls.push(r.url()));
  await firstPage.goto(webUrl, { waitUntil: 'networkidle' });
  await anonymous.close();
  const firstJs = gzipBytes(firstUrls);

  // Overview after login: LCP and data drawn, cold cache each time.
  const lcp: number[] = [];
  const drawn: number[] = [];
  // When the last GraphQL answer of the overview arrived, from the navigation: the API's share.
  const lastAnswer: number[] = [];
  const graphqlCalls: number[] = [];
  let overviewJs = firstJs;
  for (let i = 0; i < RUNS; i++) {
    const context = await loggedIn();
    const page = await context.newPage();
    const urls: string[] = [];
    page.on('response', (r) => r.url().endsWith('.js') && urls.push(r.url()));
    const answers: number[] = [];
    page.on('requestfinished', (r) => {
      if (!r.url().endsWith('/graphql')) return;
      const t = r.timing();
      answers.push(t.startTime + t.responseEnd);
    });
    const navigatedAt = Date.now();
    await page.goto(webUrl);
    await page.waitForFunction(() => (window as unknown as { __drawn: number }).__drawn > 0, null, {
      timeout: 30_000,
    });
    await page.waitForTimeout(300);
    const m = await page.evaluate(() => {
      const w = window as unknown as { __lcp: number; __drawn: number };
      return { lcp: w.__lcp, drawn: w.__drawn };
    });
    lcp.push(m.lcp);
    drawn.push(m.drawn);
    lastAnswer.push(Math.max(...answers) - navigatedAt);
    graphqlCalls.push(answers.length);
    if (i === 0) overviewJs = gzipBytes(urls);
    await context.close();
  }
  const lcpSummary = latencySummary(lcp);
  const drawnSummary = latencySummary(drawn);
  const answerSummary = latencySummary(lastAnswer);
  log(
    `overview LCP p50 ${lcpSummary.p50.toFixed(0)} ms p95 ${lcpSummary.p95.toFixed(0)} ms; data drawn p95 ${drawnSummary.p95.toFixed(0)} ms`,
  );

  // Explorer: one change of grouping at a time, each to a grouping not seen before (no cache hit).
  const context = await loggedIn();
  const page = await context.newPage();
  await page.goto(`${webUrl}/explorer?range=30d&by=MODEL`);
  await page.locator('[data-testid="explorer-table"]').waitFor({ timeout: 30_000 });
  // Walk: for each first dimension, clear "then by", set it, then each second one in turn.
  const walk: { select: 'groupBy' | 'thenBy'; value: string; expected: string }[] = [];
  let current: (typeof DIMS)[number] = 'MODEL';
  for (const first of DIMS) {
    walk.push({ select: 'thenBy', value: '', expected: LABELS[current] });
    walk.push({ select: 'groupBy', value: first, expected: LABELS[first] });
    current = first;
    for (const second of DIMS.filter((d) => d !== first))
      walk.push({ select: 'thenBy', value: second, expected: `${LABELS[first]} · ${LABELS[second]}` });
  }
  const changes: number[] = [];
  // Only groupings not drawn before count: a return to one is served from the cache.
  const seen = new Set<string>(['Model']);
  for (const step of walk) {
    const ms = await page.evaluate(async ({ select, value, expected }) => {
      const el = document.querySelector<HTMLSelectElement>(`select[name="${select}"]`);
      if (!el) throw new Error(`no select named ${select}`);
      if (el.value === value) return -1;
      const t0 = performance.now();
      // As a person choosing an option: React sees the native value change and the change event.
      Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')?.set?.call(el, value);
      el.dispatchEvent(new Event('change', { bubbles: true }));
      await new Promise<void>((resolve, reject) => {
        const deadline = t0 + 20_000;
        const check = () => {
          const th =
            document.querySelector('[data-testid="explorer-table"] thead th')?.textContent?.trim() ?? '';
          const busy = document.querySelector('[aria-busy="true"], .state.loading');
          if (th.replace(/[↓↑]/g, '').trim() === expected && !busy) resolve();
          else if (performance.now() > deadline) reject(new Error(`not drawn: "${th}" vs "${expected}"`));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
      // The frame that shows it.
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      return performance.now() - t0;
    }, step);
    if (ms >= 0 && !seen.has(step.expected)) changes.push(ms);
    seen.add(step.expected);
  }
  await context.close();
  const changeSummary = latencySummary(changes);
  log(
    `explorer change p50 ${changeSummary.p50.toFixed(0)} ms p95 ${changeSummary.p95.toFixed(0)} ms over ${changes.length}`,
  );

  const kb = (b: number) => Math.round(b / 102.4) / 10;
  const figures = [
    figure(
      `Overview largest contentful paint after login, p95 of ${RUNS} cold loads`,
      Math.round(lcpSummary.p95),
      'ms',
      {
        target: { op: '<', value: 1000 },
      },
    ),
    figure('Overview with its data drawn (total and chart bars), p95', Math.round(drawnSummary.p95), 'ms'),
    figure(
      'Overview: last GraphQL answer received, from navigation, p95',
      Math.round(answerSummary.p95),
      'ms',
    ),
    figure(
      `Explorer change of grouping drawn, p95 of ${changes.length} changes`,
      Math.round(changeSummary.p95),
      'ms',
      {
        target: { op: '<', value: 300 },
      },
    ),
    figure('JavaScript of the first page (login), gzip', kb(firstJs.bytes), 'KiB'),
    figure('JavaScript after login on the overview (all chunks), gzip', kb(overviewJs.bytes), 'KiB'),
  ];
  const report = {
    name: 'dashboard',
    title: 'Dashboard in Chromium: overview paint, explorer changes, JavaScript size',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
    figures,
    notes: [
      `${EVENTS.toLocaleString('en-US')} demo events (libs/demo, seed 1) over 90 days, loaded by \`demo load\` in ${loaded.seconds} s into database ${db.name}.`,
      `The built dashboard (vite preview) and the API as its own process on localhost; Debian Chromium, headless, 1440×900, a fresh profile per overview load (an empty HTTP cache: every file is fetched again) holding the storage one login through the login form left (the token and the remembered \`me\` answer).`,
      `LCP is Chromium's largest-contentful-paint entry; "data drawn" is the first frame with the total and chart bars. p50: LCP ${Math.round(lcpSummary.p50)} ms, data ${Math.round(drawnSummary.p50)} ms, last of ${Math.max(...graphqlCalls)} GraphQL answers ${Math.round(answerSummary.p50)} ms after navigation.`,
      `Explorer: each step changes one select (group by / then by) to a grouping not shown before, timed in the page from the change event to the frame after the table shows that grouping with nothing loading (p50 ${Math.round(changeSummary.p50)} ms).`,
      `First page JS: ${firstJs.files.join(', ')} (${kb(firstJs.raw)} KiB raw). Overview: ${overviewJs.files.length} files, ${kb(overviewJs.raw)} KiB raw; the charting library is its own chunk, loaded only after login.`,
    ],
    details: {
      machine,
      events: EVENTS,
      load: loaded,
      lcp,
      drawn,
      lastAnswer,
      graphqlCalls,
      changes,
      firstJs,
      overviewJs,
    },
  };
  const path = writeReport(report);
  console.log(`\n${report.title}`);
  console.table(
    figures.map((f) => ({
      figure: f.name,
      value: `${f.value.toLocaleString('en-US')} ${f.unit}`,
      target: f.target ? `${f.target.op} ${f.target.value}: ${f.target.met ? 'met' : 'NOT met'}` : '',
    })),
  );
  for (const note of report.notes) console.log(`- ${note}`);
  console.log(`\nfigures: ${path}`);
});
