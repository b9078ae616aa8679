import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ErrorCode, MAX_EVENTS_PER_BATCH, TokenledgerError } from '@tokenledger/contracts';
import {
  anomalyTruth,
  DemoOptionError,
  DEMO_UNPRICED_MODEL,
  type DemoAnomaly,
  MAX_DEMO_DAYS,
  MAX_DEMO_EVENTS,
  planDemoTraffic,
  type DemoTrafficOptions,
  type DemoTrafficPlan,
} from '@tokenledger/demo';
import { openStore, type Store } from '@tokenledger/db';
import { buildPricer } from '@tokenledger/pricing';
import { withStore } from '../context';
import { sendThroughApi, storedCounts, waitUntilStored } from '../demo/api-loader';
import { bulkLoad, emptyCounts, type LoadCounts } from '../demo/bulk-loader';
import {
  findOrganization,
  organizationHasEvents,
  resolveKey,
  resolveTarget,
  savedDemoKey,
  type DemoTarget,
} from '../demo/demo-target';
import { formatCount, Progress } from '../demo/progress';
import { emit, runCommand, type GlobalOptions } from '../output';
import { CREDENTIALS_FILE } from './seed.command';

interface DemoLoadFlags {
  events: string;
  days: string;
  seed: string;
  org?: string;
  project?: string;
  end?: string;
  via: string;
  apiUrl?: string;
  key?: string;
  concurrency?: string;
  batchSize?: string;
  ifEmpty?: boolean;
  wait: boolean;
  anomalies?: boolean;
  truth?: string;
}

const HOUR_MS = 3_600_000;
const FLAG_OF: Record<keyof DemoTrafficOptions, string> = {
  seed: '--seed',
  events: '--events',
  days: '--days',
  end: '--end',
  project: '--project',
  anomalies: '--anomalies',
};

function invalid(flag: string, message: string): TokenledgerError {
  return new TokenledgerError(ErrorCode.ValidationFailed, `${flag}: ${message}`, [{ path: flag, message }]);
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text.replace(/_/g, ''));
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max)
    throw invalid(
      flag,
      `must be a whole number from ${formatCount(min)} to ${formatCount(max)} (got "${text}")`,
    );
  return n;
}

/** The window's end: a whole UTC hour, by default the hour now in progress began. */
function parseEnd(text: string | undefined, now: Date): Date {
  if (text === undefined) return new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalid('--end', `must be a date or RFC 3339 timestamp (got "${text}")`);
  if (ms > now.getTime())
    throw invalid('--end', `must not be in the future (got ${new Date(ms).toISOString()})`);
  return new Date(Math.floor(ms / HOUR_MS) * HOUR_MS);
}

function plan(options: DemoTrafficOptions): DemoTrafficPlan {
  try {
    return planDemoTraffic(options);
  } catch (error) {
    if (error instanceof DemoOptionError)
      throw invalid(FLAG_OF[error.option], error.message.slice(error.option.length + 2));
    throw error;
  }
}

/** The bulk path's own sessions skip waiting for each commit's WAL flush: a crash mid-load loses
 * at most the last moment of work, and re-running the same load fills it in (eventIds are
 * deterministic and idempotent). The worker's sessions are untouched. */
function bulkDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', `${existing ? `${existing} ` : ''}-c synchronous_commit=off`);
  return url.toString();
}

interface Summary {
  via: 'bulk' | 'api';
  organization: string;
  projects: { slug: string; created: boolean; events: number }[];
  seed: number;
  events: number;
  days: number;
  window: { from: string; to: string };
  eventIdPrefix: string;
  modelSwitch: { feature: string; from: string; to: string; start: string; end: string };
  stored: number;
  alreadyStored: number;
  conflicts: number;
  pricing: LoadCounts['pricing'];
  unpriced: number;
  totalSpendUsd: string;
  /** With --anomalies: the injected anomalies (ground truth), and the events added by them. */
  anomalies?: DemoAnomaly[];
  seconds: number;
  eventsPerSecond: number;
  api?: {
    url: string;
    requests: number;
    retries: number;
    accepted: number;
    rejected: number;
    rejections: unknown[];
  };
}

