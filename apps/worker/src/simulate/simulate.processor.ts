import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '@tokenledger/config';
import { isTokenledgerError, type SimulateJob } from '@tokenledger/contracts';
import { ScenariosRepository, Store, type SimulationRunner } from '@tokenledger/db';
import {
  scenarioFromDefinition,
  simulationResultJson,
  type ScenarioDefinition,
} from '@tokenledger/simulation';
import { UnrecoverableError, type Job } from 'bullmq';
import { QueueProcessor } from '../queue-processor';

/**
 * Consumes `{simulate}`: runs a saved scenario (long or many-month ranges) with the same runner
 * the API's `simulate` uses, and stores the result on its SimulationRun.
 */
@Injectable()
export class SimulateProcessor extends QueueProcessor<'simulate', { status: string }> {
  private readonly runner: SimulationRunner;

  constructor(
    @Inject(CONFIG) config: Config,
    store: Store,
    private readonly scenarios: ScenariosRepository,
  ) {
    super(config, 'simulate', { concurrency: 1, lockDuration: 120_000 });
    this.runner = store.simulationRunner();
  }

  async process(job: Job<SimulateJob>): Promise<{ status: string }> {
    const { organizationId, simulationRunId } = job.data;
    const found = await this.scenarios.runForWorker(organizationId, simulationRunId);
    if (!found) throw new UnrecoverableError(`simulation run ${simulationRunId} not found`);
    await this.scenarios.markRunning(simulationRunId);
    await job.updateProgress(10);
    const parsed = scenarioFromDefinition(found.scenario.definition as ScenarioDefinition);
    if (!parsed.ok)
      return this.failNow(simulationRunId, parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    try {
      const result = await this.runner.simulate(
        { organizationId, slug: organizationId, projectId: null },
        parsed.scenario,
        new Date(),
      );
      await job.updateProgress(90);
      const json = simulationResultJson(result);
      await this.scenarios.finish(simulationRunId, {
        baselineUsd: json.baselineUsd,
        simulatedUsd: json.projectedUsd,
        result: json,
      });
      await job.updateProgress(100);
      this.logger.log(`simulation run ${simulationRunId}: $${json.baselineUsd} → $${json.projectedUsd}`);
      return { status: 'succeeded' };
    } catch (error) {
      if (isTokenledgerError(error)) return this.failNow(simulationRunId, error.message);
      throw error;
    }
  }

  /** A scenario that cannot run (invalid, unknown model): failed at once, no retry. */
  private async failNow(runId: string, message: string): Promise<never> {
    await this.scenarios.fail(runId, message.slice(0, 2000));
    throw new UnrecoverableError(message);
  }

  protected async onFailedForGood(job: Job<SimulateJob>, error: Error): Promise<void> {
    this.logger.error(`simulation run ${job.data.simulationRunId} failed: ${error.message}`);
    await this.scenarios.fail(job.data.simulationRunId, error.message.slice(0, 2000));
  }
}
