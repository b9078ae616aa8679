import type { Command } from 'commander';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import {
  DEFAULT_BENCHMARK,
  recommendationJson,
  scenarioFromDefinition,
  simulationResultJson,
  type MoveDefinition,
  type ScenarioDefinition,
} from '@tokenledger/simulation';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function invalid(message: string): TokenledgerError {
  return new TokenledgerError(ErrorCode.ValidationFailed, message);
}

function isoDate(flag: string, value: string): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw invalid(`${flag}: "${value}" is not a date (e.g. 2026-06-01)`);
  return d.toISOString();
}

/** `gpt-5.5=deepseek/deepseek-v4-pro`, `openai/gpt-5.5=fireworks/deepseek-v4-pro`, `*=deepseek/deepseek-v4-flash`. */
export function parseMove(text: string, index: number): MoveDefinition {
  const eq = text.indexOf('=');
  const where = `--move[${index}]`;
  if (eq <= 0)
    throw invalid(
      `${where}: "${text}" must read source=provider/model (e.g. gpt-5.5=deepseek/deepseek-v4-pro)`,
    );
  const source = text.slice(0, eq).trim();
  const target = text.slice(eq + 1).trim();
  const slash = target.indexOf('/');
  if (slash <= 0 || slash === target.length - 1)
    throw invalid(`${where}: target "${target}" must be provider/model (e.g. deepseek/deepseek-v4-pro)`);
  const move: MoveDefinition = { toProvider: target.slice(0, slash), toModel: target.slice(slash + 1) };
  if (source !== '*') {
    const s = source.indexOf('/');
    if (s > 0) {
      move.fromProvider = source.slice(0, s);
      move.fromModel = source.slice(s + 1);
    } else move.fromModel = source;
  }
  return move;
}

function efficiency(flag: string, value: string | undefined): MoveDefinition['inputEfficiency'] {
  if (value === undefined) return null;
  if (value === 'calibrated') return { mode: 'CALIBRATED' };
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw invalid(`${flag}: "${value}" must be a positive ratio or "calibrated"`);
  return { mode: 'FIXED', value: n };
}

interface SimulateOptions {
  from: string;
  to: string;
  move: string[];
  org: string;
  project?: string[];
  feature?: string[];
  model?: string[];
  customer?: string[];
  environment?: string[];
  prices: string;
  benchmark: string;
  maxPromptTokens?: string;
  share?: string;
  tier?: string;
  inputEfficiency?: string;
  outputEfficiency?: string;
  cache?: string;
}

