-- Budgets per API key: each event records the key that sent it, and a rollup per project × key ×
-- hour answers "spend of key K in period P" without scanning events.
--
-- Safe on a large usage_events: a nullable column without a default is a catalog change only (no
-- table rewrite; the ACCESS EXCLUSIVE lock is held for an instant). Nothing is backfilled: events
-- stored before this migration do not say which key sent them, so they keep NULL and have no row
-- in api_key_rollups (a budget on a key counts from this release on).

-- AlterTable
ALTER TABLE "usage_events" ADD COLUMN     "api_key_id" UUID;

-- CreateTable
CREATE TABLE "api_key_rollups" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "api_key_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "error_requests" BIGINT NOT NULL DEFAULT 0,
    "priced_requests" BIGINT NOT NULL DEFAULT 0,
    "unpriced_requests" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_1h_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_tokens" BIGINT NOT NULL DEFAULT 0,
    "input_audio_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_audio_tokens" BIGINT NOT NULL DEFAULT 0,
    "input_image_tokens" BIGINT NOT NULL DEFAULT 0,
    "unpriced_input_tokens" BIGINT NOT NULL DEFAULT 0,
    "unpriced_output_tokens" BIGINT NOT NULL DEFAULT 0,
    "latency_ms_sum" BIGINT NOT NULL DEFAULT 0,
    "latency_count" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(38,18) NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_key_rollups_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "api_key_rollups_organization_id_api_key_id_hour_idx" ON "api_key_rollups"("organization_id", "api_key_id", "hour");

-- CreateIndex
CREATE UNIQUE INDEX "api_key_rollups_cell_key" ON "api_key_rollups"("project_id", "hour", "api_key_id");
