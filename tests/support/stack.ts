import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '@tokenledger/api/bootstrap';
import { preview, type PreviewServer } from 'vite';
import { listen } from './api';

export interface RunningStack {
  apiUrl: string;
  dashboardUrl: string;
  api: NestFastifyApplication;
  close: () => Promise<void>;
}

/**
 * The API listening on a free port and the built dashboard served by Vite's preview server, whose
 * proxy sends /graphql to that API: what a browser test needs, as `npm start` runs it.
 */
export async function startStack(): Promise<RunningStack> {
  const api = await createApiApp();
  const apiUrl = await listen(api);
  process.env.API_URL = apiUrl;
  const root = join(__dirname, '..', '..', 'apps', 'dashboard');
  const server: PreviewServer = await preview({
    root,
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'silent',
    preview: { port: 0, strictPort: false, host: '127.0.0.1' },
  });
  const dashboardUrl = server.resolvedUrls?.local[0]?.replace(/\/$/, '');
  if (!dashboardUrl) throw new Error('the dashboard preview server did not report its address');
  return {
    apiUrl,
    dashboardUrl,
    api,
    close: async () => {
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
      await api.close();
    },
  };
}
