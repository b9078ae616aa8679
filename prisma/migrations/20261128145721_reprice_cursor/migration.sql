-- AlterTable
ALTER TABLE "reprice_runs" ADD COLUMN     "cursor" JSONB;
