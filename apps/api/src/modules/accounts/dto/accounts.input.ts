import { Field, InputType } from '@nestjs/graphql';
import type { ApiKeyScope } from '@tokenledger/db';
import type { Role } from '../../access/principal';
import { ApiKeyScopeEnum, RoleEnum } from '../models/accounts.model';

@InputType()
export class CreateOrganizationInput {
  @Field() slug!: string;
  @Field() name!: string;
}

@InputType()
export class CreateProjectInput {
  @Field() slug!: string;
  @Field() name!: string;
}

@InputType()
export class InviteMemberInput {
  @Field() email!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Ignored: the invitee gives their own name when accepting. Kept for compatibility.',
  })
  name?: string | null;
  @Field(() => RoleEnum) role!: Role;
}

@InputType()
export class CreateApiKeyInput {
  @Field() name!: string;
  @Field(() => String, {
    nullable: true,
    description: 'A project slug: the key is limited to it. Omit for an organization key.',
  })
  project?: string | null;
  @Field(() => [ApiKeyScopeEnum]) scopes!: ApiKeyScope[];
}
