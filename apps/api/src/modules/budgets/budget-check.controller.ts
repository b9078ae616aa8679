import { Controller, Get, Headers, Query } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { bindingBudgets, BudgetStateCache, type BudgetLabels } from '@tokenledger/db';
import { ApiKeyAuthService } from '../auth/api-key-auth.service';

export interface BudgetCheckAnswer {
  allowed: boolean;
  budgets: {
    id: string;
    name: string;
    scope: { kind: string; key: string | null; value: string | null };
    amountUsd: string;
    spentUsd: string;
    exceeded: boolean;
    periodEnd: string;
  }[];
}

const LABELS = ['feature', 'customerId', 'environment', 'model'] as const;

/**
 * `GET /v1/budgets/check` (API.md): may a call with these labels, made by the calling key, go ahead? Answers from the hard
 * budgets' state the worker keeps in Redis (one GET), so it is as fresh as ingestion, not exact to
 * the cent.
 */
@Controller('v1/budgets')
export class BudgetCheckController {
  constructor(
    private readonly auth: ApiKeyAuthService,
    private readonly cache: BudgetStateCache,
  ) {}

  @Get('check')
  async check(
    @Query() query: Record<string, string | string[] | undefined>,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<BudgetCheckAnswer> {
    const principal = await this.auth.authenticate(authorization, 'ingest');
    // The key asking is a label of its own: a hard budget on this key binds its calls.
    const labels: BudgetLabels = { projectId: principal.projectId, apiKeyId: principal.keyId, tags: {} };
    for (const [name, raw] of Object.entries(query)) {
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value === undefined) continue;
      if (value.length > 128)
        throw new TokenledgerError(ErrorCode.ValidationFailed, `${name}: must be at most 128 characters`);
      if (name.startsWith('tag.') && name.length > 4) labels.tags![name.slice(4)] = value;
      else if ((LABELS as readonly string[]).includes(name)) labels[name as (typeof LABELS)[number]] = value;
      else
        throw new TokenledgerError(
          ErrorCode.ValidationFailed,
          `${name}: unknown label (use feature, customerId, environment, model or tag.<key>)`,
        );
    }
    const binding = bindingBudgets(await this.cache.read(principal.organizationId), labels);
    return {
      allowed: !binding.some((b) => b.exceeded),
      budgets: binding.map((b) => ({
        id: b.id,
        name: b.name,
        scope: { kind: b.scopeKind, key: b.scopeKey, value: b.scopeValue },
        amountUsd: b.amountUsd,
        spentUsd: b.spentUsd,
        exceeded: b.exceeded,
        periodEnd: b.periodEnd,
      })),
    };
  }
}
