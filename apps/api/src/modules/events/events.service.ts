import { Injectable } from '@nestjs/common';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { PrismaClient, type Prisma } from '@tokenledger/db';
import type { OrgAccess } from '../access/principal';
import type { EventConnection, EventFilter } from './events.model';

export const MAX_PAGE = 500;

interface Cursor {
  at: string;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(after: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.at !== 'string' || !/^\d+$/.test(String(c.id)) || Number.isNaN(Date.parse(c.at)))
      throw new Error();
    return c;
  } catch {
    throw new TokenledgerError(ErrorCode.ValidationFailed, 'after: not a cursor from this API');
  }
}

/** Raw events for drill-down only (never for totals): newest first, keyset-paginated. */
@Injectable()
export class EventsService {
  constructor(private readonly prisma: PrismaClient) {}

  async events(
    access: OrgAccess,
    filter: EventFilter,
    first: number,
    after: string | null | undefined,
  ): Promise<EventConnection> {
    if (first < 1 || first > MAX_PAGE)
      throw new TokenledgerError(ErrorCode.ValidationFailed, `first: must be between 1 and ${MAX_PAGE}`);
    const projects = await this.prisma.project.findMany({
      where: { organizationId: access.organizationId },
      select: { id: true, slug: true },
    });
    const slugOf = new Map(projects.map((p) => [p.id, p.slug]));
    let projectIds: string[] | undefined;
    if (filter.projects?.length) {
      const missing = filter.projects.filter((s) => !projects.some((p) => p.slug === s));
      if (missing.length)
        throw new TokenledgerError(
          ErrorCode.NotFound,
          `filter.projects: no project ${missing.map((m) => `"${m}"`).join(', ')}`,
        );
      projectIds = projects.filter((p) => filter.projects!.includes(p.slug)).map((p) => p.id);
    }
    if (access.projectId)
      projectIds = (projectIds ?? [access.projectId]).filter((id) => id === access.projectId);

    const where: Prisma.UsageEventWhereInput = {
      organizationId: access.organizationId,
      ...(projectIds ? { projectId: { in: projectIds } } : {}),
      ...(filter.from || filter.to
        ? {
            occurredAt: {
              ...(filter.from ? { gte: filter.from } : {}),
              ...(filter.to ? { lt: filter.to } : {}),
            },
          }
        : {}),
      ...(filter.providers?.length ? { provider: { in: filter.providers } } : {}),
      ...(filter.models?.length ? { model: { in: filter.models } } : {}),
      ...(filter.features?.length ? { feature: { in: filter.features } } : {}),
      ...(filter.customers?.length ? { customerId: { in: filter.customers } } : {}),
      ...(filter.environments?.length ? { environment: { in: filter.environments } } : {}),
      ...(filter.pricingStatuses?.length
        ? { pricingStatus: { in: filter.pricingStatuses as Prisma.EnumPricingStatusFilter['in'] } }
        : {}),
    };
    const and: Prisma.UsageEventWhereInput[] = [];
    if (filter.eventId) {
      // The idempotency keys find an eventId (one per project at most) and give its time, so the
      // events table is read through its (project, time) index rather than scanned.
      const keys = await this.prisma.usageEventKey.findMany({
        where: { eventId: filter.eventId, projectId: { in: projectIds ?? projects.map((p) => p.id) } },
        select: { projectId: true, occurredAt: true },
      });
      if (keys.length === 0) return { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } };
      and.push({
        eventId: filter.eventId,
        OR: keys.map((k) => ({ projectId: k.projectId, occurredAt: k.occurredAt })),
      });
    }
    if (after) {
      const c = decodeCursor(after);
      const at = new Date(c.at);
      and.push({ OR: [{ occurredAt: { lt: at } }, { occurredAt: at, id: { lt: BigInt(c.id) } }] });
    }
    if (and.length) where.AND = and;
    const rows = await this.prisma.usageEvent.findMany({
      where,
      orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    });
    const page = rows.slice(0, first);
    const last = page[page.length - 1];
    return {
      nodes: page.map((e) => ({
        eventId: e.eventId,
        project: slugOf.get(e.projectId) ?? e.projectId,
        occurredAt: e.occurredAt,
        receivedAt: e.receivedAt,
        provider: e.provider,
        model: e.model,
        usage: {
          inputTokens: Number(e.inputTokens),
          outputTokens: Number(e.outputTokens),
          cacheReadTokens: Number(e.cacheReadTokens),
          cacheWriteTokens: Number(e.cacheWriteTokens),
          cacheWrite1hTokens: Number(e.cacheWrite1hTokens),
          reasoningTokens: Number(e.reasoningTokens),
          inputAudioTokens: Number(e.inputAudioTokens),
          outputAudioTokens: Number(e.outputAudioTokens),
          inputImageTokens: Number(e.inputImageTokens),
        },
        serviceTier: e.serviceTier,
        feature: e.feature || null,
        customerId: e.customerId || null,
        environment: e.environment,
        inputModalities: e.inputModalities,
        latencyMs: e.latencyMs,
        status: e.status,
        tags: Object.entries((e.tags ?? {}) as Record<string, string>).map(([key, value]) => ({
          key,
          value,
        })),
        source: e.source,
        costUsd: e.costUsd ? e.costUsd.toFixed() : null,
        costBreakdown: Object.entries((e.costBreakdown ?? {}) as Record<string, string>).map(
          ([component, usd]) => ({ component, usd }),
        ),
        pricingStatus: e.pricingStatus,
        pricingReason: e.pricingReason,
        pricingFlags: e.pricingFlags,
        rateVersionId: e.rateVersionId,
        pricedModel: e.pricedModel,
      })),
      pageInfo: {
        endCursor: last ? encodeCursor({ at: last.occurredAt.toISOString(), id: last.id.toString() }) : null,
        hasNextPage: rows.length > first,
      },
    };
  }
}
