import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type Decimal from 'decimal.js';
import { DecimalScalar, LongScalar } from '../../graphql/scalars';

export enum ReportFormatEnum {
  CSV = 'csv',
  XLSX = 'xlsx',
  PDF = 'pdf',
  FOCUS = 'focus',
}

registerEnumType(ReportFormatEnum, {
  name: 'ReportFormat',
  description:
    'CSV (line items; the summary as a second file), XLSX (Summary and Line items sheets), PDF (1-3 pages), FOCUS (FinOps FOCUS 1.2 CSV).',
});

@ObjectType({ description: 'A rate table version that priced events of the month.' })
export class ReportRateVersion {
  @Field(() => String, { nullable: true, description: 'Null for events that stayed unpriced.' })
  rateVersionId!: string | null;
  @Field(() => String, { nullable: true }) table!: string | null;
  @Field(() => Int, { nullable: true }) version!: number | null;
  @Field(() => LongScalar) events!: number;
}

@ObjectType({
  description:
    'One revision of a monthly report. It locks the total, rate versions and rollup state it was made from; when the month changes later (a reprice, late events) it is marked stale with the difference, and a new request makes the next revision. Every revision stays downloadable.',
})
export class Report {
  @Field(() => ID) id!: string;
  @Field({ description: '"2026-10"' }) month!: string;
  @Field(() => ReportFormatEnum) format!: ReportFormatEnum;
  @Field(() => Int) revision!: number;
  @Field({ description: 'manual or scheduled' }) trigger!: string;
  @Field({ description: 'The IANA time zone the month is cut in.' }) timeZone!: string;
  @Field({ description: 'queued, running, ready or failed' }) status!: string;
  @Field(() => Int, { description: '0-100' }) progress!: number;
  @Field(() => String, { nullable: true }) fileName!: string | null;
  @Field(() => String, { nullable: true }) contentType!: string | null;
  @Field(() => Int, { nullable: true }) byteSize!: number | null;
  @Field(() => String, { nullable: true, description: 'CSV reports: the summary file.' })
  summaryFileName!: string | null;
  @Field(() => String, { nullable: true, description: 'GET with the same Authorization as GraphQL.' })
  downloadUrl!: string | null;
  @Field(() => String, { nullable: true }) summaryDownloadUrl!: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'The total the report locked (USD).' })
  totalUsd!: Decimal | null;
  @Field(() => Int, { nullable: true }) lineItems!: number | null;
  @Field(() => [ReportRateVersion]) rateVersions!: ReportRateVersion[];
  @Field({ description: 'The month changed after this revision was made (reprice or late events).' })
  stale!: boolean;
  @Field(() => Date, { nullable: true }) staleSince!: Date | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'How much the month total changed since this revision (now − report), in USD.',
  })
  staleDifferenceUsd!: Decimal | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true }) requestedBy!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
}
