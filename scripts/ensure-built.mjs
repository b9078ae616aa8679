// Used before running built code from an npm script (CLI, migrations): build what is out of date.
import { ensureDependencies, ensurePrismaClient, buildServer } from './lib/prepare.mjs';

try {
  ensureDependencies();
  ensurePrismaClient();
  buildServer();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
