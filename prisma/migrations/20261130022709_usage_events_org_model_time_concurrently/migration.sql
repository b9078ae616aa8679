-- Targeted re-pricing (issue 20) reads one model's events of an organization in time order through
-- this index. Built CONCURRENTLY, so ingestion keeps writing usage_events while it builds (a plain
-- CREATE INDEX blocks every insert for the minutes a large table takes). CONCURRENTLY cannot run in a
-- transaction block: this file must hold this one statement only (the migration tool and Prisma's
-- engine send a file as one query; a single statement is not wrapped in a transaction). IF NOT EXISTS:
-- databases that applied the earlier form of 20261130022708_targeted_reprice already have it. If a
-- build is interrupted it leaves an INVALID index: DROP INDEX CONCURRENTLY it and apply again.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "usage_events_org_model_time" ON "usage_events"("organization_id", "provider", "model", "occurred_at", "id");
