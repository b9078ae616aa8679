/*
  Warnings:

  - You are about to drop the column `scope` on the `budgets` table. All the data in the column will be lost.
  - You are about to drop the column `webhook_url` on the `budgets` table. All the data in the column will be lost.
  - A unique constraint covering the columns `[budget_id,period_start,threshold,kind]` on the table `alerts` will be added. If there are existing duplicate values, this will fail.
  - Added the required column `scope_kind` to the `budgets` table without a default value. This is not possible if the table is not empty.

*/
-- DropIndex
DROP INDEX "alerts_budget_id_period_start_threshold_key";

-- AlterTable
ALTER TABLE "alerts" ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'crossed',
ADD COLUMN     "projected_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "budgets" DROP COLUMN "scope",
DROP COLUMN "webhook_url",
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'soft',
ADD COLUMN     "period_days" INTEGER,
ADD COLUMN     "project_id" UUID,
ADD COLUMN     "scope_key" TEXT,
ADD COLUMN     "scope_kind" TEXT NOT NULL,
ADD COLUMN     "scope_value" TEXT,
ADD COLUMN     "starts_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "time_zone" TEXT NOT NULL DEFAULT 'UTC',
ADD COLUMN     "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "tag_rollups" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "tag_key" TEXT NOT NULL,
    "tag_value" TEXT NOT NULL,
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

    CONSTRAINT "tag_rollups_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tag_rollups_organization_id_tag_key_hour_idx" ON "tag_rollups"("organization_id", "tag_key", "hour");

-- CreateIndex
CREATE UNIQUE INDEX "tag_rollups_cell_key" ON "tag_rollups"("project_id", "hour", "tag_key", "tag_value");

-- CreateIndex
CREATE UNIQUE INDEX "alerts_budget_id_period_start_threshold_kind_key" ON "alerts"("budget_id", "period_start", "threshold", "kind");
