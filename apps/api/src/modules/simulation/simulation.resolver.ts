import { Args, Float, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { isUuid, ScenariosRepository } from '@tokenledger/db';
import { DEFAULT_BENCHMARK } from '@tokenledger/simulation';
import { Access, OrgRead, OrgWideRead, OrgWideWrite } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { SpendFilter } from '../spend/dto/spend.input';
import { PriceBasis, ScenarioInput } from './dto/scenario.input';
import { Recommendation, SavedScenario, SimulationResult, SimulationRun } from './models/simulation.model';
import { SimulationService } from './simulation.service';

@Resolver()
export class SimulationResolver {
  constructor(
    private readonly simulation: SimulationService,
    private readonly saved: ScenariosRepository,
  ) {}

  @Query(() => SimulationResult, {
    description:
      'What the traffic would have cost with the moves made, at once. Read from the traffic mix (rollups).',
    complexity: 20,
  })
  @OrgRead()
  async simulate(
    @Access() access: OrgAccess,
    @Args('scenario') scenario: ScenarioInput,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<SimulationResult> {
    return (await this.simulation.simulate(access, scenario)) as SimulationResult;
  }

  @Query(() => [Recommendation], {
    description:
      'For each (feature, current model): the cheapest eligible target whose benchmark score is at most `tolerance` below, ranked by monthly savings.',
    complexity: 30,
  })
  @OrgRead()
  async recommendations(
    @Access() access: OrgAccess,
    @Args('filter') filter: SpendFilter,
    @Args('benchmark', { defaultValue: DEFAULT_BENCHMARK }) benchmark: string,
    @Args('tolerance', { type: () => Float, defaultValue: 2, description: 'Points of the benchmark (≥ 0).' })
    tolerance: number,
    @Args('prices', { type: () => PriceBasis, defaultValue: PriceBasis.EVENT_TIME }) prices: PriceBasis,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<Recommendation[]> {
    return (await this.simulation.recommendations(
      access,
      filter,
      benchmark,
      tolerance,
      prices,
    )) as Recommendation[];
  }

  @Query(() => [SavedScenario], { description: "This organization's saved scenarios, newest first." })
  @OrgWideRead()
  async scenarios(
    @Access() access: OrgAccess,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<SavedScenario[]> {
    if (first < 1 || first > 200)
      throw new TokenledgerError(ErrorCode.ValidationFailed, 'first: must be between 1 and 200');
    return this.saved.list(access.organizationId, first);
  }

  @Mutation(() => SavedScenario, { description: 'Saves a new scenario, or a new definition of one (id).' })
  @OrgWideWrite()
  async saveScenario(
    @Access() access: OrgAccess,
    @Args('name') name: string,
    @Args('scenario') scenario: ScenarioInput,
    @Args('id', { type: () => ID, nullable: true }) id?: string,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<SavedScenario> {
    return this.simulation.save(access, id, name, scenario);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes a saved scenario and its runs; false when there was none.',
  })
  @OrgWideWrite()
  async deleteScenario(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<boolean> {
    return isUuid(id) ? this.saved.delete(access.organizationId, id) : false;
  }

  @Mutation(() => SimulationRun, {
    description:
      'Runs a saved scenario in the background (the simulate queue); read it with simulationRun(id).',
  })
  @OrgWideWrite()
  async startSimulationRun(
    @Access() access: OrgAccess,
    @Args('scenarioId', { type: () => ID }) scenarioId: string,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<SimulationRun> {
    return (await this.simulation.startRun(access, scenarioId)) as SimulationRun;
  }

  @Query(() => SimulationRun, { nullable: true })
  @OrgWideRead()
  async simulationRun(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args('org', { type: () => String, nullable: true }) _org?: string,
  ): Promise<SimulationRun | null> {
    return isUuid(id)
      ? ((await this.saved.findRun(access.organizationId, id)) as SimulationRun | null)
      : null;
  }
}
