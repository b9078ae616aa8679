import 'reflect-metadata';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { createApiApp } from '../bootstrap';

/** The committed schema file; the dashboard's types are generated from it. */
export const SCHEMA_FILE = join(__dirname, '..', '..', 'schema.graphql');

const HEADER = '# Generated from the code-first resolvers by `npm run graphql:schema`. Do not edit.\n\n';

/** The schema exactly as the application serves it (built by initialising the real app module). */
export async function buildSchemaSdl(): Promise<string> {
  process.env.LOG_LEVEL ??= 'warn';
  const app = await createApiApp();
  await app.init();
  const { schema } = app.get(GraphQLSchemaHost);
  await app.close();
  return HEADER + printSchema(lexicographicSortSchema(schema)) + '\n';
}

/** `node print-schema.js` writes the file; `--check` exits 1 when the committed file has drifted. */
async function main(): Promise<void> {
  const sdl = await buildSchemaSdl();
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      /* missing counts as drift */
    }
    if (committed !== sdl) {
      console.error(
        `schema.graphql is out of date with the resolvers: run \`npm run graphql:schema\` and commit it.`,
      );
      process.exit(1);
    }
    console.error('schema.graphql matches the resolvers');
    return;
  }
  writeFileSync(SCHEMA_FILE, sdl);
  console.error(`wrote ${SCHEMA_FILE}`);
}

if (require.main === module) void main();
