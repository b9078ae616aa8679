import type { PgPool } from '../pg';

/** Of these eventIds of one project, how many are stored, and how many were received before `since`. */
export async function countStoredEvents(
  pool: PgPool,
  projectId: string,
  eventIds: readonly string[],
  since: Date,
): Promise<{ stored: number; storedBefore: number }> {
  const { rows } = await pool.query<{ n: string; before: string }>(
    `SELECT count(*) AS n, count(*) FILTER (WHERE received_at < $3) AS before
     FROM usage_event_keys WHERE project_id = $1::uuid AND event_id = ANY($2::text[])`,
    [projectId, eventIds, since],
  );
  return { stored: Number(rows[0]!.n), storedBefore: Number(rows[0]!.before) };
}

export interface PricingOutcomeCount {
  status: 'priced' | 'unpriced_model' | 'unpriced_component' | 'error';
  events: number;
  /** USD of these events, null when none is priced. */
  costUsd: string | null;
}

/** How these eventIds of one project were priced: events and cost by pricing status. */
export async function pricingOutcomes(
  pool: PgPool,
  projectId: string,
  eventIds: readonly string[],
): Promise<PricingOutcomeCount[]> {
  const { rows } = await pool.query<{
    status: PricingOutcomeCount['status'];
    n: string;
    cost: string | null;
  }>(
    // The key gives each event's occurred_at: usage_events is indexed by (project, time).
    `SELECT e.pricing_status::text AS status, count(*) AS n, sum(e.cost_usd)::text AS cost
     FROM usage_event_keys k
     JOIN usage_events e
       ON e.project_id = k.project_id AND e.occurred_at = k.occurred_at AND e.event_id = k.event_id
     WHERE k.project_id = $1::uuid AND k.event_id = ANY($2::text[])
     GROUP BY e.pricing_status`,
    [projectId, eventIds],
  );
  return rows.map((r) => ({ status: r.status, events: Number(r.n), costUsd: r.cost }));
}
