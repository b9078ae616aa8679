import { Controller, Get, Res } from '@nestjs/common';
import { ErrorCode, errorEnvelope } from '@tokenledger/contracts';
import type { FastifyReply } from 'fastify';
import { ReadinessService } from './readiness.service';

@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** The process is up. */
  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  /** Postgres and Redis answer. */
  @Get('readyz')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { ready, ...checks } = await this.readiness.check();
    if (ready) return { status: 'ready', checks };
    void reply.status(503).header('retry-after', '5');
    return errorEnvelope(ErrorCode.ServiceUnavailable, 'A dependency is not reachable', checks);
  }
}
