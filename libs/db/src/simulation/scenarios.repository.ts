import type { Prisma, PrismaClient } from '../prisma';

export interface ScenarioRecord {
  id: string;
  organizationId: string;
  name: string;
  /** The scenario as the API took it (JSON: dates as ISO strings). */
  definition: unknown;
  createdBy: string | null;
  createdAt: Date;
}

export interface SimulationRunRecord {
  id: string;
  scenarioId: string;
  organizationId: string;
  status: string;
  periodStart: Date;
  periodEnd: Date;
  baselineUsd: Prisma.Decimal | null;
  simulatedUsd: Prisma.Decimal | null;
  result: unknown;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Saved what-if scenarios and the simulation runs made of them, always within one organization. */
export class ScenariosRepository {
  constructor(private readonly prisma: PrismaClient) {}

  list(organizationId: string, first: number): Promise<ScenarioRecord[]> {
    return this.prisma.scenario.findMany({
      where: { organizationId },
      orderBy: { createdAt: 'desc' },
      take: first,
    });
  }

  find(organizationId: string, id: string): Promise<ScenarioRecord | null> {
    return this.prisma.scenario.findFirst({ where: { id, organizationId } });
  }

  /** A new scenario, or a new definition of one of the organization's (null when `id` is not its). */
  async save(
    organizationId: string,
    input: { id?: string | null; name: string; definition: unknown; createdBy: string | null },
  ): Promise<ScenarioRecord | null> {
    const definition = input.definition as Prisma.InputJsonValue;
    if (input.id) {
      const { count } = await this.prisma.scenario.updateMany({
        where: { id: input.id, organizationId },
        data: { name: input.name, definition },
      });
      return count === 0 ? null : this.find(organizationId, input.id);
    }
    return this.prisma.scenario.create({
      data: { organizationId, name: input.name, definition, createdBy: input.createdBy },
    });
  }

  async delete(organizationId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.scenario.deleteMany({ where: { id, organizationId } });
    return count > 0;
  }

  createRun(
    organizationId: string,
    scenarioId: string,
    period: { start: Date; end: Date },
  ): Promise<SimulationRunRecord> {
    return this.prisma.simulationRun.create({
      data: { organizationId, scenarioId, periodStart: period.start, periodEnd: period.end },
    });
  }

  findRun(organizationId: string, id: string): Promise<SimulationRunRecord | null> {
    return this.prisma.simulationRun.findFirst({ where: { id, organizationId } });
  }

  /** A run by id for the worker, with its scenario (the job names its organization too). */
  async runForWorker(
    organizationId: string,
    id: string,
  ): Promise<{ run: SimulationRunRecord; scenario: ScenarioRecord } | null> {
    const run = await this.prisma.simulationRun.findFirst({
      where: { id, organizationId },
      include: { scenario: true },
    });
    if (!run) return null;
    const { scenario, ...rest } = run;
    return { run: rest, scenario };
  }

  async markRunning(id: string): Promise<void> {
    await this.prisma.simulationRun.update({ where: { id }, data: { status: 'running', error: null } });
  }

  async finish(
    id: string,
    outcome: { baselineUsd: string; simulatedUsd: string; result: unknown },
  ): Promise<void> {
    await this.prisma.simulationRun.update({
      where: { id },
      data: {
        status: 'succeeded',
        baselineUsd: outcome.baselineUsd,
        simulatedUsd: outcome.simulatedUsd,
        result: outcome.result as Prisma.InputJsonValue,
        finishedAt: new Date(),
      },
    });
  }

  async fail(id: string, error: string): Promise<void> {
    await this.prisma.simulationRun.update({
      where: { id },
      data: { status: 'failed', error, finishedAt: new Date() },
    });
  }
}
