import { Logger } from '@nestjs/common';
import { loadConfigOrExit } from '@tokenledger/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await createApiApp();
  await app.listen({ port: config.PORT, host: config.HOST });
  new Logger('api').log(`API listening on http://${config.HOST}:${config.PORT}`);
}

void main();
