-- CreateTable
CREATE TABLE "daily_traffic_mix" (
    "id" BIGSERIAL NOT NULL,
    "organization_id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "feature" TEXT NOT NULL DEFAULT '',
    "environment" TEXT NOT NULL,
    "input_min" BIGINT NOT NULL,
    "output_min" BIGINT NOT NULL,
    "modalities" TEXT NOT NULL,
    "service_tier" TEXT NOT NULL,
    "window_minute" SMALLINT NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "priced_requests" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_write_1h_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_tokens" BIGINT NOT NULL DEFAULT 0,
    "input_audio_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_audio_tokens" BIGINT NOT NULL DEFAULT 0,
    "input_image_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(38,18) NOT NULL DEFAULT 0,

    CONSTRAINT "daily_traffic_mix_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "traffic_mix_layout" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "input_floors" BIGINT[],
    "output_floors" BIGINT[],
    "window_starts" INTEGER[],
    "window_minutes" INTEGER[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "traffic_mix_layout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "daily_traffic_mix_organization_id_day_idx" ON "daily_traffic_mix"("organization_id", "day");

-- CreateIndex
CREATE UNIQUE INDEX "daily_traffic_mix_cell_key" ON "daily_traffic_mix"("project_id", "day", "provider", "model", "feature", "environment", "input_min", "output_min", "modalities", "service_tier", "window_minute");

-- ───────────── how the traffic mix is kept (nothing below is expressible in schema.prisma) ─────────────

-- Rows are updated in place by every ingest batch (counters only): room for HOT updates.
ALTER TABLE "daily_traffic_mix" SET (fillfactor = 70);

-- The cuts of the built-in catalog as shipped (@pydantic/genai-prices 0.1.8 and MARKET.md):
-- prompt buckets start just above every context window and tier threshold (and at the routing
-- sizes 1K…128K), and the week's minutes fall into classes by the catalog's time-of-day windows
-- (runs: the minute of the week each starts at, and a representative minute of its day).
-- `tokenledger traffic-mix rebuild` recomputes them from the catalog in the database and rebuilds the mix.
INSERT INTO traffic_mix_layout (id, input_floors, output_floors, window_starts, window_minutes) VALUES (
  1,
  '{0,513,1001,2001,4001,4096,4097,6145,8001,8192,8193,12289,16001,16385,16386,24001,30001,32001,32769,40961,60001,60289,64001,65536,65537,81921,110001,120001,123001,127073,128001,131001,131073,144001,160001,163001,163841,196001,200000,200001,202001,202753,202801,204801,205001,256001,262001,262145,264001,265537,272000,272001,300001,328001,400001,500001,512001,524289,890001,1000001,1000193,1040001,1047577,1048001,1048577,1050001,1310721,2000001,10000001}',
  '{0}',
  '{0,30,60,240,360,600,990,1440,1470,1500,1680,1800,2040,2430,2880,2910,2940,3120,3240,3480,3870,4320,4350,4380,4560,4680,4920,5310,5760,5790,5820,6000,6120,6360,6750,7200,7230,7260,7440,7560,7800,8190,8640,8670,8700,8880,9000,9240,9630}',
  '{0,30,60,30,360,30,0,0,30,60,30,360,30,0,0,30,60,30,360,30,0,0,30,60,30,360,30,0,0,30,60,30,360,30,0,0,30,60,30,360,30,0,0,30,60,30,360,30,0}'
);

-- Every statement that inserts events adds them to the mix in the same transaction (the ingest
-- writer's single statement, the group commit, the demo loader alike), in one lock order.
CREATE FUNCTION traffic_mix_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO daily_traffic_mix (organization_id, project_id, day, provider, model, feature, environment, input_min, output_min, modalities, service_tier, window_minute, requests, priced_requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, input_audio_tokens, output_audio_tokens, input_image_tokens, cost_usd)
  SELECT n.organization_id, n.project_id, (n.occurred_at AT TIME ZONE 'UTC')::date, n.provider, n.model,
    n.feature, n.environment,
    l.input_floors[width_bucket(n.input_tokens, l.input_floors)],
    l.output_floors[width_bucket(n.output_tokens, l.output_floors)],
    CASE WHEN n.input_modalities = '{text}' THEN 'text'
      ELSE array_to_string(ARRAY(SELECT DISTINCT m FROM unnest(n.input_modalities) AS m ORDER BY 1), ',') END,
    n.service_tier,
    -- The minute of the week (Monday 00:00 UTC = 0); the Unix epoch began on a Thursday.
    l.window_minutes[width_bucket(
      ((floor(extract(epoch FROM n.occurred_at) / 60)::bigint + 3 * 1440) % 10080)::int,
      l.window_starts)]::smallint,
    count(*),
    coalesce(count(*) FILTER (WHERE n.pricing_status = 'priced'), 0),
    sum(n.input_tokens),
    sum(n.output_tokens),
    sum(n.cache_read_tokens),
    sum(n.cache_write_tokens),
    sum(n.cache_write_1h_tokens),
    sum(n.reasoning_tokens),
    sum(n.input_audio_tokens),
    sum(n.output_audio_tokens),
    sum(n.input_image_tokens),
    coalesce(sum(n.cost_usd) FILTER (WHERE n.pricing_status = 'priced'), 0)
  FROM new_rows n CROSS JOIN traffic_mix_layout l
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  ORDER BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  ON CONFLICT (project_id, day, provider, model, feature, environment, input_min, output_min, modalities, service_tier, window_minute) DO UPDATE SET
    requests = daily_traffic_mix.requests + EXCLUDED.requests,
    priced_requests = daily_traffic_mix.priced_requests + EXCLUDED.priced_requests,
    input_tokens = daily_traffic_mix.input_tokens + EXCLUDED.input_tokens,
    output_tokens = daily_traffic_mix.output_tokens + EXCLUDED.output_tokens,
    cache_read_tokens = daily_traffic_mix.cache_read_tokens + EXCLUDED.cache_read_tokens,
    cache_write_tokens = daily_traffic_mix.cache_write_tokens + EXCLUDED.cache_write_tokens,
    cache_write_1h_tokens = daily_traffic_mix.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
    reasoning_tokens = daily_traffic_mix.reasoning_tokens + EXCLUDED.reasoning_tokens,
    input_audio_tokens = daily_traffic_mix.input_audio_tokens + EXCLUDED.input_audio_tokens,
    output_audio_tokens = daily_traffic_mix.output_audio_tokens + EXCLUDED.output_audio_tokens,
    input_image_tokens = daily_traffic_mix.input_image_tokens + EXCLUDED.input_image_tokens,
    cost_usd = daily_traffic_mix.cost_usd + EXCLUDED.cost_usd;
  RETURN NULL;
END $$;

CREATE TRIGGER usage_events_traffic_mix_insert AFTER INSERT ON usage_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION traffic_mix_on_insert();

-- Re-pricing updates events' cost and status: the mix moves by the difference.
CREATE FUNCTION traffic_mix_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO daily_traffic_mix (organization_id, project_id, day, provider, model, feature, environment, input_min, output_min, modalities, service_tier, window_minute, requests, priced_requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, input_audio_tokens, output_audio_tokens, input_image_tokens, cost_usd)
  SELECT n.organization_id, n.project_id, (n.occurred_at AT TIME ZONE 'UTC')::date, n.provider, n.model,
    n.feature, n.environment,
    l.input_floors[width_bucket(n.input_tokens, l.input_floors)],
    l.output_floors[width_bucket(n.output_tokens, l.output_floors)],
    CASE WHEN n.input_modalities = '{text}' THEN 'text'
      ELSE array_to_string(ARRAY(SELECT DISTINCT m FROM unnest(n.input_modalities) AS m ORDER BY 1), ',') END,
    n.service_tier,
    -- The minute of the week (Monday 00:00 UTC = 0); the Unix epoch began on a Thursday.
    l.window_minutes[width_bucket(
      ((floor(extract(epoch FROM n.occurred_at) / 60)::bigint + 3 * 1440) % 10080)::int,
      l.window_starts)]::smallint,
    sum(n.sign),
    coalesce(sum(n.sign) FILTER (WHERE n.pricing_status = 'priced'), 0),
    sum(n.sign * n.input_tokens),
    sum(n.sign * n.output_tokens),
    sum(n.sign * n.cache_read_tokens),
    sum(n.sign * n.cache_write_tokens),
    sum(n.sign * n.cache_write_1h_tokens),
    sum(n.sign * n.reasoning_tokens),
    sum(n.sign * n.input_audio_tokens),
    sum(n.sign * n.output_audio_tokens),
    sum(n.sign * n.input_image_tokens),
    coalesce(sum(n.sign * n.cost_usd) FILTER (WHERE n.pricing_status = 'priced'), 0)
  FROM (SELECT o.*, -1 AS sign FROM old_rows o UNION ALL SELECT nw.*, 1 AS sign FROM new_rows nw) n CROSS JOIN traffic_mix_layout l
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  ORDER BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  ON CONFLICT (project_id, day, provider, model, feature, environment, input_min, output_min, modalities, service_tier, window_minute) DO UPDATE SET
    requests = daily_traffic_mix.requests + EXCLUDED.requests,
    priced_requests = daily_traffic_mix.priced_requests + EXCLUDED.priced_requests,
    input_tokens = daily_traffic_mix.input_tokens + EXCLUDED.input_tokens,
    output_tokens = daily_traffic_mix.output_tokens + EXCLUDED.output_tokens,
    cache_read_tokens = daily_traffic_mix.cache_read_tokens + EXCLUDED.cache_read_tokens,
    cache_write_tokens = daily_traffic_mix.cache_write_tokens + EXCLUDED.cache_write_tokens,
    cache_write_1h_tokens = daily_traffic_mix.cache_write_1h_tokens + EXCLUDED.cache_write_1h_tokens,
    reasoning_tokens = daily_traffic_mix.reasoning_tokens + EXCLUDED.reasoning_tokens,
    input_audio_tokens = daily_traffic_mix.input_audio_tokens + EXCLUDED.input_audio_tokens,
    output_audio_tokens = daily_traffic_mix.output_audio_tokens + EXCLUDED.output_audio_tokens,
    input_image_tokens = daily_traffic_mix.input_image_tokens + EXCLUDED.input_image_tokens,
    cost_usd = daily_traffic_mix.cost_usd + EXCLUDED.cost_usd;
  RETURN NULL;
END $$;

CREATE TRIGGER usage_events_traffic_mix_update AFTER UPDATE ON usage_events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION traffic_mix_on_update();

-- Recomputes the mix of the UTC days in [p_from, p_to) from the events (after the layout changed).
-- Writers of the mix wait while it runs, so an event is counted exactly once.
CREATE FUNCTION traffic_mix_rebuild(p_from timestamptz, p_to timestamptz) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
BEGIN
  LOCK TABLE daily_traffic_mix IN SHARE ROW EXCLUSIVE MODE;
  DELETE FROM daily_traffic_mix
    WHERE day >= (p_from AT TIME ZONE 'UTC')::date AND day < (p_to AT TIME ZONE 'UTC')::date;
  INSERT INTO daily_traffic_mix (organization_id, project_id, day, provider, model, feature, environment, input_min, output_min, modalities, service_tier, window_minute, requests, priced_requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, input_audio_tokens, output_audio_tokens, input_image_tokens, cost_usd)
  SELECT n.organization_id, n.project_id, (n.occurred_at AT TIME ZONE 'UTC')::date, n.provider, n.model,
    n.feature, n.environment,
    l.input_floors[width_bucket(n.input_tokens, l.input_floors)],
    l.output_floors[width_bucket(n.output_tokens, l.output_floors)],
    CASE WHEN n.input_modalities = '{text}' THEN 'text'
      ELSE array_to_string(ARRAY(SELECT DISTINCT m FROM unnest(n.input_modalities) AS m ORDER BY 1), ',') END,
    n.service_tier,
    -- The minute of the week (Monday 00:00 UTC = 0); the Unix epoch began on a Thursday.
    l.window_minutes[width_bucket(
      ((floor(extract(epoch FROM n.occurred_at) / 60)::bigint + 3 * 1440) % 10080)::int,
      l.window_starts)]::smallint,
    count(*),
    coalesce(count(*) FILTER (WHERE n.pricing_status = 'priced'), 0),
    sum(n.input_tokens),
    sum(n.output_tokens),
    sum(n.cache_read_tokens),
    sum(n.cache_write_tokens),
    sum(n.cache_write_1h_tokens),
    sum(n.reasoning_tokens),
    sum(n.input_audio_tokens),
    sum(n.output_audio_tokens),
    sum(n.input_image_tokens),
    coalesce(sum(n.cost_usd) FILTER (WHERE n.pricing_status = 'priced'), 0)
  FROM (SELECT * FROM usage_events WHERE occurred_at >= p_from AND occurred_at < p_to) n CROSS JOIN traffic_mix_layout l
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  ORDER BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
  GET DIAGNOSTICS written = ROW_COUNT;
  RETURN written;
END $$;

-- Existing events: the mix from the start.
INSERT INTO daily_traffic_mix (organization_id, project_id, day, provider, model, feature, environment, input_min, output_min, modalities, service_tier, window_minute, requests, priced_requests, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, input_audio_tokens, output_audio_tokens, input_image_tokens, cost_usd)
SELECT n.organization_id, n.project_id, (n.occurred_at AT TIME ZONE 'UTC')::date, n.provider, n.model,
    n.feature, n.environment,
    l.input_floors[width_bucket(n.input_tokens, l.input_floors)],
    l.output_floors[width_bucket(n.output_tokens, l.output_floors)],
    CASE WHEN n.input_modalities = '{text}' THEN 'text'
      ELSE array_to_string(ARRAY(SELECT DISTINCT m FROM unnest(n.input_modalities) AS m ORDER BY 1), ',') END,
    n.service_tier,
    -- The minute of the week (Monday 00:00 UTC = 0); the Unix epoch began on a Thursday.
    l.window_minutes[width_bucket(
      ((floor(extract(epoch FROM n.occurred_at) / 60)::bigint + 3 * 1440) % 10080)::int,
      l.window_starts)]::smallint,
    count(*),
    coalesce(count(*) FILTER (WHERE n.pricing_status = 'priced'), 0),
    sum(n.input_tokens),
    sum(n.output_tokens),
    sum(n.cache_read_tokens),
    sum(n.cache_write_tokens),
    sum(n.cache_write_1h_tokens),
    sum(n.reasoning_tokens),
    sum(n.input_audio_tokens),
    sum(n.output_audio_tokens),
    sum(n.input_image_tokens),
    coalesce(sum(n.cost_usd) FILTER (WHERE n.pricing_status = 'priced'), 0)
  FROM usage_events n CROSS JOIN traffic_mix_layout l
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
  ORDER BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
