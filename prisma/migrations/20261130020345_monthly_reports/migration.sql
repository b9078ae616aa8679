/*
  Warnings:

  - A unique constraint covering the columns `[organization_id,month,format,revision]` on the table `reports` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "report_time_zone" TEXT NOT NULL DEFAULT 'UTC';

-- AlterTable
ALTER TABLE "reports" ADD COLUMN     "line_items" INTEGER,
ADD COLUMN     "progress" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "rate_versions" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "rollup_state" JSONB,
ADD COLUMN     "stale_at" TIMESTAMPTZ(3),
ADD COLUMN     "stale_difference_usd" DECIMAL(38,18),
ADD COLUMN     "started_at" TIMESTAMPTZ(3),
ADD COLUMN     "storage_key" TEXT,
ADD COLUMN     "summary_byte_size" INTEGER,
ADD COLUMN     "summary_file_name" TEXT,
ADD COLUMN     "summary_storage_key" TEXT,
ADD COLUMN     "time_zone" TEXT NOT NULL DEFAULT 'UTC',
ADD COLUMN     "total_usd" DECIMAL(38,18),
ADD COLUMN     "trigger" TEXT NOT NULL DEFAULT 'manual';

-- CreateIndex
CREATE UNIQUE INDEX "reports_revision_key" ON "reports"("organization_id", "month", "format", "revision");