function summarize(
  via: 'bulk' | 'api',
  p: DemoTrafficPlan,
  target: DemoTarget,
  counts: LoadCounts,
  stored: { stored: number; alreadyStored: number; conflicts: number },
  ms: number,
): Summary {
  return {
    via,
    organization: target.organization.slug,
    projects: p.projects.map((slug) => ({
      slug,
      created: target.created.includes(slug),
      events: counts.perProject[slug] ?? 0,
    })),
    seed: p.options.seed,
    events: p.options.events,
    days: p.options.days,
    window: { from: p.start.toISOString(), to: p.end.toISOString() },
    eventIdPrefix: p.idPrefix,
    modelSwitch: {
      feature: 'support-chat',
      from: 'openai/gpt-5.5',
      to: 'deepseek/deepseek-v4-pro',
      start: p.switchStart.toISOString(),
      end: p.switchEnd.toISOString(),
    },
    ...stored,
    pricing: counts.pricing,
    // Counted from the pricing outcomes when there are any (--anomalies adds events to the plan's).
    unpriced:
      Object.values(counts.pricing).reduce((a, b) => a + b, 0) > 0
        ? Object.values(counts.pricing).reduce((a, b) => a + b, 0) - counts.pricing.priced
        : p.options.events - counts.pricing.priced,
    totalSpendUsd: counts.spendUsd.toFixed(6),
    ...(p.anomalies.length > 0 ? { anomalies: anomalyTruth(p.anomalies) } : {}),
    seconds: Math.round(ms / 100) / 10,
    eventsPerSecond: Math.round((p.options.events * 1000) / Math.max(1, ms)),
  };
}

function human(s: Summary): string {
  const usd = Number(s.totalSpendUsd).toLocaleString('en-US', { style: 'currency', currency: 'USD' });
  const lines = [
    `Loaded ${formatCount(s.events)} demo events into organization "${s.organization}" in ${s.seconds} s ` +
      `(${formatCount(s.eventsPerSecond)} events/s, ${s.via === 'bulk' ? 'bulk path' : `through ${s.api!.url}`}).`,
    `  window       ${s.window.from} → ${s.window.to} (${s.days} days), seed ${s.seed}, eventIds ${s.eventIdPrefix}0…`,
    `  projects     ${s.projects.map((p) => `${p.slug} ${formatCount(p.events)}${p.created ? ' (created)' : ''}`).join(', ')}`,
    `  stored       ${formatCount(s.stored - s.alreadyStored)} new, ${formatCount(s.alreadyStored)} already there` +
      (s.conflicts ? `, ${formatCount(s.conflicts)} conflicts (kept apart, not applied)` : ''),
    `  total spend  ${usd} (${formatCount(s.pricing.priced)} priced, ${formatCount(s.unpriced)} unpriced — ` +
      `${DEMO_UNPRICED_MODEL.provider}/${DEMO_UNPRICED_MODEL.model} is in no catalog)`,
    `  switch       support-chat moves from gpt-5.5 to deepseek-v4-pro between ${s.modelSwitch.start} and ${s.modelSwitch.end}`,
  ];
  if (s.anomalies) {
    lines.push(
      `  anomalies    ${s.anomalies.length} injected or known (ground truth; --json or --truth for all fields):`,
    );
    for (const a of s.anomalies)
      lines.push(
        `    ${a.id.padEnd(3)} ${a.granularity.padEnd(4)} ${a.start.toISOString()} → ${a.end.toISOString()}  ${a.kind}: ${a.description}`,
      );
  }
  if (s.api?.rejected)
    lines.push(`  rejected     ${formatCount(s.api.rejected)} events: ${JSON.stringify(s.api.rejections)}`);
  return lines.join('\n');
}

