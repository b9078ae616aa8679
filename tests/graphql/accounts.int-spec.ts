import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { eventInput } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

describe('GraphQL accounts, roles and tenant isolation', () => {
  let prisma: PrismaClient;
  let app: NestFastifyApplication;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let b: Awaited<ReturnType<typeof createTenant>>;
  const tokens: Record<string, string> = {};
  let ownerA: Awaited<ReturnType<typeof createUser>>;
  let adminA: Awaited<ReturnType<typeof createUser>>;
  let keyB: Awaited<ReturnType<typeof createKey>>;

  beforeAll(async () => {
    prisma = testPrisma();
    ({ app } = await startApi());
    a = await createTenant(prisma, 'acct-a');
    b = await createTenant(prisma, 'acct-b');
    ownerA = await createUser(prisma, a.org.id, 'owner');
    adminA = await createUser(prisma, a.org.id, 'admin');
    const viewerA = await createUser(prisma, a.org.id, 'viewer');
    const ownerB = await createUser(prisma, b.org.id, 'owner');
    tokens.ownerA = await loginAs(app, ownerA.email, ownerA.password);
    tokens.adminA = await loginAs(app, adminA.email, adminA.password);
    tokens.viewerA = await loginAs(app, viewerA.email, viewerA.password);
    tokens.ownerB = await loginAs(app, ownerB.email, ownerB.password);
    keyB = await createKey(prisma, b.org.id, null, ['read', 'admin']);
  });

  afterAll(async () => {
    await app.close();
    await prisma.$disconnect();
  });

  it('logs in, answers me, and refuses a wrong password without saying which part was wrong', async () => {
    const me = await gql<{
      me: { user: { email: string }; organizations: { slug: string; role: string }[] };
    }>(app, '{ me { user { email } organizations { slug role } } }', {}, tokens.ownerA);
    expect(me.data?.me).toEqual({
      user: { email: ownerA.email },
      organizations: [{ slug: a.org.slug, role: 'OWNER' }],
    });
    const wrong = await gql(app, 'mutation { login(email: "nobody@example.com", password: "x") { token } }');
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.errors?.[0]?.message).toBe('Wrong email or password');
  });

  it('refuses anonymous callers, bad tokens, expired and logged-out sessions with UNAUTHENTICATED', async () => {
    expect(codeOf(await gql(app, '{ projects { slug } }'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(app, '{ projects { slug } }', {}, 'tls_nope_nope'))).toBe('UNAUTHENTICATED');
    const token = await loginAs(app, adminA.email, adminA.password);
    await prisma.session.updateMany({
      where: { userId: adminA.user.id, expiresAt: { gt: new Date() } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await gql(app, '{ projects { slug } }', {}, token);
    expect([codeOf(expired), expired.errors?.[0]?.message]).toEqual([
      'UNAUTHENTICATED',
      'Session expired; log in again',
    ]);
    const fresh = await loginAs(app, adminA.email, adminA.password);
    expect((await gql(app, 'mutation { logout }', {}, fresh)).data).toEqual({ logout: true });
    expect(codeOf(await gql(app, '{ projects { slug } }', {}, fresh))).toBe('UNAUTHENTICATED');
    tokens.adminA = await loginAs(app, adminA.email, adminA.password);
  });

  it("never shows or changes another organization's data", async () => {
    const bKeyInB = await createKey(prisma, b.org.id, b.project.id, ['ingest']);
    const queries: [string, Record<string, unknown>][] = [
      ['query($o: String) { projects(org: $o) { slug } }', { o: b.org.slug }],
      ['query($o: String) { members(org: $o) { role } }', { o: b.org.slug }],
      ['query($o: String) { apiKeys(org: $o) { prefix } }', { o: b.org.slug }],
      [
        'mutation($o: String) { createProject(org: $o, input: { slug: "x", name: "x" }) { id } }',
        { o: b.org.slug },
      ],
      ['mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: bKeyInB.key.id }],
      [
        'mutation($o: String, $id: ID!) { revokeApiKey(org: $o, id: $id) { id } }',
        { o: b.org.slug, id: bKeyInB.key.id },
      ],
      [
        'mutation($id: ID!) { removeMember(userId: $id) }',
        { id: (await prisma.membership.findFirstOrThrow({ where: { organizationId: b.org.id } })).userId },
      ],
    ];
    for (const [query, variables] of queries) {
      const result = await gql(app, query, variables, tokens.ownerA);
      expect([query, codeOf(result)]).toEqual([query, 'NOT_FOUND']);
    }
    // And B's admin key cannot name A.
    expect(
      codeOf(
        await gql(app, 'query($o: String) { projects(org: $o) { slug } }', { o: a.org.slug }, keyB.secret),
      ),
    ).toBe('NOT_FOUND');
    const own = await gql<{ projects: { slug: string }[] }>(app, '{ projects { slug } }', {}, keyB.secret);
    expect(own.data?.projects.map((p) => p.slug)).toEqual([b.project.slug]);
    expect(await prisma.apiKey.findUniqueOrThrow({ where: { id: bKeyInB.key.id } })).toMatchObject({
      revokedAt: null,
    });
  });

  it('lets a viewer read and nothing else', async () => {
    expect((await gql(app, '{ projects { slug } }', {}, tokens.viewerA)).data).toEqual({
      projects: [{ slug: a.project.slug }],
    });
    const mutations = [
      'mutation { createProject(input: { slug: "v", name: "v" }) { id } }',
      'mutation { createApiKey(input: { name: "v", scopes: [READ] }) { secret } }',
      'mutation { inviteMember(input: { email: "v@example.com", name: "v", role: VIEWER }) { token } }',
    ];
    for (const m of mutations)
      expect([m, codeOf(await gql(app, m, {}, tokens.viewerA))]).toEqual([m, 'FORBIDDEN']);
  });

  it('keeps owners in charge of owners', async () => {
    const removeOwner = await gql(
      app,
      'mutation($id: ID!) { removeMember(userId: $id) }',
      { id: ownerA.user.id },
      tokens.adminA,
    );
    expect(codeOf(removeOwner)).toBe('FORBIDDEN');
    const promote = await gql(
      app,
      'mutation($id: ID!) { updateMemberRole(userId: $id, role: OWNER) { role } }',
      { id: adminA.user.id },
      tokens.adminA,
    );
    expect(codeOf(promote)).toBe('FORBIDDEN');
    const demoteLast = await gql(
      app,
      'mutation($id: ID!) { updateMemberRole(userId: $id, role: ADMIN) { role } }',
      { id: ownerA.user.id },
      tokens.ownerA,
    );
    expect(codeOf(demoteLast)).toBe('CONFLICT');
  });

  it('invites a new person, who accepts with the token, creates an account and is logged in', async () => {
    const email = `new-${Date.now()}@example.com`;
    const invited = await gql<{
      inviteMember: { invitation: { email: string; role: string }; token: string; member: null };
    }>(
      app,
      'mutation($e: String!) { inviteMember(input: { email: $e, role: VIEWER }) { invitation { email role } token member { role } } }',
      { e: email },
      tokens.adminA,
    );
    expect(invited.data?.inviteMember).toMatchObject({ invitation: { email, role: 'VIEWER' }, member: null });
    const accepted = await gql<{
      acceptInvitation: { organization: { slug: string; role: string }; login: { token: string } };
    }>(
      app,
      'mutation($t: String!) { acceptInvitation(token: $t, name: "New", password: "a long password") { organization { slug role } login { token } } }',
      { t: invited.data!.inviteMember.token },
    );
    expect(accepted.data?.acceptInvitation.organization).toEqual({ slug: a.org.slug, role: 'VIEWER' });
    const token = accepted.data!.acceptInvitation.login.token;
    expect((await gql(app, '{ projects { slug } }', {}, token)).data).toEqual({
      projects: [{ slug: a.project.slug }],
    });
    expect(await loginAs(app, email, 'a long password')).toMatch(/^tls_/);
    // The token is spent.
    const again = await gql(
      app,
      'mutation($t: String!) { acceptInvitation(token: $t, name: "Again", password: "a long password") { organization { slug } } }',
      { t: invited.data!.inviteMember.token },
    );
    expect(codeOf(again)).toBe('NOT_FOUND');
  });

  it('creates a key shown once, lists it by prefix with its project, and revokes it everywhere', async () => {
    const created = await gql<{
      createApiKey: {
        secret: string;
        apiKey: { id: string; prefix: string; scopes: string[]; project: { slug: string } };
      };
    }>(
      app,
      'mutation($p: String) { createApiKey(input: { name: "ci", project: $p, scopes: [INGEST, READ] }) { secret apiKey { id prefix scopes project { slug } } } }',
      { p: a.project.slug },
      tokens.adminA,
    );
    const { secret, apiKey } = created.data!.createApiKey;
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey).toMatchObject({ scopes: ['INGEST', 'READ'], project: { slug: a.project.slug } });
    const listed = await gql<{ apiKeys: { prefix: string; project: { slug: string } | null }[] }>(
      app,
      '{ apiKeys { prefix project { slug } } }',
      {},
      tokens.ownerA,
    );
    expect(listed.data?.apiKeys).toContainEqual({ prefix: apiKey.prefix, project: { slug: a.project.slug } });
    expect(JSON.stringify(listed)).not.toContain(secret);

    const send = () =>
      app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        payload: { events: [eventInput()] },
      });
    expect((await send()).statusCode).toBe(202);
    expect(
      (
        await gql(
          app,
          'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
          { id: apiKey.id },
          tokens.adminA,
        )
      ).data?.revokeApiKey,
    ).toEqual({ revokedAt: expect.any(String) });
    expect((await send()).statusCode).toBe(401);
    expect(codeOf(await gql(app, '{ projects { slug } }', {}, secret))).toBe('UNAUTHENTICATED');
  });

  it('answers ids that cannot exist with NOT_FOUND, never an internal error', async () => {
    expect(
      codeOf(await gql(app, 'mutation { revokeApiKey(id: "not-a-uuid") { id } }', {}, tokens.ownerA)),
    ).toBe('NOT_FOUND');
    expect(codeOf(await gql(app, 'mutation { removeMember(userId: "42") }', {}, tokens.ownerA))).toBe(
      'NOT_FOUND',
    );
  });

  it('rejects invalid input and over-complex queries with VALIDATION_FAILED', async () => {
    expect(
      codeOf(
        await gql(
          app,
          'mutation { createProject(input: { slug: "Bad Slug", name: "x" }) { id } }',
          {},
          tokens.ownerA,
        ),
      ),
    ).toBe('VALIDATION_FAILED');
    expect(codeOf(await gql(app, '{ projects { nope } }', {}, tokens.ownerA))).toBe('VALIDATION_FAILED');
    const wide = `{ ${Array.from({ length: 600 }, (_, i) => `p${i}: projects { id }`).join(' ')} }`;
    const tooComplex = await gql(app, wide, {}, tokens.ownerA);
    expect(codeOf(tooComplex)).toBe('VALIDATION_FAILED');
    expect(tooComplex.errors?.[0]?.message).toContain('too complex');
  });
});
