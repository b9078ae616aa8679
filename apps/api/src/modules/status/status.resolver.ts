import { Query, Resolver } from '@nestjs/graphql';
import { ReadinessService } from '../health/readiness.service';
import { ServiceStatus } from './status.model';

export const VERSION = '0.1.0';

@Resolver(() => ServiceStatus)
export class StatusResolver {
  constructor(private readonly readiness: ReadinessService) {}

  @Query(() => ServiceStatus, { description: 'Health of this installation; needs no login.' })
  async status(): Promise<ServiceStatus> {
    return { version: VERSION, ...(await this.readiness.check()) };
  }
}
