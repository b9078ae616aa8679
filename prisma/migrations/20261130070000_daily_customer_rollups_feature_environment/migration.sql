-- The daily customer rollup also keeps feature and environment: a customer's spend by feature or by
-- environment over whole days (the explorer's FEATURE × CUSTOMER and CUSTOMER × ENVIRONMENT, a
-- feature filtered to one customer) was read from hourly cells, about 24 times as many rows.

ALTER TABLE "daily_customer_rollups"
    ADD COLUMN "feature" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "environment" TEXT NOT NULL DEFAULT '';
ALTER TABLE "daily_customer_rollups" ALTER COLUMN "environment" DROP DEFAULT;

-- Its rows are rebuilt from the hourly rollups, which hold every dimension (one pass over them,
-- in this migration's transaction). The ALTER above holds the table's exclusive lock until commit:
-- a writer already inside a transaction adds its delta after this rebuild, never lost nor counted
-- twice (the hourly rows it wrote are not in this snapshot). A writer running the code from before
-- this migration fails on the changed unique key and its job is retried by the new code.
TRUNCATE "daily_customer_rollups";
DROP INDEX "daily_customer_rollups_cell_key";

INSERT INTO "daily_customer_rollups" (
    "organization_id", "project_id", "customer_id", "provider", "model", "feature", "environment", "day",
    "requests", "error_requests", "priced_requests", "unpriced_requests",
    "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens",
    "reasoning_tokens", "input_audio_tokens", "output_audio_tokens", "input_image_tokens",
    "unpriced_input_tokens", "unpriced_output_tokens", "latency_ms_sum", "latency_count",
    "cost_usd", "updated_at")
SELECT "organization_id", "project_id", "customer_id", "provider", "model", "feature", "environment",
    ("hour" AT TIME ZONE 'UTC')::date,
    sum("requests"), sum("error_requests"), sum("priced_requests"), sum("unpriced_requests"),
    sum("input_tokens"), sum("output_tokens"), sum("cache_read_tokens"), sum("cache_write_tokens"),
    sum("cache_write_1h_tokens"), sum("reasoning_tokens"), sum("input_audio_tokens"),
    sum("output_audio_tokens"), sum("input_image_tokens"), sum("unpriced_input_tokens"),
    sum("unpriced_output_tokens"), sum("latency_ms_sum"), sum("latency_count"),
    sum("cost_usd"), max("updated_at")
FROM "hourly_rollups"
GROUP BY "organization_id", "project_id", "customer_id", "provider", "model", "feature", "environment",
    ("hour" AT TIME ZONE 'UTC')::date
-- Day first: a range of days reads the pages of those days (the writers append days in order too).
ORDER BY 8, "project_id", "customer_id", "provider", "model", "feature", "environment";

CREATE UNIQUE INDEX "daily_customer_rollups_cell_key" ON "daily_customer_rollups"("project_id", "day", "customer_id", "provider", "model", "feature", "environment");

ANALYZE "daily_customer_rollups";
