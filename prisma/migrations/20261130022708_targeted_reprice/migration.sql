-- AlterTable
ALTER TABLE "reprice_runs" ADD COLUMN     "events_total" INTEGER,
ADD COLUMN     "models" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "scope" TEXT NOT NULL DEFAULT 'all';

-- The index targeted runs read through, usage_events_org_model_time, is built by the next
-- migration, CONCURRENTLY (it cannot run inside this one's transaction).
