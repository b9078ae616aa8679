import type { Command } from 'commander';
import { checkBudget, isTimeZone, periodAt } from '@tokenledger/budgeting';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { isUuid, resolveBudgetScope, type AnomalyDimension } from '@tokenledger/db';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

interface CreateOptions {
  org: string;
  name: string;
  amount: string;
  scope: string;
  project?: string;
  key?: string;
  value?: string;
  period: string;
  periodDays?: string;
  startsAt?: string;
  timeZone: string;
  thresholds: string;
  hard?: boolean;
}

export function registerBudgetCommands(program: Command): void {
  const budgets = program.command('budgets').description('Budgets: list with their status, create');

  budgets
    .command('list')
    .description('List the budgets of an organization with spend so far, remaining and when they reset')
    .option('--org <slug>', 'organization slug', 'demo')
    .option('--history <n>', 'past periods to show', '0')
    .action(async (options: { org: string; history: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          const org = await store.organizations.requireBySlug(options.org);
          const history = Number(options.history);
          if (!Number.isInteger(history) || history < 0 || history > 24)
            throw new TokenledgerError(ErrorCode.ValidationFailed, 'history: must be from 0 to 24');
          const now = new Date();
          const list = await store.budgets.list(org.id);
          const rows = await Promise.all(
            list.map(async (b) => {
              const s = await store.budgetEvaluator.status(
                { organizationId: org.id, slug: org.slug },
                b,
                now,
                history,
              );
              return {
                id: b.id,
                name: b.name,
                kind: b.kind,
                scope: { kind: b.scopeKind, project: s.projectSlug, key: b.scopeKey, value: b.scopeValue },
                period: b.period,
                timeZone: b.timeZone,
                amountUsd: b.amountUsd.toFixed(),
                spentUsd: s.spentUsd.toFixed(),
                remainingUsd: s.remainingUsd.toFixed(),
                percentUsed: s.percentUsed,
                periodStart: s.period.start.toISOString(),
                periodEnd: s.period.end.toISOString(),
                resetsInDays: s.resetsInDays,
                crossedThresholds: s.crossedThresholds,
                history: s.history.map((h) => ({
                  start: h.start.toISOString(),
                  end: h.end.toISOString(),
                  spentUsd: h.spentUsd.toFixed(),
                  crossed: h.crossed,
                })),
              };
            }),
          );
          emit(global, { organization: org.slug, budgets: rows }, () =>
            rows.length === 0
              ? `No budgets in ${org.slug}.`
              : rows
                  .map(
                    (r) =>
                      `${r.name} [${r.kind}, ${r.scope.kind}${r.scope.value ? `=${r.scope.value}` : ''}${r.scope.project ? `=${r.scope.project}` : ''}]: ` +
                      `$${Number(r.spentUsd).toFixed(2)} of $${Number(r.amountUsd).toFixed(2)} (${r.percentUsed}%), ` +
                      `$${Number(r.remainingUsd).toFixed(2)} left, resets in ${r.resetsInDays} day(s)`,
                  )
                  .join('\n'),
          );
        }),
      );
    });

  budgets
    .command('create')
    .description(
      'Create a budget (hard budgets are enforced by GET /v1/budgets/check once the worker refreshes, within a minute)',
    )
    .option('--org <slug>', 'organization slug', 'demo')
    .requiredOption('--name <name>', 'budget name')
    .requiredOption('--amount <usd>', 'USD per period')
    .option(
      '--scope <kind>',
      'organization | project | feature | customer | environment | model | tag | api_key',
      'organization',
    )
    .option('--project <slug>', 'project (scope project)')
    .option('--key <tagKey>', 'tag key (scope tag)')
    .option(
      '--value <value>',
      'feature, customer, environment, model or tag value; for api_key the key id or its prefix (keys list)',
    )
    .option('--period <period>', 'month | week | day | custom', 'month')
    .option('--period-days <n>', 'length of a custom period in days')
    .option('--starts-at <date>', 'start of custom periods (ISO date)')
    .option('--time-zone <tz>', 'IANA zone of calendar periods', 'UTC')
    .option('--thresholds <list>', 'comma-separated percentages', '50,80,100')
    .option('--hard', 'hard budget: the check endpoint and the SDK refuse once it is spent')
    .action(async (options: CreateOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          const org = await store.organizations.requireBySlug(options.org);
          const now = new Date();
          let value = options.value ?? null;
          if (options.scope === 'api_key' && value && !isUuid(value)) {
            // `keys list` shows keys by prefix: a key may be named by it as well as by its id.
            const key = (await store.apiKeys.list(org.id)).find((k) => k.prefix === value);
            if (!key)
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                `scope.value: no API key "${value}" in this organization`,
              );
            value = key.id;
          }
          const spec = checkBudget(
            {
              name: options.name,
              scope: {
                kind: options.scope as never,
                project: options.project ?? null,
                key: options.key ?? null,
                value,
              },
              amountUsd: options.amount,
              period: options.period,
              periodDays: options.periodDays === undefined ? null : Number(options.periodDays),
              startsAt: options.startsAt ? new Date(options.startsAt) : null,
              timeZone: options.timeZone,
              thresholds: options.thresholds.split(',').map((t) => Number(t.trim())),
              kind: options.hard ? 'hard' : 'soft',
            },
            now,
          );
          const { projectId } = await resolveBudgetScope(
            store,
            { organizationId: org.id, projectId: null },
            spec.scope,
          );
          const b = await store.budgets.create(org.id, spec, projectId);
          const result = {
            id: b.id,
            organization: org.slug,
            name: b.name,
            kind: b.kind,
            scope: { kind: b.scopeKind, project: spec.scope.project, key: b.scopeKey, value: b.scopeValue },
            amountUsd: b.amountUsd.toFixed(),
            period: b.period,
            periodDays: b.periodDays,
            timeZone: b.timeZone,
            thresholds: b.thresholds,
          };
          emit(
            global,
            result,
            () =>
              `Created ${b.kind} budget "${b.name}" (${b.id}): $${b.amountUsd.toFixed()} per ${b.period}.`,
          );
        }),
      );
    });
}

