import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Whether this Tokenledger installation can serve requests.' })
export class ServiceStatus {
  @Field({ description: 'Tokenledger version.' })
  version!: string;

  @Field({ description: 'True when PostgreSQL and Redis both answer.' })
  ready!: boolean;

  @Field({ description: '"ok", or why PostgreSQL did not answer.' })
  postgres!: string;

  @Field({ description: '"ok", or why Redis did not answer.' })
  redis!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'EventIds of your organization resent with different content (see eventConflicts); null without credentials.',
  })
  eventConflicts!: number | null;
}
