import { versionCoverage } from '@tokenledger/pricing';
import type { PgPool } from '../pg';
import type { PrismaClient } from '../prisma';
import { RateTableRepository } from '../rates/rate-table.repository';

/** A reported provider and model name, as events carry them. */
export interface ModelKey {
  provider: string;
  model: string;
}

export interface RepriceScopeInput {
  organizationId: string | null;
  rateVersionId: string | null;
  since: Date;
  until: Date | null;
}

/**
 * What a run must look at: for a run triggered by a published version, only the provider/model
 * names of the organization's events in range that the version can price differently
 * (`versionCoverage`: the rates it adds, changes or drops, so also unpriced names it can now
 * price); null (every event in range) for a manual run or a run across organizations.
 * The names come from the daily rollups, so planning costs a few thousand rows, not the events.
 */
export async function planRepriceScope(
  prisma: PrismaClient,
  pool: PgPool,
  run: RepriceScopeInput,
): Promise<ModelKey[] | null> {
  if (!run.rateVersionId || !run.organizationId) return null;
  const snapshot = await new RateTableRepository(prisma).loadSnapshot({ organizationId: run.organizationId });
  if (!snapshot.tables.some((t) => t.versions.some((v) => v.id === run.rateVersionId))) return null;
  const covers = versionCoverage(snapshot, run.rateVersionId, run.since, run.until);
  const names = (
    await pool.query<ModelKey>(
      `SELECT DISTINCT provider, model FROM daily_rollups
       WHERE organization_id = $1 AND day >= ($2::timestamptz AT TIME ZONE 'UTC')::date
         AND ($3::timestamptz IS NULL OR day <= ($3::timestamptz AT TIME ZONE 'UTC')::date)
       ORDER BY provider, model`,
      [run.organizationId, run.since, run.until],
    )
  ).rows;
  return names.filter((n) => covers(n.provider, n.model));
}
