-- AlterTable
ALTER TABLE "rate_table_versions" ADD COLUMN     "providers" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "rate_tables" ADD COLUMN     "description" TEXT,
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 100;

-- CreateIndex
CREATE INDEX "rate_table_versions_published_at_idx" ON "rate_table_versions"("published_at");
