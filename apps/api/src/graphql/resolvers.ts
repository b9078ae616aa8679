import {
  AccountsResolver,
  ApiKeyFieldsResolver,
  MemberFieldsResolver,
  OrganizationFieldsResolver,
} from '../modules/accounts/accounts.resolver';
import { StatusResolver } from '../modules/status/status.resolver';

/** Every resolver of the schema: the runtime module and the schema printer both read this list. */
export const RESOLVERS = [
  StatusResolver,
  AccountsResolver,
  OrganizationFieldsResolver,
  ApiKeyFieldsResolver,
  MemberFieldsResolver,
];
