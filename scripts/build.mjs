// `npm run build`: the Prisma client, the server code (tsc -b) and the dashboard bundle.
import { prepare } from './lib/prepare.mjs';

try {
  prepare();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
