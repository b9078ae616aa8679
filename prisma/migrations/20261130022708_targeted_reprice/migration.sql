-- AlterTable
ALTER TABLE "reprice_runs" ADD COLUMN     "events_total" INTEGER,
ADD COLUMN     "models" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "scope" TEXT NOT NULL DEFAULT 'all';

-- CreateIndex
CREATE INDEX "usage_events_org_model_time" ON "usage_events"("organization_id", "provider", "model", "occurred_at", "id");
