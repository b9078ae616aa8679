import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import {
  parseMonth,
  parseProviderFile,
  ProviderPageError,
  reconcile,
  type Reconciliation,
  type ReconcileProvider,
} from '@tokenledger/reports';
import { fetchProviderReports, type ProviderApiOptions } from './provider-api.client';
import type { ReconciliationRepository } from './reconciliation.repository';

export interface ImportOutcome {
  provider: ReconcileProvider;
  usageDays: number;
  costDays: number;
  usageRows: number;
  costRows: number;
}

function monthRange(month: string): { from: Date; to: Date } {
  const m = parseMonth(month);
  if (!m)
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `month: "${month}" is not a month such as 2026-10`,
    );
  return { from: new Date(Date.UTC(m.year, m.month - 1, 1)), to: new Date(Date.UTC(m.year, m.month, 1)) };
}

/**
 * Reconciliation for the API, the worker and the CLI alike: imports (a provider's API with the
 * stored admin key, or a file of its pages) and the month's comparison (libs/reports' reconcile
 * over the stored buckets, the mappings and the daily rollups).
 */
export class Reconciler {
  constructor(private readonly repo: ReconciliationRepository) {}

  async reconcile(
    organizationId: string,
    provider: ReconcileProvider,
    month: string,
  ): Promise<Reconciliation> {
    monthRange(month);
    const [theirs, ours, mappings] = await Promise.all([
      this.repo.providerMonth(organizationId, provider, month),
      this.repo.ourMonth(organizationId, provider, month),
      this.repo.mappings(organizationId, provider),
    ]);
    return reconcile({
      provider,
      month,
      usage: theirs.usage,
      costs: theirs.costs,
      usageDays: theirs.usageDays,
      costDays: theirs.costDays,
      ours,
      mappings,
    });
  }

  /** Imports a file of API pages; a bad file is a VALIDATION_FAILED naming the line or page and the field. */
  async importFile(
    organizationId: string,
    provider: ReconcileProvider,
    text: string,
  ): Promise<ImportOutcome> {
    let parsed;
    try {
      parsed = parseProviderFile(provider, text);
    } catch (error) {
      if (error instanceof ProviderPageError)
        throw new TokenledgerError(ErrorCode.ValidationFailed, `file: ${error.message}`, {
          where: error.where,
        });
      throw error;
    }
    const stored = await this.repo.storeImport(organizationId, parsed, 'file');
    return { provider, usageDays: parsed.usageDays.length, costDays: parsed.costDays.length, ...stored };
  }

  /**
   * Imports [from, to) (default: the month) from the provider's API with the stored admin key and
   * records the outcome on the connection (the error, never the key).
   */
  async importFromApi(
    organizationId: string,
    provider: ReconcileProvider,
    month: string,
    now: Date,
    options: ProviderApiOptions = {},
  ): Promise<ImportOutcome> {
    const range = monthRange(month);
    const to =
      range.to < now
        ? range.to
        : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
    const connection = await this.repo.adminKey(organizationId, provider);
    if (!connection)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `provider: ${provider} is not connected for this organization`,
      );
    try {
      const data = await fetchProviderReports(
        provider,
        connection.baseUrl,
        connection.adminKey,
        range.from,
        to,
        options,
      );
      const stored = await this.repo.storeImport(organizationId, data, 'api');
      await this.repo.recordImport(organizationId, provider, now, null);
      return { provider, usageDays: data.usageDays.length, costDays: data.costDays.length, ...stored };
    } catch (error) {
      await this.repo
        .recordImport(organizationId, provider, now, (error as Error).message)
        .catch(() => undefined);
      throw error;
    }
  }
}
