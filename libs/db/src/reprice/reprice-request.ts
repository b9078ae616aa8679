import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { PrismaClient } from '../prisma';

export interface RepriceRequest {
  organizationId: string | null;
  since: Date;
  until?: Date | null;
  reason: string;
  rateVersionId?: string | null;
  requestedBy?: string | null;
}

/** Records a reprice run (status queued); the caller runs it or queues it for the worker. */
export async function createRepriceRun(prisma: PrismaClient, request: RepriceRequest): Promise<string> {
  if (Number.isNaN(request.since.getTime()))
    throw new TokenledgerError(ErrorCode.ValidationFailed, 'since: not a valid date');
  if (request.until && request.until <= request.since) {
    throw new TokenledgerError(ErrorCode.ValidationFailed, 'until: must be after since');
  }
  const run = await prisma.repriceRun.create({
    data: {
      organizationId: request.organizationId,
      since: request.since,
      until: request.until ?? null,
      reason: request.reason,
      rateVersionId: request.rateVersionId ?? null,
      requestedBy: request.requestedBy ?? null,
    },
    select: { id: true },
  });
  return run.id;
}
