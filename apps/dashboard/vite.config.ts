import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard talks to the API through this server's proxy, so the browser sees one origin.
const api = process.env.API_URL ?? 'http://127.0.0.1:4000';
const port = Number(process.env.DASHBOARD_PORT ?? 5173);
const host = process.env.DASHBOARD_HOST ?? '127.0.0.1';
const proxy = { '/graphql': api, '/v1': api, '/healthz': api, '/readyz': api };

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // The charting library is most of the bundle (about 600 kB, 180 kB gzipped); one chunk is fine here.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { host, port, strictPort: true, proxy },
  preview: { host, port, strictPort: true, proxy },
});
