import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { ApiKeyScope as Scope } from '@tokenledger/db';
import type { Role } from '../../access/principal';

export enum RoleEnum {
  OWNER = 'owner',
  ADMIN = 'admin',
  VIEWER = 'viewer',
}
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'OWNER: everything, including owners. ADMIN: everything but owners. VIEWER: read only.',
});

export enum ApiKeyScopeEnum {
  INGEST = 'ingest',
  READ = 'read',
  ADMIN = 'admin',
}
registerEnumType(ApiKeyScopeEnum, {
  name: 'ApiKeyScope',
  description: 'INGEST: send usage. READ: query GraphQL. ADMIN: also change the organization.',
});

@ObjectType()
export class User {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field() name!: string;
  @Field() createdAt!: Date;
}

@ObjectType()
export class Project {
  @Field(() => ID) id!: string;
  @Field() slug!: string;
  @Field() name!: string;
  @Field() createdAt!: Date;
}

@ObjectType()
export class Organization {
  @Field(() => ID) id!: string;
  @Field() slug!: string;
  @Field() name!: string;
  @Field() createdAt!: Date;
  @Field(() => RoleEnum, { description: "The caller's role here." }) role!: Role;
  /** Set when the caller is a project key: `projects` lists only this one. */
  onlyProjectId?: string | null;
}

@ObjectType()
export class Member {
  userId!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field() joinedAt!: Date;
}

@ObjectType()
export class ApiKey {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'The public start of the key, e.g. tlk_AbCd1234; the secret is never stored.' })
  prefix!: string;
  @Field(() => [ApiKeyScopeEnum]) scopes!: Scope[];
  projectId!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType({ description: 'A new key: the secret is shown this once.' })
export class CreatedApiKey {
  @Field() secret!: string;
  @Field(() => ApiKey) apiKey!: ApiKey;
}

@ObjectType()
export class LoginResult {
  @Field({ description: 'Send as "Authorization: Bearer <token>".' }) token!: string;
  @Field() expiresAt!: Date;
  @Field(() => User) user!: User;
}

@ObjectType({ description: 'An invitation to join an organization; nobody joins without accepting.' })
export class Invitation {
  @Field(() => ID) id!: string;
  @Field({ description: 'Who is invited.' }) email!: string;
  @Field(() => RoleEnum) role!: Role;
  @Field({ description: 'The organization it invites to (its slug).' }) organizationSlug!: string;
  @Field({ description: 'Who invited: an email, or "api key <prefix>".' }) invitedBy!: string;
  @Field() createdAt!: Date;
  @Field() expiresAt!: Date;
}

@ObjectType({
  description:
    'An invitation was sent. The answer is the same whether or not the email already has an account.',
})
export class InvitedMember {
  @Field(() => Invitation) invitation!: Invitation;
  @Field({
    description:
      'Give it to the invitee, once: without an account they create one with it (acceptInvitation with token, name and password); with one they log in and accept.',
  })
  token!: string;
  @Field(() => Member, {
    nullable: true,
    deprecationReason: 'Nobody joins without accepting: always null. Use invitation.',
  })
  member!: Member | null;
  @Field(() => String, {
    nullable: true,
    deprecationReason: 'Always null: the invitee sets a password with acceptInvitation. Use token.',
  })
  temporaryPassword!: string | null;
}

@ObjectType()
export class AcceptedInvitation {
  @Field(() => Organization, { description: 'The organization joined.' }) organization!: Organization;
  @Field(() => LoginResult, {
    nullable: true,
    description: 'Set when accepting created the account: its session, already logged in.',
  })
  login!: LoginResult | null;
}

@ObjectType({ description: 'Who is calling.' })
export class Viewer {
  @Field(() => User, { nullable: true }) user!: User | null;
  @Field(() => ApiKey, { nullable: true }) apiKey!: ApiKey | null;
  @Field(() => [Organization]) organizations!: Organization[];
}
