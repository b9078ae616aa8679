import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PolicyRegistry } from '@tokenledger/api/graphql/policy-registry';
import type { PrismaClient } from '@tokenledger/db';
import {
  buildSchema,
  getNamedType,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startApi } from '../support/api';
import { codeOf, createUser, gql, loginAs, type GraphQLResult } from '../support/graphql';
import { createTenant, testPrisma } from '../support/tenant';

/**
 * The generated authorization test (issue 13, docs/SECURITY.md). Every operation of the committed
 * schema.graphql, so a new one is covered the day it is added, is called by every principal of a
 * second organization and by every lower-privilege principal of the victim's own organization,
 * with arguments aimed at the victim: its slug as `org`, each of its resource ids for every ID
 * argument. It asserts that
 *  - an outsider naming the victim's organization is refused (NOT_FOUND, FORBIDDEN or
 *    UNAUTHENTICATED), whatever the operation;
 *  - no answer to anyone carries a marker of what that principal must not see (the victim's ids,
 *    slugs, member emails, invitations… for outsiders; the other project, members, organization
 *    keys, runs and invitations for a project key);
 *  - the victim's organization is exactly as it was after all of it (members, roles, projects,
 *    keys, invitations, rate tables, runs);
 *  - never an INTERNAL error.
 * A control run as the victim's owner checks that the generated documents are valid GraphQL, so the
 * test cannot pass by sending nonsense.
 */

const SCHEMA_FILE = resolve(__dirname, '../../apps/api/schema.graphql');
const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
const REFUSED = ['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED'];
const MAX_DEPTH = 3;

type Root = 'query' | 'mutation';
interface Operation {
  root: Root;
  name: string;
  field: GraphQLField<unknown, unknown>;
}

const operations: Operation[] = [
  ...Object.values(schema.getQueryType()?.getFields() ?? {}).map((field) => ({
    root: 'query' as const,
    name: field.name,
    field,
  })),
  ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => ({
    root: 'mutation' as const,
    name: field.name,
    field,
  })),
  // A caller that logs itself out cannot go on probing: logout runs last.
].sort((x, y) => Number(x.name === 'logout') - Number(y.name === 'logout'));

/** A selection of every field reachable without required arguments, a few levels deep. */
function selection(type: GraphQLOutputType, depth: number): string | null {
  const named = getNamedType(type);
  if (!(named instanceof GraphQLObjectType)) return '';
  const parts: string[] = [];
  for (const f of Object.values(named.getFields())) {
    if (f.args.some((a) => a.type instanceof GraphQLNonNull && a.defaultValue === undefined)) continue;
    const inner = getNamedType(f.type);
    if (inner instanceof GraphQLObjectType) {
      if (depth >= MAX_DEPTH) continue;
      const sub = selection(f.type, depth + 1);
      if (sub) parts.push(`${f.name} ${sub}`);
    } else parts.push(f.name);
  }
  return parts.length > 0 ? `{ ${parts.join(' ')} }` : null;
}

/** A plausible value of an input type; strings are aimed by argument name. */
function valueOf(type: GraphQLInputType, name: string, id: string): unknown {
  if (type instanceof GraphQLNonNull) return valueOf(type.ofType, name, id);
  if (type instanceof GraphQLList) return [valueOf(type.ofType, name, id)];
  if (type instanceof GraphQLEnumType) return type.getValues()[0]!.name;
  if (type instanceof GraphQLInputObjectType) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields()))
      if (f.type instanceof GraphQLNonNull && f.defaultValue === undefined)
        out[f.name] = valueOf(f.type, f.name, id);
    return out;
  }
  const scalar = (type as GraphQLScalarType).name;
  switch (scalar) {
    case 'ID':
      return id;
    case 'Int':
    case 'Long':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return '2026-01-01T00:00:00.000Z';
    case 'Decimal':
      return '1';
    case 'JSON':
      return {};
    default:
      if (/email/i.test(name)) return `probe-${id.slice(0, 8)}@example.com`;
      if (/password/i.test(name)) return 'probe-password-123';
      if (/token/i.test(name)) return 'tli_probe_probe';
      if (/slug|table|project/i.test(name)) return 'probe';
      return 'probe';
  }
}

