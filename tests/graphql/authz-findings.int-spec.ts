import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@tokenledger/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { eventInput } from '../support/events';
import { codeOf, createUser, gql, loginAs } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

/** Issue 13, items 1, 2 and 6: each finding of the outside probe, as the probe did it. */
describe('authorization findings of issue 13', () => {
  let prisma: PrismaClient;
  let app: NestFastifyApplication;
  let a: Awaited<ReturnType<typeof createTenant>>;
  let b: Awaited<ReturnType<typeof createTenant>>;
  let otherProject: { id: string; slug: string };
  let ownerA: Awaited<ReturnType<typeof createUser>>;
  let ownerAToken: string;

  beforeAll(async () => {
    prisma = testPrisma();
    ({ app } = await startApi());
    a = await createTenant(prisma, 'authz-a');
    b = await createTenant(prisma, 'authz-b');
    otherProject = await prisma.project.create({
      data: { organizationId: a.org.id, slug: `other-${a.project.slug}`, name: 'Other' },
    });
    ownerA = await createUser(prisma, a.org.id, 'owner');
    ownerAToken = await loginAs(app, ownerA.email, ownerA.password);
  });

  afterAll(async () => {
    await app.close();
    await prisma.$disconnect();
  });

  describe('1: a project key acts on its project only', () => {
    it('refuses organization-wide changes to a project key with the admin scope', async () => {
      const key = await createKey(prisma, a.org.id, a.project.id, ['read', 'admin']);
      const attempts: [string, Record<string, unknown>][] = [
        [
          'mutation($e: String!) { inviteMember(input: { email: $e, name: "x", role: ADMIN }) { __typename } }',
          { e: `escalate-${Date.now()}@example.com` },
        ],
        [
          'mutation($id: ID!) { updateMemberRole(userId: $id, role: VIEWER) { role } }',
          { id: ownerA.user.id },
        ],
        ['mutation($id: ID!) { removeMember(userId: $id) }', { id: ownerA.user.id }],
        ['mutation { createProject(input: { slug: "sneaky", name: "x" }) { id } }', {}],
        [
          'mutation { publishRateVersion(input: { table: "negotiated", effectiveFrom: "2026-01-01T00:00:00Z", rates: [] }) { published } }',
          {},
        ],
        ['mutation { createApiKey(input: { name: "org-wide", scopes: [ADMIN, READ] }) { secret } }', {}],
      ];
      for (const [query, variables] of attempts) {
        const result = await gql(app, query, variables, key.secret);
        expect([query, codeOf(result)]).toEqual([query, 'FORBIDDEN']);
      }
      expect(await prisma.membership.count({ where: { organizationId: a.org.id } })).toBe(1);
      expect(await prisma.invitation.count({ where: { organizationId: a.org.id } })).toBe(0);
      expect(await prisma.project.count({ where: { organizationId: a.org.id } })).toBe(2);
      expect(await prisma.rateTable.count({ where: { organizationId: a.org.id } })).toBe(0);
      // Its own project's keys it may still manage.
      const own = await gql<{ createApiKey: { apiKey: { project: { slug: string } } } }>(
        app,
        'mutation($p: String) { createApiKey(input: { name: "ci", project: $p, scopes: [INGEST] }) { apiKey { project { slug } } } }',
        { p: a.project.slug },
        key.secret,
      );
      expect(own.data?.createApiKey.apiKey.project.slug).toBe(a.project.slug);
    });
  });

  describe('2: invitations need consent and reveal nothing', () => {
    it('answers the same for a known and an unknown email, and adds nobody until they accept', async () => {
      const outsider = await createUser(prisma, b.org.id, 'owner', 'outsider');
      const unknown = `nobody-${Date.now()}@example.com`;
      const invite = (email: string) =>
        gql<{ inviteMember: Record<string, unknown> }>(
          app,
          'mutation($e: String!) { inviteMember(input: { email: $e, name: "Guess", role: VIEWER }) { invitation { email role organizationSlug } member { joinedAt user { id name createdAt } } temporaryPassword } }',
          { e: email },
          ownerAToken,
        );
      const known = await invite(outsider.email);
      const fresh = await invite(unknown);
      expect(known.errors).toBeUndefined();
      const shape = (r: typeof known, email: string) => JSON.stringify(r).replaceAll(email, '<email>');
      expect(shape(known, outsider.email)).toBe(shape(fresh, unknown));
      expect(JSON.stringify(known)).not.toContain(outsider.user.id);
      // Not a member of A until they accept.
      expect(
        await prisma.membership.count({ where: { organizationId: a.org.id, userId: outsider.user.id } }),
      ).toBe(0);

      // The outsider sees the invitation once logged in, and accepting makes them a member.
      const outsiderToken = await loginAs(app, outsider.email, outsider.password);
      const mine = await gql<{ myInvitations: { id: string; organizationSlug: string }[] }>(
        app,
        '{ myInvitations { id organizationSlug } }',
        {},
        outsiderToken,
      );
      expect(mine.data?.myInvitations.map((i) => i.organizationSlug)).toEqual([a.org.slug]);
      // Someone else cannot accept it for them.
      const other = await createUser(prisma, b.org.id, 'viewer', 'other');
      const otherToken = await loginAs(app, other.email, other.password);
      const stolen = await gql(
        app,
        'mutation($id: ID!) { acceptInvitation(id: $id) { organization { slug } } }',
        { id: mine.data!.myInvitations[0]!.id },
        otherToken,
      );
      expect(codeOf(stolen)).toBe('NOT_FOUND');
      const accepted = await gql<{ acceptInvitation: { organization: { slug: string; role: string } } }>(
        app,
        'mutation($id: ID!) { acceptInvitation(id: $id) { organization { slug role } } }',
        { id: mine.data!.myInvitations[0]!.id },
        outsiderToken,
      );
      expect(accepted.data?.acceptInvitation.organization).toEqual({ slug: a.org.slug, role: 'VIEWER' });

      // In two organizations now: calls without `org` use a default instead of failing.
      const projects = await gql<{ projects: { slug: string }[] }>(
        app,
        '{ projects { slug } }',
        {},
        outsiderToken,
      );
      expect(projects.errors).toBeUndefined();
      // Naming an organization makes it the default.
      await gql(app, 'query($o: String) { projects(org: $o) { slug } }', { o: b.org.slug }, outsiderToken);
      const afterB = await gql<{ projects: { slug: string }[] }>(
        app,
        '{ projects { slug } }',
        {},
        outsiderToken,
      );
      expect(afterB.data?.projects.map((p) => p.slug)).toEqual([b.project.slug]);
      await gql(app, 'query($o: String) { projects(org: $o) { slug } }', { o: a.org.slug }, outsiderToken);
      const afterA = await gql<{ projects: { slug: string }[] }>(
        app,
        '{ projects { slug } }',
        {},
        outsiderToken,
      );
      expect(afterA.data?.projects.map((p) => p.slug).sort()).toEqual(
        [a.project.slug, otherProject.slug].sort(),
      );
    });

    it('does not let a token create an account over an existing one', async () => {
      const existing = await createUser(prisma, b.org.id, 'viewer', 'existing');
      const invited = await gql<{ inviteMember: { token: string } }>(
        app,
        'mutation($e: String!) { inviteMember(input: { email: $e, role: ADMIN }) { token } }',
        { e: existing.email },
        ownerAToken,
      );
      const takeover = await gql(
        app,
        'mutation($t: String!) { acceptInvitation(token: $t, name: "Mallory", password: "mallory-password") { organization { slug } } }',
        { t: invited.data!.inviteMember.token },
      );
      expect(codeOf(takeover)).toBe('FORBIDDEN');
      expect(
        await prisma.membership.count({ where: { organizationId: a.org.id, userId: existing.user.id } }),
      ).toBe(0);
      await expect(loginAs(app, existing.email, 'mallory-password')).rejects.toThrow();
    });
  });

  describe('6: project keys, messages and conflicts', () => {
    it("does not show a project read key members' emails, other projects or organization-wide runs", async () => {
      const key = await createKey(prisma, a.org.id, a.project.id, ['read']);
      for (const query of [
        '{ members { user { email } } }',
        '{ repriceRuns { id } }',
        '{ rateTables { slug } }',
      ]) {
        expect([query, codeOf(await gql(app, query, {}, key.secret))]).toEqual([query, 'FORBIDDEN']);
      }
      const orgs = await gql<{ organizations: { projects: { slug: string }[] }[] }>(
        app,
        '{ organizations { projects { slug } } }',
        {},
        key.secret,
      );
      expect(orgs.data?.organizations[0]?.projects.map((p) => p.slug)).toEqual([a.project.slug]);
      const me = await gql<{ me: { organizations: { projects: { slug: string }[] }[] } }>(
        app,
        '{ me { organizations { projects { slug } } } }',
        {},
        key.secret,
      );
      expect(me.data?.me.organizations[0]?.projects.map((p) => p.slug)).toEqual([a.project.slug]);
    });

    it('speaks of login attempts when logins are rate limited', async () => {
      const email = `limited-${Date.now()}@example.com`;
      let last = '';
      for (let i = 0; i < 12; i++) {
        const r = await gql(app, 'mutation($e: String!) { login(email: $e, password: "x") { token } }', {
          e: email,
        });
        last = r.errors?.[0]?.message ?? '';
      }
      expect(last).toMatch(/login attempts/);
      expect(last).not.toMatch(/API key|ingestion/);
    });

    it('refuses a project key whose X-Tokenledger-Project names another project, naming the header', async () => {
      const key = await createKey(prisma, a.org.id, a.project.id, ['ingest']);
      const send = (project: string) =>
        app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { ...key.auth, 'content-type': 'application/json', 'x-tokenledger-project': project },
          payload: { events: [eventInput()] },
        });
      const other = await send(otherProject.slug);
      expect(other.statusCode).toBe(403);
      expect(other.json()).toMatchObject({
        error: { message: expect.stringContaining('X-Tokenledger-Project') },
      });
      expect((await send(a.project.slug)).statusCode).toBe(202);
    });

    it('shows eventIds resent with different content in GraphQL, and counts them on status', async () => {
      await prisma.eventConflict.create({
        data: {
          projectId: a.project.id,
          eventId: 'resent-1',
          existingContentHash: 'aaa',
          receivedContentHash: 'bbb',
          payload: { eventId: 'resent-1', model: 'changed' },
        },
      });
      await prisma.eventConflict.create({
        data: {
          projectId: otherProject.id,
          eventId: 'resent-2',
          existingContentHash: 'ccc',
          receivedContentHash: 'ddd',
          payload: { eventId: 'resent-2' },
        },
      });
      const conflicts = await gql<{ eventConflicts: { nodes: { eventId: string; project: string }[] } }>(
        app,
        '{ eventConflicts { nodes { eventId project payload receivedAt } } }',
        {},
        ownerAToken,
      );
      expect(conflicts.data?.eventConflicts.nodes.map((n) => [n.eventId, n.project]).sort()).toEqual([
        ['resent-1', a.project.slug],
        ['resent-2', otherProject.slug],
      ]);
      const status = await gql<{ status: { eventConflicts: number | null } }>(
        app,
        '{ status { eventConflicts } }',
        {},
        ownerAToken,
      );
      expect(status.data?.status.eventConflicts).toBe(2);
      // A project key counts its own project's only; nobody else's organization shows.
      const key = await createKey(prisma, a.org.id, a.project.id, ['read']);
      const own = await gql<{ status: { eventConflicts: number } }>(
        app,
        '{ status { eventConflicts } }',
        {},
        key.secret,
      );
      expect(own.data?.status.eventConflicts).toBe(1);
      const keyB = await createKey(prisma, b.org.id, null, ['read']);
      const inB = await gql<{ eventConflicts: { nodes: unknown[] } }>(
        app,
        '{ eventConflicts { nodes { eventId } } }',
        {},
        keyB.secret,
      );
      expect(inB.data?.eventConflicts.nodes).toEqual([]);
      expect(
        (await gql<{ status: { eventConflicts: null } }>(app, '{ status { eventConflicts } }')).data?.status
          .eventConflicts,
      ).toBeNull();
    });
  });
});
