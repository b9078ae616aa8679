import { ErrorCode, TOKEN_KINDS, TokenledgerError, type UsageField } from '@tokenledger/contracts';
import type { Prisma, PrismaClient } from '../prisma';
import type { ProjectsRepository } from '../accounts/projects.repository';
import type { OrgScope } from '../accounts/scope';

export const MAX_EVENT_PAGE = 500;

/** Which raw events to list (every list narrows; empty lists do not). */
export interface EventQuery {
  from?: Date | null;
  to?: Date | null;
  projects?: readonly string[] | null;
  providers?: readonly string[] | null;
  models?: readonly string[] | null;
  features?: readonly string[] | null;
  customers?: readonly string[] | null;
  environments?: readonly string[] | null;
  pricingStatuses?: readonly string[] | null;
  /** One client eventId. */
  eventId?: string | null;
}

/** One stored event as the drill-down shows it. */
export interface StoredEvent {
  eventId: string;
  /** Project slug. */
  project: string;
  occurredAt: Date;
  receivedAt: Date;
  provider: string;
  model: string;
  /** Tokens by kind, every kind present. */
  usage: Record<UsageField, number>;
  serviceTier: string;
  feature: string | null;
  customerId: string | null;
  environment: string;
  inputModalities: string[];
  latencyMs: number | null;
  status: string;
  tags: { key: string; value: string }[];
  source: string;
  costUsd: string | null;
  costBreakdown: { component: string; usd: string }[];
  pricingStatus: string;
  pricingReason: string | null;
  pricingFlags: string[];
  rateVersionId: string | null;
  pricedModel: string | null;
}

export interface EventPage {
  nodes: StoredEvent[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

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

type EventRow = Awaited<ReturnType<PrismaClient['usageEvent']['findMany']>>[number];

function toStored(e: EventRow, slugOf: Map<string, string>): StoredEvent {
  return {
    eventId: e.eventId,
    project: slugOf.get(e.projectId) ?? e.projectId,
    occurredAt: e.occurredAt,
    receivedAt: e.receivedAt,
    provider: e.provider,
    model: e.model,
    usage: Object.fromEntries(TOKEN_KINDS.map((k) => [k.field, Number(e[k.field])])) as Record<
      UsageField,
      number
    >,
    serviceTier: e.serviceTier,
    feature: e.feature || null,
    customerId: e.customerId || null,
    environment: e.environment,
    inputModalities: e.inputModalities,
    latencyMs: e.latencyMs,
    status: e.status,
    tags: Object.entries((e.tags ?? {}) as Record<string, string>).map(([key, value]) => ({ key, value })),
    source: e.source,
    costUsd: e.costUsd ? e.costUsd.toFixed() : null,
    costBreakdown: Object.entries((e.costBreakdown ?? {}) as Record<string, string>).map(
      ([component, usd]) => ({
        component,
        usd,
      }),
    ),
    pricingStatus: e.pricingStatus,
    pricingReason: e.pricingReason,
    pricingFlags: e.pricingFlags,
    rateVersionId: e.rateVersionId,
    pricedModel: e.pricedModel,
  };
}

/** Raw events for drill-down only (never for totals): newest first, keyset-paginated. */
export class UsageEventsRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly projects: ProjectsRepository,
  ) {}

  async page(
    scope: OrgScope,
    filter: EventQuery,
    first: number,
    after: string | null | undefined,
  ): Promise<EventPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_EVENT_PAGE)
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `first: must be between 1 and ${MAX_EVENT_PAGE}`,
      );
    const slugOf = await this.projects.slugsById(scope.organizationId);
    let projectIds: string[] | undefined;
    if (filter.projects?.length) {
      const bySlug = new Map([...slugOf].map(([id, slug]) => [slug, id]));
      const missing = filter.projects.filter((s) => !bySlug.has(s));
      if (missing.length)
        throw new TokenledgerError(
          ErrorCode.NotFound,
          `filter.projects: no project ${missing.map((m) => `"${m}"`).join(', ')}`,
        );
      projectIds = filter.projects.map((s) => bySlug.get(s)!);
    }
    if (scope.projectId)
      projectIds = (projectIds ?? [scope.projectId]).filter((id) => id === scope.projectId);

    const where: Prisma.UsageEventWhereInput = {
      organizationId: scope.organizationId,
      ...(projectIds ? { projectId: { in: projectIds } } : {}),
      ...(filter.from || filter.to
        ? {
            occurredAt: {
              ...(filter.from ? { gte: filter.from } : {}),
              ...(filter.to ? { lt: filter.to } : {}),
            },
          }
        : {}),
      ...(filter.providers?.length ? { provider: { in: [...filter.providers] } } : {}),
      ...(filter.models?.length ? { model: { in: [...filter.models] } } : {}),
      ...(filter.features?.length ? { feature: { in: [...filter.features] } } : {}),
      ...(filter.customers?.length ? { customerId: { in: [...filter.customers] } } : {}),
      ...(filter.environments?.length ? { environment: { in: [...filter.environments] } } : {}),
      ...(filter.pricingStatuses?.length
        ? { pricingStatus: { in: [...filter.pricingStatuses] as Prisma.EnumPricingStatusFilter['in'] } }
        : {}),
    };
    const and: Prisma.UsageEventWhereInput[] = [];
    if (filter.eventId) {
      // The idempotency keys find an eventId (one per project at most) and give its time, so the
      // events table is read through its (project, time) index rather than scanned.
      const keys = await this.prisma.usageEventKey.findMany({
        where: { eventId: filter.eventId, projectId: { in: projectIds ?? [...slugOf.keys()] } },
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
      nodes: page.map((e) => toStored(e, slugOf)),
      pageInfo: {
        endCursor: last ? encodeCursor({ at: last.occurredAt.toISOString(), id: last.id.toString() }) : null,
        hasNextPage: rows.length > first,
      },
    };
  }

  /** True when the organization holds any usage event. */
  async organizationHasEvents(organizationId: string): Promise<boolean> {
    const event = await this.prisma.usageEvent.findFirst({ where: { organizationId }, select: { id: true } });
    return event !== null;
  }
}