const hasId = (t: GraphQLInputType): boolean => getNamedType(t).name === 'ID';

/** The documents to send for one operation: one per target id (when it takes ids), with and without `org`. */
function documents(
  op: Operation,
  orgSlug: string,
  ids: readonly string[],
): { query: string; variables: Record<string, unknown>; namesOrg: boolean }[] {
  const takesId = op.field.args.some((a) => hasId(a.type));
  const takesOrg = op.field.args.some((a) => a.name === 'org');
  const out = [];
  for (const id of takesId ? ids : ['00000000-0000-4000-8000-000000000000']) {
    for (const namesOrg of takesOrg ? [true, false] : [false]) {
      const args: GraphQLArgument[] = op.field.args.filter(
        (a) =>
          (a.type instanceof GraphQLNonNull && a.defaultValue === undefined) ||
          hasId(a.type) ||
          (a.name === 'org' && namesOrg),
      );
      const variables: Record<string, unknown> = {};
      for (const a of args) variables[a.name] = a.name === 'org' ? orgSlug : valueOf(a.type, a.name, id);
      const decl = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
      const call = args.map((a) => `${a.name}: $${a.name}`).join(', ');
      const sel = selection(op.field.type, 1) ?? '';
      out.push({
        query: `${op.root} Probe${decl ? `(${decl})` : ''} { ${op.name}${call ? `(${call})` : ''} ${sel} }`,
        variables,
        namesOrg,
      });
    }
  }
  return out;
}

