-- Two changes that make each stored event cheaper for PostgreSQL, the largest CPU cost of ingestion.

-- usage_event_keys (primary key project_id, event_id) already finds an event by its eventId: it
-- gives occurred_at, and usage_events_project_id_occurred_at_idx does the rest. A second index on
-- the events table cost one more B-tree insert per event and answered nothing the keys don't.
DROP INDEX "usage_events_project_id_event_id_idx";

-- Rollup rows are updated in place by every ingest batch (counters only; no indexed column
-- changes). Room on each page lets PostgreSQL make those updates HOT: the new row version stays on
-- the same page and no index entry is written, which is most of the cost of an upsert that hits.
-- Prisma's schema cannot express storage parameters, so they live only here (drift ignores them).
ALTER TABLE "hourly_rollups" SET (fillfactor = 70);
ALTER TABLE "daily_rollups" SET (fillfactor = 70);
ALTER TABLE "daily_customer_rollups" SET (fillfactor = 70);
