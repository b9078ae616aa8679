import { defineConfig } from 'prisma/config';

// Migrations never run through the Prisma CLI here (tools/db/migrate.mjs applies them offline);
// the CLI only generates the client, which needs no real URL. Fall back to a placeholder so an
// unset DATABASE_URL cannot break a build.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tokenledger' },
});