async function loadBulk(
  store: Store,
  databaseUrl: string,
  p: DemoTrafficPlan,
  target: DemoTarget,
  flags: DemoLoadFlags,
): Promise<Summary> {
  const snapshot = await store.rates.loadSnapshot({
    organizationId: target.organization.id,
  });
  if (snapshot.tables.length === 0)
    throw new TokenledgerError(
      ErrorCode.ServiceUnavailable,
      'The rate catalog is empty: run `npm run tokenledger -- seed` first, or every event would be unpriced',
    );
  const concurrency = wholeNumber('--concurrency', flags.concurrency ?? '3', 1, 32);
  const batchSize = wholeNumber('--batch-size', flags.batchSize ?? String(MAX_EVENTS_PER_BATCH), 1, 10_000);
  // A store of its own, on connections that do not wait for each commit to reach the disk.
  const bulk = openStore(bulkDatabaseUrl(databaseUrl), { poolSize: concurrency });
  const progress = new Progress('loading', p.options.events);
  try {
    const counts = await bulkLoad({
      plan: p,
      organizationId: target.organization.id,
      projectIds: target.projectIds,
      writer: bulk.store.analytics,
      pricer: buildPricer(snapshot),
      concurrency,
      batchSize,
      onProgress: (n) => progress.update(n),
    });
    const ms = progress.finish();
    return summarize(
      'bulk',
      p,
      target,
      counts,
      {
        stored: counts.stored + counts.duplicates,
        alreadyStored: counts.duplicates,
        conflicts: counts.conflicts,
      },
      ms,
    );
  } finally {
    progress.finish();
    await bulk.close();
  }
}

async function loadThroughApi(
  store: Store,
  apiUrl: string,
  key: string,
  organizationKey: boolean,
  p: DemoTrafficPlan,
  target: DemoTarget,
  flags: DemoLoadFlags,
): Promise<Summary> {
  const concurrency = wholeNumber('--concurrency', flags.concurrency ?? '4', 1, 64);
  const batchSize = wholeNumber(
    '--batch-size',
    flags.batchSize ?? String(MAX_EVENTS_PER_BATCH),
    1,
    MAX_EVENTS_PER_BATCH,
  );
  const startedAt = Date.now();
  // Keys received from this moment on were stored by this load (a second of slack for clock skew).
  const since = new Date(startedAt - 1000);
  const sending = new Progress('sending', p.options.events);
  try {
    const sent = await sendThroughApi({
      plan: p,
      apiUrl,
      key,
      projectHeader: organizationKey,
      concurrency,
      batchSize,
      onProgress: (n) => sending.update(n),
    });
    sending.finish();
    let stored = { stored: 0, storedBefore: 0 };
    if (flags.wait) {
      const landing = new Progress('stored by the worker', sent.accepted);
      stored = await waitUntilStored(store.analytics, target.projectIds, sent.eventIds, {
        since,
        onProgress: (n) => landing.update(n),
      });
      landing.finish();
    }
    const counts = flags.wait
      ? await storedCounts(store.analytics, target.projectIds, sent.eventIds)
      : undefined;
    const ms = Date.now() - startedAt;
    const summary = summarize(
      'api',
      p,
      target,
      counts ?? emptyCounts(),
      { stored: stored.stored, alreadyStored: stored.storedBefore, conflicts: 0 },
      ms,
    );
    summary.api = {
      url: apiUrl,
      requests: sent.requests,
      retries: sent.retries,
      accepted: sent.accepted,
      rejected: sent.rejected,
      rejections: sent.rejections,
    };
    if (sent.rejected > 0) process.exitCode = 1;
    return summary;
  } finally {
    sending.finish();
  }
}

