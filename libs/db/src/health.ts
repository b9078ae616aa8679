import type { PrismaClient } from './prisma';

/** Whether the database answers (readiness). */
export class DatabaseHealth {
  constructor(private readonly prisma: PrismaClient) {}

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }
}
