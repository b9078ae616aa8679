import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@tokenledger/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApiApp();
  await app.listen({ port: config.PORT, host: config.HOST });
  new Logger('api').log(`API listening on http://${config.HOST}:${config.PORT}`);
}

void main();