export function registerForecastCommands(program: Command): void {
  program
    .command('forecast')
    .description('Month-end spend of an organization (or a project) with a range, beside the run rate')
    .option('--org <slug>', 'organization slug', 'demo')
    .option('--month <YYYY-MM>', 'the current month or a later one (default: the current month)')
    .option('--project <slug>', 'one project only')
    .option('--time-zone <tz>', 'IANA zone of the month', 'UTC')
    .action(
      async (
        options: { org: string; month?: string; project?: string; timeZone: string },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        await runCommand(global, () =>
          withStore(async (store) => {
            const org = await store.organizations.requireBySlug(options.org);
            const now = new Date();
            const month = options.month ?? now.toISOString().slice(0, 7);
            const m = /^(\d{4})-(\d{2})$/.exec(month);
            if (!m) throw new TokenledgerError(ErrorCode.ValidationFailed, 'month: must be YYYY-MM');
            if (!isTimeZone(options.timeZone))
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                `timeZone: "${options.timeZone}" is not an IANA time zone`,
              );
            let projectId: string | null = null;
            if (options.project) {
              const p = await store.projects.findBySlug(org.id, options.project);
              if (!p)
                throw new TokenledgerError(ErrorCode.NotFound, `project: no project "${options.project}"`);
              projectId = p.id;
            }
            const period = periodAt(
              { period: 'month', timeZone: options.timeZone, startsAt: now },
              new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 15)),
            );
            if (period.end <= now)
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                'month: must be the current month or a later one',
              );
            const f = await store.budgetEvaluator.forecast(
              { organizationId: org.id, slug: org.slug },
              {
                projectId,
                scopeKind: projectId ? 'project' : 'organization',
                scopeKey: null,
                scopeValue: null,
                timeZone: options.timeZone,
              },
              period,
              period.start > now ? period.start : now,
            );
            const result = {
              organization: org.slug,
              project: options.project ?? null,
              month,
              spentUsd: f.spentUsd.toFixed(),
              expectedUsd: f.expectedUsd.toFixed(),
              lowUsd: f.lowUsd.toFixed(),
              highUsd: f.highUsd.toFixed(),
              runRateUsd: f.runRateUsd.toFixed(),
            };
            emit(
              global,
              result,
              () =>
                `${org.slug}${options.project ? `/${options.project}` : ''} ${month}: $${result.spentUsd} so far, ` +
                `forecast $${result.expectedUsd} (80% range $${result.lowUsd}–$${result.highUsd}); run rate $${result.runRateUsd}`,
            );
          }),
        );
      },
    );

  program
    .command('anomalies')
    .description('Unusual spend per project, feature, customer or model since a date')
    .option('--org <slug>', 'organization slug', 'demo')
    .requiredOption('--since <date>', 'examine days (or hours) from this date on')
    .option('--by <dimension>', 'project | feature | customer | model', 'customer')
    .option('--hourly', 'hourly buckets instead of daily')
    .action(
      async (options: { org: string; since: string; by: string; hourly?: boolean }, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        await runCommand(global, () =>
          withStore(async (store) => {
            const org = await store.organizations.requireBySlug(options.org);
            const dimension = options.by.toUpperCase();
            if (!['PROJECT', 'FEATURE', 'CUSTOMER', 'MODEL'].includes(dimension))
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                'by: must be project, feature, customer or model',
              );
            const since = new Date(options.since);
            if (Number.isNaN(since.getTime()))
              throw new TokenledgerError(ErrorCode.ValidationFailed, 'since: is not a date');
            const found = await store.anomalies.find(
              { organizationId: org.id, slug: org.slug, projectId: null },
              {
                dimension: dimension as AnomalyDimension,
                granularity: options.hourly ? 'HOUR' : 'DAY',
                since,
                limit: 50,
              },
              new Date(),
            );
            emit(global, { organization: org.slug, anomalies: found }, () =>
              found.length === 0
                ? 'No unusual spend.'
                : found
                    .map(
                      (a) =>
                        `${a.bucketStart.toISOString()} ${a.dimension.toLowerCase()} ${a.value || '(none)'}: ${a.kind}, ` +
                        `$${a.actual.costUsd.toFixed(2)} vs $${a.baseline.costUsd.toFixed(2)} usual; ` +
                        `${a.actual.requests} requests vs ${a.baseline.requests}; ` +
                        `${Math.round(a.actual.tokensPerRequest)} tokens/request vs ${Math.round(a.baseline.tokensPerRequest)}`,
                    )
                    .join('\n'),
            );
          }),
        );
      },
    );
}
