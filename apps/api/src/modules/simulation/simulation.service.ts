import { Injectable } from '@nestjs/common';
import { ErrorCode, JOB_NAMES, TokenledgerError } from '@tokenledger/contracts';
import { isUuid, ScenariosRepository, Store, within, type SimulationRunner } from '@tokenledger/db';
import {
  daysOf,
  filterErrors,
  recommendationJson,
  scenarioFromDefinition,
  simulationResultJson,
  type PriceBasis as LibPriceBasis,
  type RecommendationJson,
  type ScenarioDefinition,
  type SimulationResultJson,
} from '@tokenledger/simulation';
import type { OrgAccess } from '../access/principal';
import { QueueProvider } from '../queue/queue.provider';
import type { SpendFilter } from '../spend/dto/spend.input';
import { PriceBasis, type ScenarioInput } from './dto/scenario.input';

/** A ScenarioInput as JSON (what is saved and what the worker reads back). */
export function definitionOf(input: ScenarioInput): ScenarioDefinition {
  const { from, to, ...rest } = input.filter;
  return {
    filter: { from: from.toISOString(), to: to.toISOString(), ...rest },
    moves: input.moves.map((m) => ({ ...m })) as ScenarioDefinition['moves'],
    prices: input.prices ?? PriceBasis.EVENT_TIME,
    benchmark: input.benchmark ?? null,
    featureBenchmarks: input.featureBenchmarks ?? null,
  };
}

function scenarioOf(definition: ScenarioDefinition) {
  const parsed = scenarioFromDefinition(definition);
  if (!parsed.ok)
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      parsed.errors,
    );
  return parsed.scenario;
}

/** What-if savings for GraphQL: the runner in libs/db over the stored data; runs go to the simulate queue. */
@Injectable()
export class SimulationService {
  private readonly runner: SimulationRunner;

  constructor(
    store: Store,
    private readonly scenarios: ScenariosRepository,
    private readonly queues: QueueProvider,
  ) {
    this.runner = store.simulationRunner();
  }

  async simulate(access: OrgAccess, input: ScenarioInput): Promise<SimulationResultJson> {
    const result = await this.runner.simulate(access, scenarioOf(definitionOf(input)), new Date());
    return simulationResultJson(result);
  }

  async recommendations(
    access: OrgAccess,
    filter: SpendFilter,
    benchmark: string,
    tolerance: number,
    prices: PriceBasis,
  ): Promise<RecommendationJson[]> {
    const basis: LibPriceBasis = prices === PriceBasis.TODAY ? 'today' : 'event-time';
    const recs = await this.runner.recommend(
      access,
      { filter, benchmark, tolerance, prices: basis },
      new Date(),
    );
    return recs.map(recommendationJson);
  }

  async save(access: OrgAccess, id: string | null | undefined, name: string, input: ScenarioInput) {
    if (!name.trim()) throw new TokenledgerError(ErrorCode.ValidationFailed, 'name: must not be empty');
    if (id && !isUuid(id)) throw new TokenledgerError(ErrorCode.NotFound, `id: no scenario "${id}"`);
    const definition = definitionOf(input);
    const scenario = scenarioOf(definition);
    const errors = filterErrors(scenario.filter, 'scenario.filter');
    if (scenario.moves.length === 0)
      errors.push({ path: 'scenario.moves', message: 'must name at least one move' });
    if (errors.length > 0)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        errors.map((e) => `${e.path}: ${e.message}`).join('; '),
        errors,
      );
    const createdBy =
      access.principal.kind === 'user' ? access.principal.email : `key:${access.principal.prefix}`;
    const saved = await this.scenarios.save(access.organizationId, {
      id,
      name: name.trim(),
      definition,
      createdBy,
    });
    if (!saved) throw new TokenledgerError(ErrorCode.NotFound, `id: no scenario "${id}"`);
    return saved;
  }

  async startRun(access: OrgAccess, scenarioId: string) {
    const scenario = isUuid(scenarioId) ? await this.scenarios.find(access.organizationId, scenarioId) : null;
    if (!scenario) throw new TokenledgerError(ErrorCode.NotFound, `scenarioId: no scenario "${scenarioId}"`);
    const parsed = scenarioOf(scenario.definition as ScenarioDefinition);
    const range = daysOf(parsed.filter);
    const run = await this.scenarios.createRun(access.organizationId, scenario.id, {
      start: new Date(`${range.first}T00:00:00.000Z`),
      end: new Date(Date.parse(`${range.last}T00:00:00.000Z`) + 86_400_000),
    });
    try {
      await within(
        this.queues.simulate.add(
          JOB_NAMES.simulate,
          { organizationId: access.organizationId, simulationRunId: run.id },
          { jobId: run.id, attempts: 3, backoff: { type: 'exponential', delay: 2000 } },
        ),
        3000,
        'Redis',
      );
    } catch (error) {
      await this.scenarios.fail(run.id, `could not be queued: ${(error as Error).message}`);
      throw new TokenledgerError(ErrorCode.QueueUnavailable, 'the simulate queue is unavailable; try again');
    }
    return run;
  }
}
