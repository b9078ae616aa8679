import { randomBytes } from 'node:crypto';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { Prisma } from '../generated/prisma/client';
import { isUuid } from '../accounts/scope';
import type { PrismaClient } from '../prisma';

export type AlertKind = 'crossed' | 'forecast';
export type DestinationFormat = 'json' | 'slack';

export interface AlertRecord {
  id: string;
  budgetId: string;
  periodStart: Date;
  threshold: number;
  kind: AlertKind;
  spentUsd: string;
  projectedAt: Date | null;
  status: string;
  attempts: number;
  createdAt: Date;
}

export interface DestinationRecord {
  id: string;
  organizationId: string;
  name: string;
  url: string;
  format: DestinationFormat;
  createdAt: Date;
}

export interface DeliveryRecord {
  id: string;
  destinationId: string;
  alertId: string | null;
  event: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  createdAt: Date;
}

/** Alerts (one per budget × period × threshold × kind), their destinations and delivery log. */
export class AlertsRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Records that a threshold was reached in a period. Returns the alert when this call created it,
   * null when it existed: the unique key makes each alert once, however many workers race here.
   */
  async record(alert: {
    budgetId: string;
    periodStart: Date;
    threshold: number;
    kind: AlertKind;
    spentUsd: string;
    projectedAt: Date | null;
  }): Promise<AlertRecord | null> {
    try {
      return toAlert(await this.prisma.alert.create({ data: alert, select: ALERT_SELECT }));
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }

  /**
   * Takes an alert to deliver it: true for exactly one of several workers that try (the row only
   * changes while it is as they read it).
   */
  async claim(alert: AlertRecord, now: Date): Promise<boolean> {
    const { count } = await this.prisma.alert.updateMany({
      where: { id: alert.id, status: alert.status, attempts: alert.attempts },
      data: { status: 'sending', claimedAt: now, attempts: { increment: 1 } },
    });
    return count === 1;
  }

  /** Marks a claimed alert delivered (every destination answered 2xx) or failed. */
  async markAttempt(id: string, delivered: boolean, at: Date): Promise<void> {
    await this.prisma.alert.update({
      where: { id },
      data: { status: delivered ? 'delivered' : 'failed', ...(delivered ? { deliveredAt: at } : {}) },
    });
  }

  /**
   * Alerts of an organization still to deliver: new, failed (fewer than `maxAttempts` tries), or
   * taken by a worker that has not finished within `staleMs` (it died).
   */
  async undelivered(
    organizationId: string,
    maxAttempts: number,
    now: Date,
    staleMs = 120_000,
  ): Promise<AlertRecord[]> {
    const rows = await this.prisma.alert.findMany({
      where: {
        attempts: { lt: maxAttempts },
        budget: { organizationId },
        OR: [
          { status: { in: ['pending', 'failed'] } },
          { status: 'sending', claimedAt: { lt: new Date(now.getTime() - staleMs) } },
        ],
      },
      select: ALERT_SELECT,
      orderBy: { createdAt: 'asc' },
      take: 100,
    });
    return rows.map(toAlert);
  }

  async alerts(organizationId: string, budgetId: string | null, first: number): Promise<AlertRecord[]> {
    // An id that is not a UUID names no budget: nothing to list (never a query the column refuses).
    if (budgetId && !isUuid(budgetId)) return [];
    const rows = await this.prisma.alert.findMany({
      where: { budget: { organizationId }, ...(budgetId ? { budgetId } : {}) },
      select: ALERT_SELECT,
      orderBy: { createdAt: 'desc' },
      take: first,
    });
    return rows.map(toAlert);
  }

  async destinations(organizationId: string): Promise<DestinationRecord[]> {
    return (await this.prisma.alertDestination.findMany({
      where: { organizationId },
      select: DESTINATION_SELECT,
      orderBy: { createdAt: 'asc' },
    })) as DestinationRecord[];
  }

  /** Destinations with their signing secrets: for the worker that sends, never for a reader. */
  async destinationsWithSecrets(organizationId: string): Promise<(DestinationRecord & { secret: string })[]> {
    return (await this.prisma.alertDestination.findMany({
      where: { organizationId },
      select: { ...DESTINATION_SELECT, secret: true },
      orderBy: { createdAt: 'asc' },
    })) as (DestinationRecord & { secret: string })[];
  }

  async destination(organizationId: string, id: string): Promise<DestinationRecord & { secret: string }> {
    const row = isUuid(id)
      ? await this.prisma.alertDestination.findFirst({
          where: { id, organizationId },
          select: { ...DESTINATION_SELECT, secret: true },
        })
      : null;
    if (!row) throw new TokenledgerError(ErrorCode.NotFound, `id: no alert destination "${id}"`);
    return row as DestinationRecord & { secret: string };
  }

  /** Creates a destination; its secret is returned here and never again. */
  async createDestination(
    organizationId: string,
    input: { name: string; url: string; format: DestinationFormat },
  ): Promise<{ destination: DestinationRecord; secret: string }> {
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const row = await this.prisma.alertDestination.create({
      data: { organizationId, ...input, secret },
      select: DESTINATION_SELECT,
    });
    return { destination: row as DestinationRecord, secret };
  }

  async deleteDestination(organizationId: string, id: string): Promise<void> {
    await this.destination(organizationId, id);
    await this.prisma.alertDestination.delete({ where: { id } });
  }

  async logDelivery(delivery: Omit<DeliveryRecord, 'id' | 'createdAt'>): Promise<void> {
    await this.prisma.alertDelivery.create({ data: delivery });
  }

  async deliveries(
    organizationId: string,
    destinationId: string | null,
    first: number,
  ): Promise<DeliveryRecord[]> {
    // An id that is not a UUID names no destination: nothing to list.
    if (destinationId && !isUuid(destinationId)) return [];
    return this.prisma.alertDelivery.findMany({
      where: { destination: { organizationId }, ...(destinationId ? { destinationId } : {}) },
      orderBy: { createdAt: 'desc' },
      take: first,
    });
  }
}

const ALERT_SELECT = {
  id: true,
  budgetId: true,
  periodStart: true,
  threshold: true,
  kind: true,
  spentUsd: true,
  projectedAt: true,
  status: true,
  attempts: true,
  createdAt: true,
} as const;

const DESTINATION_SELECT = {
  id: true,
  organizationId: true,
  name: true,
  url: true,
  format: true,
  createdAt: true,
} as const;

function toAlert(
  row: Omit<AlertRecord, 'spentUsd' | 'kind'> & { spentUsd: { toString(): string }; kind: string },
): AlertRecord {
  return { ...row, kind: row.kind as AlertKind, spentUsd: row.spentUsd.toString() };
}
