import { loadConfig, type Config } from '@tokenledger/config';
import { createPrismaClient, type PrismaClient } from '@tokenledger/db';

/** Opens what a command needs and always closes it. */
export async function withPrisma<T>(body: (prisma: PrismaClient, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: 4 });
  try {
    return await body(prisma, config);
  } finally {
    await prisma.$disconnect();
  }
}
