import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Access, OrgWideRead, OrgWideWrite } from '../../graphql/policy';
import type { OrgAccess } from '../access/principal';
import { ORG_ARG } from '../accounts/org-arg';
import { Report, ReportFormatEnum } from './reports.model';
import { ReportsService } from './reports.service';

/**
 * Monthly reports cover the whole organization: anyone who may read the organization lists and
 * downloads them, admins request them; project keys are refused (docs/SECURITY.md).
 */
@Resolver(() => Report)
export class ReportsResolver {
  constructor(private readonly service: ReportsService) {}

  @Query(() => [Report], { description: "This organization's report revisions, newest month first." })
  @OrgWideRead()
  async reports(
    @Access() access: OrgAccess,
    @Args('month', { type: () => String, nullable: true, description: '"2026-10"' }) month?: string | null,
    @Args('format', { type: () => ReportFormatEnum, nullable: true }) format?: ReportFormatEnum | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first = 50,
    @Args(ORG_ARG) _org?: string,
  ): Promise<Report[]> {
    return this.service.list(access, month, format, first);
  }

  @Query(() => Report, { nullable: true })
  @OrgWideRead()
  async report(
    @Access() access: OrgAccess,
    @Args('id', { type: () => ID }) id: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<Report | null> {
    return this.service.find(access, id);
  }

  @Mutation(() => String, {
    description:
      "Sets the IANA time zone this organization's reports cut months and days in (admins); returns it. Applies to reports made from now on.",
  })
  @OrgWideWrite()
  async setReportTimeZone(
    @Access() access: OrgAccess,
    @Args('timeZone', { description: 'e.g. "UTC", "Europe/Paris"' }) timeZone: string,
    @Args(ORG_ARG) _org?: string,
  ): Promise<string> {
    return this.service.setTimeZone(access, timeZone);
  }

  @Mutation(() => Report, {
    description:
      'Queues the report of a month in a format (admins). A month that already has one gets the next revision.',
  })
  @OrgWideWrite()
  async requestReport(
    @Access() access: OrgAccess,
    @Args('month', { description: '"2026-10"' }) month: string,
    @Args('format', { type: () => ReportFormatEnum }) format: ReportFormatEnum,
    @Args(ORG_ARG) _org?: string,
  ): Promise<Report> {
    const by =
      access.principal.kind === 'user' ? access.principal.email : `api key ${access.principal.prefix}`;
    return this.service.request(access, month, format, by);
  }
}
