import type { PrismaClient } from '../prisma';

export interface ModelFactRecord {
  provider: string;
  model: string;
  displayName: string | null;
  contextWindow: number | null;
  maxOutputTokens: number | null;
  inputModalities: string[];
  outputModalities: string[];
  capabilities: string[];
  benchmarks: unknown;
}

/** What the catalog knows of each model beside its price: limits, modalities, capabilities, scores. */
export class ModelFactsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Models whose name, display name or provider contains `term` (any case), by provider and model. */
  search(
    term: string | null | undefined,
    provider: string | null | undefined,
    first: number,
  ): Promise<ModelFactRecord[]> {
    const t = term?.trim();
    return this.prisma.modelFact.findMany({
      where: {
        ...(provider ? { provider } : {}),
        ...(t
          ? {
              OR: [
                { model: { contains: t, mode: 'insensitive' } },
                { displayName: { contains: t, mode: 'insensitive' } },
                { provider: { contains: t, mode: 'insensitive' } },
              ],
            }
          : {}),
      },
      orderBy: [{ provider: 'asc' }, { model: 'asc' }],
      take: first,
    });
  }

  /** Every model's facts (simulation judges eligibility and quality by them). */
  all(): Promise<ModelFactRecord[]> {
    return this.prisma.modelFact.findMany({ orderBy: [{ provider: 'asc' }, { model: 'asc' }] });
  }
}