describe('generated authorization test: every operation of schema.graphql × every principal that must not', () => {
  let prisma: PrismaClient;
  let app: NestFastifyApplication;
  let victim: Awaited<ReturnType<typeof createTenant>>;
  let outsiderOrg: Awaited<ReturnType<typeof createTenant>>;
  let ownerToken: string;
  const principals: {
    label: string;
    token?: string;
    /** Strings this principal must never receive. */
    markers: string[];
    /** Ids of the victim's resources beyond this principal's reach, tried for every ID argument. */
    ids: string[];
    outsider: boolean;
  }[] = [];

  async function state() {
    const orgId = victim.org.id;
    const [org, members, projects, keys, invitations, tables, runs, budgets, destinations, providers] =
      await Promise.all([
        prisma.organization.findUniqueOrThrow({ where: { id: orgId }, select: { slug: true, name: true } }),
        prisma.membership.findMany({
          where: { organizationId: orgId },
          select: { userId: true, role: true },
          orderBy: { userId: 'asc' },
        }),
        prisma.project.findMany({ where: { organizationId: orgId }, orderBy: { id: 'asc' } }),
        prisma.apiKey.findMany({
          where: { organizationId: orgId },
          select: { id: true, scopes: true, revokedAt: true, projectId: true },
          orderBy: { id: 'asc' },
        }),
        prisma.invitation.findMany({
          where: { organizationId: orgId },
          select: { id: true, role: true, acceptedAt: true, revokedAt: true },
          orderBy: { id: 'asc' },
        }),
        prisma.rateTable.findMany({
          where: { organizationId: orgId },
          include: { versions: { select: { id: true } } },
          orderBy: { id: 'asc' },
        }),
        prisma.repriceRun.count({ where: { organizationId: orgId } }),
        prisma.budget.findMany({ where: { organizationId: orgId }, orderBy: { id: 'asc' } }),
        prisma.alertDestination.findMany({ where: { organizationId: orgId }, orderBy: { id: 'asc' } }),
        Promise.all([
          prisma.providerConnection.findMany({ where: { organizationId: orgId }, orderBy: { id: 'asc' } }),
          prisma.providerMapping.findMany({ where: { organizationId: orgId }, orderBy: { id: 'asc' } }),
        ]),
      ]);
    return { org, members, projects, keys, invitations, tables, runs, budgets, destinations, providers };
  }

  beforeAll(async () => {
    prisma = testPrisma();
    ({ app } = await startApi());
    const hex = randomBytes(4).toString('hex');
    victim = await createTenant(prisma, 'victim');
    outsiderOrg = await createTenant(prisma, 'outsider');
    const secretProject = await prisma.project.create({
      data: { organizationId: victim.org.id, slug: `secret-${hex}`, name: `Secret ${hex}` },
    });
    const owner = await createUser(prisma, victim.org.id, 'owner', `vowner${hex}`);
    const admin = await createUser(prisma, victim.org.id, 'admin', `vadmin${hex}`);
    const viewer = await createUser(prisma, victim.org.id, 'viewer', `vviewer${hex}`);
    ownerToken = await loginAs(app, owner.email, owner.password);
    const orgKey = await createKey(prisma, victim.org.id, null, ['read', 'admin', 'ingest']);
    const orgReadKey = await createKey(prisma, victim.org.id, null, ['read']);
    const orgIngestKey = await createKey(prisma, victim.org.id, null, ['ingest']);
    const secretKey = await createKey(prisma, victim.org.id, secretProject.id, ['read', 'admin']);
    const p1Read = await createKey(prisma, victim.org.id, victim.project.id, ['read']);
    const p1Admin = await createKey(prisma, victim.org.id, victim.project.id, ['read', 'admin', 'ingest']);
    const invitation = await prisma.invitation.create({
      data: {
        organizationId: victim.org.id,
        email: `invitee-${hex}@example.com`,
        role: 'admin',
        tokenHash: `probe-${hex}`,
        invitedBy: owner.email,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    const table = await prisma.rateTable.create({
      data: {
        organizationId: victim.org.id,
        slug: `negotiated-${hex}`,
        name: 'Negotiated',
        kind: 'override',
      },
    });
    const run = await prisma.repriceRun.create({
      data: { organizationId: victim.org.id, reason: `probe run ${hex}`, since: new Date('2026-01-01') },
    });
    const budget = await prisma.budget.create({
      data: {
        organizationId: victim.org.id,
        name: `Budget ${hex}`,
        scopeKind: 'customer',
        scopeValue: `customer-${hex}`,
        period: 'month',
        amountUsd: '100',
        thresholds: [50, 100],
      },
    });
    // Made as the owner makes it (its signing secret sealed at rest): shown once, then to no one.
    const created = await gql<{
      createAlertDestination: { secret: string; destination: { id: string; url: string } };
    }>(
      app,
      `mutation { createAlertDestination(input: { name: "Hook ${hex}", url: "http://127.0.0.1:9/hook-${hex}" }) { secret destination { id url } } }`,
      {},
      ownerToken,
    );
    if (created.errors) throw new Error(JSON.stringify(created.errors));
    const destination = {
      id: created.data!.createAlertDestination.destination.id,
      url: created.data!.createAlertDestination.destination.url,
      secret: created.data!.createAlertDestination.secret,
    };
    // A connected provider: its admin key (write-only) must reach no one, not even the owner.
    const providerKey = `sk-admin-probe-${hex}`;
    const connected = await gql(
      app,
      `mutation { setProviderConnection(provider: OPENAI, adminKey: "${providerKey}", baseUrl: "http://127.0.0.1:9") { provider }
        setProviderMapping(provider: OPENAI, kind: PROJECT, externalId: "proj_${hex}", project: "${secretProject.slug}") { project } }`,
      {},
      ownerToken,
    );
    if (connected.errors) throw new Error(JSON.stringify(connected.errors));
    const conflictEventId = `conflict-${hex}`;
    await prisma.eventConflict.create({
      data: {
        projectId: secretProject.id,
        eventId: conflictEventId,
        existingContentHash: 'a',
        receivedContentHash: 'b',
        payload: { eventId: conflictEventId },
      },
    });

    // Beyond a project key's reach, inside its own organization.
    const projectKeyMarkers = [
      secretProject.id,
      secretProject.slug,
      owner.email,
      admin.email,
      viewer.email,
      invitation.email,
      invitation.id,
      run.id,
      table.slug,
      conflictEventId,
      budget.name,
      destination.url,
      destination.secret,
      providerKey,
      orgKey.key.prefix,
      secretKey.key.prefix,
    ];
    const projectKeyIds = [
      owner.user.id,
      admin.user.id,
      orgKey.key.id,
      secretKey.key.id,
      invitation.id,
      run.id,
      budget.id,
      destination.id,
    ];
    // Everything of the victim's.
    const allIds = [...projectKeyIds, viewer.user.id, p1Read.key.id, p1Admin.key.id, victim.project.id];
    const outsiderMarkers = [
      ...projectKeyMarkers,
      victim.org.id,
      victim.org.slug,
      victim.project.id,
      victim.project.slug,
      p1Read.key.prefix,
      p1Admin.key.prefix,
    ];

    const bOwner = await createUser(prisma, outsiderOrg.org.id, 'owner', `bowner${hex}`);
    const bViewer = await createUser(prisma, outsiderOrg.org.id, 'viewer', `bviewer${hex}`);
    const bOrgKey = await createKey(prisma, outsiderOrg.org.id, null, ['read', 'admin', 'ingest']);
    const bProjectKey = await createKey(prisma, outsiderOrg.org.id, outsiderOrg.project.id, [
      'read',
      'admin',
    ]);
    const bIngestKey = await createKey(prisma, outsiderOrg.org.id, null, ['ingest']);
    const outsider = (label: string, token?: string) =>
      principals.push({ label, token, markers: outsiderMarkers, ids: allIds, outsider: true });
    outsider('anonymous');
    outsider('other org: owner session', await loginAs(app, bOwner.email, bOwner.password));
    outsider('other org: viewer session', await loginAs(app, bViewer.email, bViewer.password));
    outsider('other org: organization key (read, admin, ingest)', bOrgKey.secret);
    outsider('other org: project key (read, admin)', bProjectKey.secret);
    outsider('other org: ingest key', bIngestKey.secret);
    const insider = (label: string, token: string, markers: string[] = [providerKey], ids = allIds) =>
      principals.push({ label, token, markers, ids, outsider: false });
    insider('same org: viewer session', await loginAs(app, viewer.email, viewer.password));
    insider('same org: organization read key', orgReadKey.secret);
    insider('same org: organization ingest key', orgIngestKey.secret);
    insider('same org: project read key', p1Read.secret, projectKeyMarkers, projectKeyIds);
    insider('same org: project key (read, admin, ingest)', p1Admin.secret, projectKeyMarkers, projectKeyIds);
  });

  afterAll(async () => {
    await app.close();
    await prisma.$disconnect();
  });

  it('finds every operation of the served schema in schema.graphql, each with a policy', () => {
    const registry = app.get(PolicyRegistry);
    const inFile = operations.map((o) => `${o.root === 'query' ? 'Query' : 'Mutation'}.${o.name}`).sort();
    expect(registry.operations().sort()).toEqual(inFile);
    expect(inFile.filter((op) => !registry.policyOf(op))).toEqual([]);
    expect(inFile.length).toBeGreaterThan(20);
  });

  it('generates valid documents: the owner of the organization gets no GraphQL validation error', async () => {
    for (const op of operations.filter((o) => o.root === 'query')) {
      for (const doc of documents(op, victim.org.slug, [victim.project.id])) {
        const result = await gql(app, doc.query, doc.variables, ownerToken);
        const graphqlCode = (result.errors?.[0]?.extensions as { graphqlCode?: string } | undefined)
          ?.graphqlCode;
        expect([doc.query, graphqlCode ?? null]).toEqual([doc.query, null]);
      }
    }
  });

  for (const op of operations) {
    it(`${op.root} ${op.name}: refused, or nothing that is not theirs, for every principal`, async () => {
      const before = await state();
      for (const principal of principals) {
        for (const doc of documents(op, victim.org.slug, principal.ids)) {
          const result: GraphQLResult = await gql(app, doc.query, doc.variables, principal.token);
          const where = `${principal.label}: ${doc.query} ${JSON.stringify(doc.variables)}`;
          expect([where, codeOf(result)]).not.toEqual([where, 'INTERNAL']);
          if (principal.outsider && doc.namesOrg)
            expect([where, REFUSED.includes(codeOf(result) ?? '')]).toEqual([where, true]);
          // Error messages may echo what was sent (e.g. "no organization x"): that reveals nothing.
          const body = JSON.stringify(result);
          const sent = JSON.stringify(doc.variables);
          const seen = principal.markers.filter((m) => body.includes(m) && !sent.includes(m));
          expect([where, seen]).toEqual([where, []]);
        }
      }
      expect(await state()).toEqual(before);
    });
  }
});
