import type { Command } from 'commander';
import { checkBudget } from '@tokenledger/budgeting';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
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
      'organization | project | feature | customer | environment | model | tag',
      'organization',
    )
    .option('--project <slug>', 'project (scope project)')
    .option('--key <tagKey>', 'tag key (scope tag)')
    .option('--value <value>', 'feature, customer, environment, model or tag value')
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
          const spec = checkBudget(
            {
              name: options.name,
              scope: {
                kind: options.scope as never,
                project: options.project ?? null,
                key: options.key ?? null,
                value: options.value ?? null,
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
          let projectId: string | null = null;
          if (spec.scope.project) {
            const project = await store.projects.findBySlug(org.id, spec.scope.project);
            if (!project)
              throw new TokenledgerError(
                ErrorCode.ValidationFailed,
                `scope.project: no project "${spec.scope.project}"`,
              );
            projectId = project.id;
          }
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