export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('Realistic sample traffic for trying Tokenledger out');
  demo
    .command('load')
    .description(
      'Generate the usage of a plausible company (deterministic per --seed) and load it through the bulk path or the API',
    )
    .option('--events <n>', 'how many events', '100000')
    .option('--days <n>', 'over how many days, ending at --end', '30')
    .option('--org <slug>', 'organization to load into (default: demo, or the key’s with --via api)')
    .option(
      '--project <slug>',
      "put every event in this existing project (default: the demo company's projects)",
    )
    .option('--seed <n>', 'the same seed and options give the same events (eventIds included)', '1')
    .option('--end <timestamp>', 'end of the window, rounded down to the hour (default: the current hour)')
    .option('--via <path>', 'bulk (fast, the worker’s pricing and rollup code without HTTP) or api', 'bulk')
    .option('--api-url <url>', 'the API to send to with --via api (default: API_URL)')
    .option(
      '--key <key>',
      'ingest key for --via api (default: TOKENLEDGER_KEY, or the demo key `seed` saved)',
    )
    .option('--concurrency <n>', 'transactions (bulk) or requests (api) in flight')
    .option('--batch-size <n>', 'events per transaction (bulk) or request (api, at most 1000)')
    .option('--if-empty', 'do nothing when the organization already has events (npm start uses this)')
    .option('--no-wait', 'with --via api: return once the API accepted the events')
    .option(
      '--anomalies',
      'inject seeded anomalies into the last three weeks (customer spikes, 300K-token prompts, an unpriced model, …) and report them as ground truth',
    )
    .option('--truth <file>', 'with --anomalies: also write the ground truth to this JSON file')
    .action(async (flags: DemoLoadFlags, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store, config) => {
          if (flags.via !== 'bulk' && flags.via !== 'api')
            throw invalid('--via', `must be bulk or api (got "${flags.via}")`);
          const events = wholeNumber('--events', flags.events, 1, MAX_DEMO_EVENTS);
          const days = wholeNumber('--days', flags.days, 1, MAX_DEMO_DAYS);
          const seed = wholeNumber('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER);
          const end = parseEnd(flags.end, new Date());

          let orgSlug = flags.org ?? 'demo';
          let project = flags.project;
          let key: { secret: string; organizationKey: boolean } | undefined;
          if (flags.via === 'api') {
            const secret =
              flags.key ??
              process.env.TOKENLEDGER_KEY ??
              (orgSlug === 'demo' ? savedDemoKey(CREDENTIALS_FILE) : undefined);
            if (!secret) throw invalid('--key', 'give an ingest key for --via api (or set TOKENLEDGER_KEY)');
            const resolved = await resolveKey(store, secret);
            if (flags.org && flags.org !== resolved.organizationSlug)
              throw invalid('--org', `the key belongs to organization "${resolved.organizationSlug}"`);
            orgSlug = resolved.organizationSlug;
            if (resolved.projectSlug) {
              if (project && project !== resolved.projectSlug)
                throw invalid('--project', `the key writes only to project "${resolved.projectSlug}"`);
              if (!project)
                process.stderr.write(
                  `The key writes only to project "${resolved.projectSlug}": every event goes there (an organization key spreads them over the demo company's projects).\n`,
                );
              project = resolved.projectSlug;
            }
            key = { secret, organizationKey: resolved.projectSlug === null };
          }

          if (flags.truth && !flags.anomalies) throw invalid('--truth', 'needs --anomalies');
          const p = plan({
            seed,
            events,
            days,
            end,
            ...(project ? { project } : {}),
            ...(flags.anomalies ? { anomalies: true } : {}),
          });
          if (flags.ifEmpty) {
            const org = await findOrganization(store, orgSlug);
            if (await organizationHasEvents(store, org.id)) {
              emit(
                global,
                { skipped: true, reason: `organization "${orgSlug}" already has events` },
                () => `Organization "${orgSlug}" already has events: no demo traffic loaded.`,
              );
              return;
            }
          }
          const target = await resolveTarget(store, orgSlug, p.projects, project);
          const summary =
            flags.via === 'bulk'
              ? await loadBulk(store, config.DATABASE_URL, p, target, flags)
              : await loadThroughApi(
                  store,
                  flags.apiUrl ?? config.API_URL,
                  key!.secret,
                  key!.organizationKey,
                  p,
                  target,
                  flags,
                );
          if (summary.conflicts > 0)
            process.stderr.write(
              `warning: ${summary.conflicts} eventIds were already stored with other content (an older generator?): kept as conflicts\n`,
            );
          if (flags.truth && summary.anomalies)
            writeFileSync(
              flags.truth,
              `${JSON.stringify({ seed, window: summary.window, eventIdPrefix: summary.eventIdPrefix, anomalies: summary.anomalies }, null, 2)}\n`,
            );
          emit(global, summary, () => human(summary));
        }),
      );
    });
}
