-- CreateTable
CREATE TABLE "rate_version_rollups" (
    "organization_id" UUID NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "rate_version_id" UUID NOT NULL,
    "events" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "rate_version_rollups_pkey" PRIMARY KEY ("organization_id","hour","rate_version_id")
);

-- ───────────── how it is kept (nothing below is expressible in schema.prisma) ─────────────

-- Every statement that inserts events counts them per hour and rate version, in the same
-- transaction, in one lock order (the ingest writer, the group commit and the demo loader alike).
CREATE FUNCTION rate_version_rollups_on_insert() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  INSERT INTO rate_version_rollups (organization_id, hour, rate_version_id, events)
  SELECT n.organization_id, date_trunc('hour', n.occurred_at, 'UTC'),
    coalesce(n.rate_version_id, '00000000-0000-0000-0000-000000000000'::uuid), count(*)
  FROM new_rows n
  GROUP BY 1, 2, 3
  ORDER BY 1, 2, 3
  ON CONFLICT (organization_id, hour, rate_version_id) DO UPDATE SET
    events = rate_version_rollups.events + EXCLUDED.events;
  RETURN NULL;
END $$;

CREATE TRIGGER usage_events_rate_versions_insert AFTER INSERT ON usage_events
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rate_version_rollups_on_insert();

-- Re-pricing moves events from the version that priced them to the one that prices them now.
CREATE FUNCTION rate_version_rollups_on_update() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
  INSERT INTO rate_version_rollups (organization_id, hour, rate_version_id, events)
  SELECT n.organization_id, date_trunc('hour', n.occurred_at, 'UTC'),
    coalesce(n.rate_version_id, '00000000-0000-0000-0000-000000000000'::uuid), sum(n.sign)
  FROM (SELECT o.organization_id, o.occurred_at, o.rate_version_id, -1 AS sign FROM old_rows o
        UNION ALL
        SELECT nw.organization_id, nw.occurred_at, nw.rate_version_id, 1 AS sign FROM new_rows nw) n
  GROUP BY 1, 2, 3
  HAVING sum(n.sign) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (organization_id, hour, rate_version_id) DO UPDATE SET
    events = rate_version_rollups.events + EXCLUDED.events;
  RETURN NULL;
END $$;

CREATE TRIGGER usage_events_rate_versions_update AFTER UPDATE ON usage_events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rate_version_rollups_on_update();

-- The events already stored (one pass over usage_events, once).
INSERT INTO rate_version_rollups (organization_id, hour, rate_version_id, events)
SELECT organization_id, date_trunc('hour', occurred_at, 'UTC'),
  coalesce(rate_version_id, '00000000-0000-0000-0000-000000000000'::uuid), count(*)
FROM usage_events
GROUP BY 1, 2, 3;
