# One image for the API, the worker and the dashboard server; docker-compose.yml picks the command.
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production CHECKPOINT_DISABLE=1 NX_DAEMON=false NX_NO_CLOUD=true
COPY package.json package-lock.json .npmrc ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/cli/package.json apps/cli/
COPY apps/dashboard/package.json apps/dashboard/
COPY libs/contracts/package.json libs/contracts/
COPY libs/config/package.json libs/config/
COPY libs/pricing/package.json libs/pricing/
COPY libs/reports/package.json libs/reports/
COPY libs/simulation/package.json libs/simulation/
COPY libs/demo/package.json libs/demo/
COPY libs/db/package.json libs/db/
COPY libs/sdk/package.json libs/sdk/
COPY tests/package.json tests/
RUN npm ci --include=dev --no-audit --no-fund --loglevel=error
COPY . .
RUN node scripts/build.mjs
EXPOSE 4000 5173
CMD ["node", "apps/api/dist/main.js"]
