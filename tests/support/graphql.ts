import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { hashPassword, type PrismaClient } from '@tokenledger/db';

export interface GraphQLResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; details?: unknown } }[];
}

/** POSTs a GraphQL operation through the app (no network), as the given bearer token. */
export async function gql<T = Record<string, unknown>>(
  app: NestFastifyApplication,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResult<T>> {
  const res = await app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    payload: { query, variables },
  });
  return res.json() as GraphQLResult<T>;
}

export function codeOf(result: GraphQLResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}

/** A user with a known password, member of `organizationId` with `role`. */
export async function createUser(
  prisma: PrismaClient,
  organizationId: string,
  role: 'owner' | 'admin' | 'viewer',
  label: string = role,
) {
  const email = `${label}-${organizationId.slice(0, 8)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const user = await prisma.user.create({
    data: { email, name: label, passwordHash: await hashPassword(password) },
  });
  await prisma.membership.create({ data: { userId: user.id, organizationId, role } });
  return { user, email, password };
}

export async function loginAs(app: NestFastifyApplication, email: string, password: string): Promise<string> {
  const result = await gql<{ login: { token: string } }>(
    app,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
    { e: email, p: password },
  );
  if (!result.data?.login) throw new Error(`login failed: ${JSON.stringify(result.errors)}`);
  return result.data.login.token;
}