function usd(s: string): string {
  const n = Number(s);
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function registerSimulateCommands(program: Command): void {
  program
    .command('simulate')
    .description('What the traffic would have cost with some of it on other models (from the rollups)')
    .requiredOption('--from <date>', 'first day (UTC), inclusive')
    .requiredOption('--to <date>', 'end (UTC), exclusive')
    .requiredOption(
      '--move <source=provider/model>',
      'a move, e.g. gpt-5.5=deepseek/deepseek-v4-pro (repeatable; * for every model)',
      collect,
    )
    .option('--org <slug>', 'organization', 'demo')
    .option('--project <slug>', 'only this project (repeatable)', collect)
    .option('--feature <name>', 'only this feature (repeatable)', collect)
    .option('--model <name>', 'only this model (repeatable)', collect)
    .option('--customer <id>', 'only this end customer (repeatable)', collect)
    .option('--environment <name>', 'only this environment (repeatable)', collect)
    .option('--prices <basis>', 'event-time (rates in force then) or today', 'event-time')
    .option('--benchmark <id>', 'benchmark quality is judged on', DEFAULT_BENCHMARK)
    .option('--max-prompt-tokens <n>', 'move only prompts of at most n tokens')
    .option('--share <fraction>', 'move only this share (0-1] of requests')
    .option(
      '--tier <tier>',
      "target service tier: standard, batch, flex, priority (default: each request's own)",
    )
    .option('--input-efficiency <ratio|calibrated>', "target's input tokens per request ÷ source's")
    .option('--output-efficiency <ratio|calibrated>', "target's output tokens per request ÷ source's")
    .option('--cache <keep|none|fraction>', 'cache reads on the target', 'keep')
    .action(async (options: SimulateOptions, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          if (!['event-time', 'today'].includes(options.prices))
            throw invalid(`--prices: must be event-time or today (got "${options.prices}")`);
          const tier = options.tier?.toUpperCase();
          if (tier && !['STANDARD', 'BATCH', 'FLEX', 'PRIORITY'].includes(tier))
            throw invalid(`--tier: must be standard, batch, flex or priority (got "${options.tier}")`);
          const cacheShare = Number(options.cache);
          const cache: MoveDefinition['cache'] =
            options.cache === 'keep'
              ? { mode: 'KEEP' }
              : options.cache === 'none'
                ? { mode: 'NONE' }
                : Number.isFinite(cacheShare)
                  ? { mode: 'SHARE', share: cacheShare }
                  : (() => {
                      throw invalid(`--cache: must be keep, none or a fraction (got "${options.cache}")`);
                    })();
          const moves = options.move.map((m, i) => ({
            ...parseMove(m, i),
            maxPromptTokens: options.maxPromptTokens ? Number(options.maxPromptTokens) : null,
            share: options.share ? Number(options.share) : null,
            serviceTier: (tier ?? null) as MoveDefinition['serviceTier'],
            inputEfficiency: efficiency('--input-efficiency', options.inputEfficiency),
            outputEfficiency: efficiency('--output-efficiency', options.outputEfficiency),
            cache,
          }));
          const definition: ScenarioDefinition = {
            filter: {
              from: isoDate('--from', options.from),
              to: isoDate('--to', options.to),
              projects: options.project ?? null,
              features: options.feature ?? null,
              models: options.model ?? null,
              customers: options.customer ?? null,
              environments: options.environment ?? null,
            },
            moves,
            prices: options.prices === 'today' ? 'TODAY' : 'EVENT_TIME',
            benchmark: options.benchmark,
          };
          const parsed = scenarioFromDefinition(definition);
          if (!parsed.ok)
            throw new TokenledgerError(
              ErrorCode.ValidationFailed,
              parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
              parsed.errors,
            );
          const org = await store.organizations.requireBySlug(options.org, '--org');
          const result = simulationResultJson(
            await store
              .simulationRunner()
              .simulate(
                { organizationId: org.id, slug: org.slug, projectId: null },
                parsed.scenario,
                new Date(),
              ),
          );
          emit(global, { organization: org.slug, scenario: definition, result }, () =>
            [
              `${org.slug}, ${result.firstDay} to ${result.lastDay} (${result.days} days), prices ${result.prices === 'TODAY' ? 'of today' : 'in force at the time'}`,
              `baseline  ${usd(result.baselineUsd)}   projected ${usd(result.projectedUsd)}   savings ${usd(result.savingsUsd)}${result.savingsPercent ? ` (${Number(result.savingsPercent).toFixed(1)}%)` : ''}`,
              `range     ${usd(result.savingsLowUsd)} to ${usd(result.savingsHighUsd)} saved;  per 30 days ${usd(result.monthlySavingsUsd)}`,
              `moved     ${(result.movedShareOfRequests * 100).toFixed(1)}% of requests, ${(result.movedShareOfTokens * 100).toFixed(1)}% of tokens, ${(result.movedShareOfCost * 100).toFixed(1)}% of cost`,
              ...result.stayed.map(
                (s) => `stays     ${s.reason}: ${s.requests} requests, ${s.tokens} tokens, ${usd(s.costUsd)}`,
              ),
              ...result.quality.map((q) => `quality   ${q.note}`),
              ...result.moves.flatMap((m) =>
                [m.inputEfficiency, m.outputEfficiency]
                  .filter((e) => e.mode === 'CALIBRATED')
                  .map(
                    (e) =>
                      `efficiency ${m.fromModel ?? '*'} → ${m.toModel}: ${e.ratio.toFixed(3)} [${e.low.toFixed(3)}, ${e.high.toFixed(3)}] (${e.method})`,
                  ),
              ),
              'by feature:',
              ...result.byFeature.map(
                (f) =>
                  `  ${f.key || '(none)'}: ${usd(f.baselineUsd)} → ${usd(f.projectedUsd)} (${f.movedRequests} of ${f.requests} requests moved)`,
              ),
              ...result.warnings.map((w) => `note: ${w}`),
            ].join('\n'),
          );
        }),
      );
    });

  program
    .command('recommend')
    .description(
      'For each (feature, model): the cheapest eligible model within a benchmark tolerance, by monthly savings',
    )
    .requiredOption('--from <date>', 'first day (UTC), inclusive')
    .requiredOption('--to <date>', 'end (UTC), exclusive')
    .option('--org <slug>', 'organization', 'demo')
    .option('--feature <name>', 'only this feature (repeatable)', collect)
    .option('--benchmark <id>', 'benchmark quality is judged on', DEFAULT_BENCHMARK)
    .option('--tolerance <points>', 'how far below the current score a target may be', '2')
    .option('--prices <basis>', 'event-time or today', 'event-time')
    .action(
      async (
        options: {
          from: string;
          to: string;
          org: string;
          feature?: string[];
          benchmark: string;
          tolerance: string;
          prices: string;
        },
        command: Command,
      ) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        await runCommand(global, () =>
          withStore(async (store) => {
            const org = await store.organizations.requireBySlug(options.org, '--org');
            const tolerance = Number(options.tolerance);
            if (!Number.isFinite(tolerance))
              throw invalid(`--tolerance: "${options.tolerance}" is not a number`);
            const recs = (
              await store.simulationRunner().recommend(
                { organizationId: org.id, slug: org.slug, projectId: null },
                {
                  filter: {
                    from: new Date(isoDate('--from', options.from)),
                    to: new Date(isoDate('--to', options.to)),
                    features: options.feature ?? null,
                  },
                  benchmark: options.benchmark,
                  tolerance,
                  prices: options.prices === 'today' ? 'today' : 'event-time',
                },
                new Date(),
              )
            ).map(recommendationJson);
            emit(
              global,
              { organization: org.slug, benchmark: options.benchmark, tolerance, recommendations: recs },
              () =>
                recs.length === 0
                  ? 'No traffic in that range.'
                  : recs
                      .map((r) =>
                        r.targetModel
                          ? `${r.feature || '(none)'} on ${r.sourceModel}: → ${r.targetProvider}/${r.targetModel} saves ${usd(r.monthlySavingsUsd)} per 30 days (${Number(r.savingsPercent ?? 0).toFixed(1)}%, ${(r.movableShare * 100).toFixed(0)}% of requests can move); ${r.quality?.note ?? ''}`
                          : `${r.feature || '(none)'} on ${r.sourceModel}: none — ${r.why}`,
                      )
                      .join('\n'),
            );
          }),
        );
      },
    );

  program
    .command('traffic-mix')
    .description('The traffic mix simulation reads (the rollups’ companion)')
    .command('rebuild')
    .description(
      'Recompute its bucket edges and time windows from the catalog, and rebuild it from the events (with progress)',
    )
    .action(async (_options: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          const outcome = await store.simulationRunner().rebuild((p) => {
            process.stderr.write(`rebuilt ${p.day} (${p.done}/${p.total} days, ${p.rows} rows)\n`);
          });
          emit(
            global,
            outcome,
            () =>
              `Rebuilt ${outcome.days} days into ${outcome.rows} rows (${outcome.inputEdges} prompt-size edges, ${outcome.outputEdges} output edges).`,
          );
        }),
      );
    });
}
