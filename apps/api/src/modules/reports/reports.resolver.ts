import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../graphql/graphql-context';
import { AccessService } from '../access/access.service';
import type { Principal } from '../access/principal';
import { ORG_ARG } from '../accounts/org-arg';
import { Report, ReportFormatEnum } from './reports.model';
import { ReportsService } from './reports.service';

/** Monthly reports: anyone who may read the organization lists and downloads; admins request. */
@Resolver(() => Report)
export class ReportsResolver {
  constructor(
    private readonly service: ReportsService,
    private readonly access: AccessService,
  ) {}

  @Query(() => [Report], { description: "This organization's report revisions, newest month first." })
  async reports(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('month', { type: () => String, nullable: true, description: '"2026-10"' }) month?: string | null,
    @Args('format', { type: () => ReportFormatEnum, nullable: true }) format?: ReportFormatEnum | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first = 50,
    @Args(ORG_ARG) org?: string,
  ): Promise<Report[]> {
    const access = await this.access.forOrg(principal, org, 'read');
    return this.service.list(access, month, format, first);
  }

  @Query(() => Report, { nullable: true })
  async report(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('id', { type: () => ID }) id: string,
    @Args(ORG_ARG) org?: string,
  ): Promise<Report | null> {
    const access = await this.access.forOrg(principal, org, 'read');
    return this.service.find(access, id);
  }

  @Mutation(() => String, {
    description:
      "Sets the IANA time zone this organization's reports cut months and days in (admins); returns it. Applies to reports made from now on.",
  })
  async setReportTimeZone(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('timeZone', { description: 'e.g. "UTC", "Europe/Paris"' }) timeZone: string,
    @Args(ORG_ARG) org?: string,
  ): Promise<string> {
    const access = await this.access.forOrg(principal, org, 'write');
    return this.service.setTimeZone(access, timeZone);
  }

  @Mutation(() => Report, {
    description:
      'Queues the report of a month in a format (admins). A month that already has one gets the next revision.',
  })
  async requestReport(
    @CurrentPrincipal() principal: Principal | undefined,
    @Args('month', { description: '"2026-10"' }) month: string,
    @Args('format', { type: () => ReportFormatEnum }) format: ReportFormatEnum,
    @Args(ORG_ARG) org?: string,
  ): Promise<Report> {
    const access = await this.access.forOrg(principal, org, 'write');
    const by =
      access.principal.kind === 'user' ? access.principal.email : `api key ${access.principal.prefix}`;
    return this.service.request(access, month, format, by);
  }
}
