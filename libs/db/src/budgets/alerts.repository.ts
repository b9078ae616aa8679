import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { Prisma } from '../generated/prisma/client';
import { isUuid } from '../accounts/scope';
import type { PrismaClient } from '../prisma';
import type { SecretBox } from '../secret-box';

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

/** A destination with its opened signing secret: for signing only, never returned by an API or logged. */
export type DestinationWithSecret = DestinationRecord & { secret: string };

/**
 * The AAD a signing secret is sealed with: a sealed value copied to another destination or
 * organization does not open.
 */
const purposeOf = (organizationId: string, destinationId: string) =>
  `alert-destination-secret:${organizationId}:${destinationId}`;

/**
 * Alerts (one per budget × period × threshold × kind), their destinations and delivery log.
 * Signing secrets are sealed by the secret box (`secret_sealed`); a destination made before that
 * still has its secret in plaintext in `secret` until `sealLegacySecrets` (the worker, at boot) or
 * its first use seals it and clears the plaintext.
 */
export class AlertsRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly secrets: () => SecretBox,
  ) {}

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

  /** Destinations with their opened signing secrets: for the worker that sends, never for a reader. */
  async destinationsWithSecrets(organizationId: string): Promise<DestinationWithSecret[]> {
    const rows = await this.prisma.alertDestination.findMany({
      where: { organizationId },
      select: SEALED_SELECT,
      orderBy: { createdAt: 'asc' },
    });
    const opened: DestinationWithSecret[] = [];
    for (const row of rows) opened.push(await this.opened(row));
    return opened;
  }

  /** One destination with its opened signing secret ("send test"); NOT_FOUND outside the organization. */
  async destination(organizationId: string, id: string): Promise<DestinationWithSecret> {
    const row = isUuid(id)
      ? await this.prisma.alertDestination.findFirst({ where: { id, organizationId }, select: SEALED_SELECT })
      : null;
    if (!row) throw new TokenledgerError(ErrorCode.NotFound, `id: no alert destination "${id}"`);
    return this.opened(row);
  }

  /**
   * Creates a destination; its secret is returned here and never again. The secret is sealed
   * before it reaches the database (a SecretKeyError when no key may be used: nothing is stored).
   */
  async createDestination(
    organizationId: string,
    input: { name: string; url: string; format: DestinationFormat },
  ): Promise<{ destination: DestinationRecord; secret: string }> {
    const id = randomUUID();
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const secretSealed = this.secrets().seal(secret, purposeOf(organizationId, id));
    const row = await this.prisma.alertDestination.create({
      data: { id, organizationId, ...input, secretSealed },
      select: DESTINATION_SELECT,
    });
    return { destination: row as DestinationRecord, secret };
  }

  async deleteDestination(organizationId: string, id: string): Promise<void> {
    const { count } = isUuid(id)
      ? await this.prisma.alertDestination.deleteMany({ where: { id, organizationId } })
      : { count: 0 };
    if (count === 0) throw new TokenledgerError(ErrorCode.NotFound, `id: no alert destination "${id}"`);
  }

  /**
   * The one-time upgrade of destinations made before secrets were sealed: seals every plaintext
   * secret left and clears it. Idempotent and safe with several workers (each row changes only
   * while it still holds its plaintext). Returns how many rows this call sealed.
   */
  async sealLegacySecrets(): Promise<number> {
    const rows = await this.prisma.alertDestination.findMany({
      where: { legacySecret: { not: null } },
      select: { id: true, organizationId: true, legacySecret: true },
    });
    let sealed = 0;
    for (const row of rows) if (await this.seal(row.organizationId, row.id, row.legacySecret!)) sealed++;
    return sealed;
  }

  /** Opens a row's secret; a plaintext one is sealed first (its upgrade on first use). */
  private async opened(row: SealedRow): Promise<DestinationWithSecret> {
    const { secretSealed, legacySecret, ...destination } = row;
    let secret: string;
    if (secretSealed !== null) {
      secret = this.secrets().open(secretSealed, purposeOf(row.organizationId, row.id));
    } else {
      secret = legacySecret!;
      await this.seal(row.organizationId, row.id, secret);
    }
    return { ...(destination as DestinationRecord), secret };
  }

  private async seal(organizationId: string, id: string, plaintext: string): Promise<boolean> {
    const secretSealed = this.secrets().seal(plaintext, purposeOf(organizationId, id));
    const { count } = await this.prisma.alertDestination.updateMany({
      where: { id, organizationId, legacySecret: plaintext, secretSealed: null },
      data: { secretSealed, legacySecret: null },
    });
    return count === 1;
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

const SEALED_SELECT = { ...DESTINATION_SELECT, secretSealed: true, legacySecret: true } as const;

interface SealedRow {
  id: string;
  organizationId: string;
  name: string;
  url: string;
  format: string;
  createdAt: Date;
  secretSealed: string | null;
  legacySecret: string | null;
}

function toAlert(
  row: Omit<AlertRecord, 'spentUsd' | 'kind'> & { spentUsd: { toString(): string }; kind: string },
): AlertRecord {
  return { ...row, kind: row.kind as AlertKind, spentUsd: row.spentUsd.toString() };
}
