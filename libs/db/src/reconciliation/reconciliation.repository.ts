import {
  RECONCILE_TOKEN_KINDS,
  type MappingKind,
  type OurUsageCell,
  type ProviderCostRow,
  type ProviderImport,
  type ProviderMappingEntry,
  type ProviderUsageRow,
  type ReconcileProvider,
} from '@tokenledger/reports';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import Decimal from 'decimal.js';
import type { PgPool } from '../pg';
import type { PrismaClient } from '../prisma';
import type { SecretBox } from '../secret-box';

/** A provider connection as every API shows it: never the admin key. */
export interface ProviderConnectionView {
  provider: ReconcileProvider;
  baseUrl: string;
  lastImportAt: Date | null;
  lastImportStatus: string | null;
  lastImportError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProviderMappingView extends ProviderMappingEntry {
  id: string;
  provider: ReconcileProvider;
  projectId: string;
}

export const DEFAULT_BASE_URLS: Record<ReconcileProvider, string> = {
  openai: 'https://api.openai.com',
  anthropic: 'https://api.anthropic.com',
};

/** The AAD a key is sealed with: a sealed value copied to another organization or provider does not open. */
const purposeOf = (organizationId: string, provider: string) =>
  `provider-admin-key:${organizationId}:${provider}`;

const COLUMNS: Record<(typeof RECONCILE_TOKEN_KINDS)[number], string> = {
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cacheReadTokens: 'cache_read_tokens',
  cacheWriteTokens: 'cache_write_tokens',
  cacheWrite1hTokens: 'cache_write_1h_tokens',
  inputAudioTokens: 'input_audio_tokens',
  outputAudioTokens: 'output_audio_tokens',
};

/**
 * Reconciliation's storage: provider connections (admin keys sealed by the secret box), mappings
 * of provider projects/workspaces/keys to Tokenledger projects, the imported usage and cost
 * buckets, and what Tokenledger priced (from the daily rollups). Every read and write takes the
 * organization.
 */
export class ReconciliationRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: PgPool,
    private readonly secrets: () => SecretBox,
  ) {}

  async connections(organizationId: string): Promise<ProviderConnectionView[]> {
    const rows = await this.prisma.providerConnection.findMany({
      where: { organizationId },
      orderBy: { provider: 'asc' },
      omit: { adminKeySealed: true },
    });
    return rows.map((r) => ({ ...r, provider: r.provider as ReconcileProvider }));
  }

  async connection(
    organizationId: string,
    provider: ReconcileProvider,
  ): Promise<ProviderConnectionView | null> {
    return (await this.connections(organizationId)).find((c) => c.provider === provider) ?? null;
  }

  /** Connects (or reconnects) a provider: the key is sealed before it reaches the database. */
  async setConnection(
    organizationId: string,
    provider: ReconcileProvider,
    adminKey: string,
    baseUrl: string | null,
  ): Promise<ProviderConnectionView> {
    const sealed = this.secrets().seal(adminKey, purposeOf(organizationId, provider));
    const url = baseUrl ?? DEFAULT_BASE_URLS[provider];
    await this.prisma.providerConnection.upsert({
      where: { organizationId_provider: { organizationId, provider } },
      create: { organizationId, provider, baseUrl: url, adminKeySealed: sealed },
      update: { baseUrl: url, adminKeySealed: sealed, lastImportError: null, lastImportStatus: null },
    });
    return (await this.connection(organizationId, provider))!;
  }

  async removeConnection(organizationId: string, provider: ReconcileProvider): Promise<boolean> {
    const { count } = await this.prisma.providerConnection.deleteMany({
      where: { organizationId, provider },
    });
    return count > 0;
  }

  /** The opened admin key, for the importer only: never return it from an API or log it. */
  async adminKey(
    organizationId: string,
    provider: ReconcileProvider,
  ): Promise<{ baseUrl: string; adminKey: string } | null> {
    const row = await this.prisma.providerConnection.findUnique({
      where: { organizationId_provider: { organizationId, provider } },
      select: { baseUrl: true, adminKeySealed: true },
    });
    if (!row) return null;
    return {
      baseUrl: row.baseUrl,
      adminKey: this.secrets().open(row.adminKeySealed, purposeOf(organizationId, provider)),
    };
  }

  async recordImport(
    organizationId: string,
    provider: ReconcileProvider,
    at: Date,
    error: string | null,
  ): Promise<void> {
    await this.prisma.providerConnection.updateMany({
      where: { organizationId, provider },
      data: { lastImportAt: at, lastImportStatus: error ? 'failed' : 'ok', lastImportError: error },
    });
  }

  /** Every connection of every organization (the daily schedule). */
  async allConnections(): Promise<{ organizationId: string; provider: ReconcileProvider }[]> {
    const rows = await this.prisma.providerConnection.findMany({
      select: { organizationId: true, provider: true },
    });
    return rows.map((r) => ({ organizationId: r.organizationId, provider: r.provider as ReconcileProvider }));
  }

  async mappings(organizationId: string, provider: ReconcileProvider): Promise<ProviderMappingView[]> {
    const rows = await this.prisma.providerMapping.findMany({
      where: { organizationId, provider },
      include: { project: { select: { slug: true } } },
      orderBy: [{ kind: 'asc' }, { externalId: 'asc' }],
    });
    return rows.map((r) => ({
      id: r.id,
      provider: r.provider as ReconcileProvider,
      kind: r.kind as MappingKind,
      externalId: r.externalId,
      projectId: r.projectId,
      project: r.project.slug,
    }));
  }

  /** Maps a provider project/workspace/key to a project of the same organization (by slug). */
  async setMapping(
    organizationId: string,
    provider: ReconcileProvider,
    kind: MappingKind,
    externalId: string,
    projectSlug: string,
  ): Promise<ProviderMappingView> {
    const project = await this.prisma.project.findFirst({ where: { organizationId, slug: projectSlug } });
    if (!project)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `project: no project "${projectSlug}" in this organization`,
      );
    await this.prisma.providerMapping.upsert({
      where: { organizationId_provider_kind_externalId: { organizationId, provider, kind, externalId } },
      create: { organizationId, provider, kind, externalId, projectId: project.id },
      update: { projectId: project.id },
    });
    return (await this.mappings(organizationId, provider)).find(
      (m) => m.kind === kind && m.externalId === externalId,
    )!;
  }

  async removeMapping(
    organizationId: string,
    provider: ReconcileProvider,
    kind: MappingKind,
    externalId: string,
  ): Promise<boolean> {
    const { count } = await this.prisma.providerMapping.deleteMany({
      where: { organizationId, provider, kind, externalId },
    });
    return count > 0;
  }

  /**
   * Stores an import idempotently: in one transaction, every day the import covers is replaced
   * (its old rows deleted, the new ones inserted, duplicates within the import summed), so an
   * import run twice, or a corrected one, never double counts.
   */
  async storeImport(
    organizationId: string,
    data: ProviderImport,
    source: 'api' | 'file',
  ): Promise<{ usageRows: number; costRows: number }> {
    const usage = mergeUsage(data.usage);
    const costs = mergeCosts(data.costs);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      if (data.usageDays.length > 0)
        await client.query(
          'DELETE FROM provider_usage_buckets WHERE organization_id = $1 AND provider = $2 AND day = ANY($3::date[])',
          [organizationId, data.provider, data.usageDays],
        );
      if (data.costDays.length > 0)
        await client.query(
          'DELETE FROM provider_cost_buckets WHERE organization_id = $1 AND provider = $2 AND day = ANY($3::date[])',
          [organizationId, data.provider, data.costDays],
        );
      for (const [kind, days] of [
        ['usage', data.usageDays],
        ['costs', data.costDays],
      ] as const)
        if (days.length > 0)
          await client.query(
            `INSERT INTO provider_import_days (organization_id, provider, kind, day, source)
             SELECT $1, $2, $3, d, $5 FROM unnest($4::date[]) AS d
             ON CONFLICT (organization_id, provider, kind, day) DO UPDATE SET source = excluded.source, imported_at = now()`,
            [organizationId, data.provider, kind, days, source],
          );
      for (let i = 0; i < usage.length; i += 500) {
        const chunk = usage.slice(i, i + 500);
        await client.query(
          `INSERT INTO provider_usage_buckets (organization_id, provider, source, day, model, external_project_id, api_key_id,
             service_tier, requests, web_search_requests, ${RECONCILE_TOKEN_KINDS.map((k) => COLUMNS[k]).join(', ')})
           SELECT $1, $2, $3, * FROM jsonb_to_recordset($4::jsonb) AS r(day date, model text, "externalProjectId" text,
             "apiKeyId" text, "serviceTier" text, requests bigint, "webSearchRequests" bigint,
             ${RECONCILE_TOKEN_KINDS.map((k) => `"${k}" bigint`).join(', ')})`,
          [organizationId, data.provider, source, JSON.stringify(chunk)],
        );
      }
      for (let i = 0; i < costs.length; i += 500) {
        const chunk = costs.slice(i, i + 500).map((c) => ({ ...c, amountUsd: c.amountUsd.toFixed() }));
        await client.query(
          `INSERT INTO provider_cost_buckets (organization_id, provider, source, day, model, external_project_id, line_item,
             service_tier, charge_kind, amount_usd)
           SELECT $1, $2, $3, * FROM jsonb_to_recordset($4::jsonb) AS r(day date, model text, "externalProjectId" text,
             "lineItem" text, "serviceTier" text, "chargeKind" text, "amountUsd" numeric)`,
          [organizationId, data.provider, source, JSON.stringify(chunk)],
        );
      }
      await client.query('COMMIT');
      return { usageRows: usage.length, costRows: costs.length };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The stored provider buckets of a month, and the days they cover. */
  async providerMonth(
    organizationId: string,
    provider: ReconcileProvider,
    month: string,
  ): Promise<ProviderImport> {
    const [from, to] = monthDays(month);
    const usage = await this.pool.query<Record<string, string>>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, model, external_project_id, api_key_id, service_tier,
              requests::text, web_search_requests::text, ${RECONCILE_TOKEN_KINDS.map((k) => `${COLUMNS[k]}::text`).join(', ')}
       FROM provider_usage_buckets WHERE organization_id = $1 AND provider = $2 AND day >= $3::date AND day < $4::date`,
      [organizationId, provider, from, to],
    );
    const costs = await this.pool.query<Record<string, string>>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, model, external_project_id, line_item, service_tier, charge_kind,
              amount_usd::text
       FROM provider_cost_buckets WHERE organization_id = $1 AND provider = $2 AND day >= $3::date AND day < $4::date`,
      [organizationId, provider, from, to],
    );
    const usageRows: ProviderUsageRow[] = usage.rows.map((r) => ({
      day: r.day!,
      model: r.model!,
      externalProjectId: r.external_project_id!,
      apiKeyId: r.api_key_id!,
      serviceTier: r.service_tier!,
      requests: Number(r.requests),
      webSearchRequests: Number(r.web_search_requests),
      ...(Object.fromEntries(RECONCILE_TOKEN_KINDS.map((k) => [k, Number(r[COLUMNS[k]])])) as Record<
        (typeof RECONCILE_TOKEN_KINDS)[number],
        number
      >),
    }));
    const costRows: ProviderCostRow[] = costs.rows.map((r) => ({
      day: r.day!,
      model: r.model!,
      externalProjectId: r.external_project_id!,
      lineItem: r.line_item!,
      serviceTier: r.service_tier!,
      chargeKind: r.charge_kind as ProviderCostRow['chargeKind'],
      amountUsd: new Decimal(r.amount_usd!),
    }));
    const covered = await this.pool.query<{ kind: string; day: string }>(
      `SELECT kind, to_char(day, 'YYYY-MM-DD') AS day FROM provider_import_days
       WHERE organization_id = $1 AND provider = $2 AND day >= $3::date AND day < $4::date`,
      [organizationId, provider, from, to],
    );
    return {
      provider,
      usage: usageRows,
      costs: costRows,
      usageDays: covered.rows.filter((r) => r.kind === 'usage').map((r) => r.day),
      costDays: covered.rows.filter((r) => r.kind === 'costs').map((r) => r.day),
    };
  }

  /** What Tokenledger priced for the provider in the month: day × project × model, from the daily rollups. */
  async ourMonth(
    organizationId: string,
    provider: ReconcileProvider,
    month: string,
  ): Promise<OurUsageCell[]> {
    const [from, to] = monthDays(month);
    const { rows } = await this.pool.query<Record<string, string>>(
      `SELECT to_char(r.day, 'YYYY-MM-DD') AS day, p.slug AS project, r.model,
              sum(r.requests)::text AS requests, sum(r.unpriced_requests)::text AS unpriced_requests,
              ${RECONCILE_TOKEN_KINDS.map((k) => `sum(r.${COLUMNS[k]})::text AS ${COLUMNS[k]}`).join(', ')},
              sum(r.cost_usd)::text AS cost_usd
       FROM daily_rollups r JOIN projects p ON p.id = r.project_id
       WHERE r.organization_id = $1 AND r.provider = $2 AND r.day >= $3::date AND r.day < $4::date
       GROUP BY 1, 2, 3`,
      [organizationId, provider, from, to],
    );
    return rows.map((r) => ({
      day: r.day!,
      project: r.project!,
      model: r.model!,
      requests: Number(r.requests),
      unpricedRequests: Number(r.unpriced_requests),
      costUsd: new Decimal(r.cost_usd!),
      ...(Object.fromEntries(RECONCILE_TOKEN_KINDS.map((k) => [k, Number(r[COLUMNS[k]])])) as Record<
        (typeof RECONCILE_TOKEN_KINDS)[number],
        number
      >),
    }));
  }
}

function monthDays(month: string): [string, string] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [`${month}-01`, `${next}-01`];
}

function mergeUsage(rows: ProviderUsageRow[]): ProviderUsageRow[] {
  const out = new Map<string, ProviderUsageRow>();
  for (const r of rows) {
    const key = [r.day, r.model, r.externalProjectId, r.apiKeyId, r.serviceTier].join('\u0000');
    const had = out.get(key);
    if (!had) out.set(key, { ...r });
    else {
      had.requests += r.requests;
      had.webSearchRequests += r.webSearchRequests;
      for (const k of RECONCILE_TOKEN_KINDS) had[k] += r[k];
    }
  }
  return [...out.values()];
}

function mergeCosts(rows: ProviderCostRow[]): ProviderCostRow[] {
  const out = new Map<string, ProviderCostRow>();
  for (const r of rows) {
    const key = [r.day, r.model, r.externalProjectId, r.lineItem, r.serviceTier].join('\u0000');
    const had = out.get(key);
    if (!had) out.set(key, { ...r });
    else had.amountUsd = had.amountUsd.plus(r.amountUsd);
  }
  return [...out.values()];
}
