import type { Command } from 'commander';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { ApiKeyRepository, findProjectBySlugs, parseScopes, type PrismaClient } from '@tokenledger/db';
import { withPrisma } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

async function resolveProject(prisma: PrismaClient, projectSlug: string, orgSlug?: string) {
  if (orgSlug) return findProjectBySlugs(prisma, orgSlug, projectSlug);
  const matches = await prisma.project.findMany({
    where: { slug: projectSlug },
    include: { organization: true },
  });
  if (matches.length === 0)
    throw new TokenledgerError(ErrorCode.NotFound, `project: no project "${projectSlug}"`);
  if (matches.length > 1) {
    const orgs = matches.map((m) => m.organization.slug).join(', ');
    throw new TokenledgerError(
      ErrorCode.ValidationFailed,
      `project: "${projectSlug}" exists in several organizations (${orgs}); add --org`,
    );
  }
  return { org: matches[0]!.organization, project: matches[0]! };
}

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Manage API keys');

  keys
    .command('create')
    .description('Create an API key for a project; the secret is printed once')
    .requiredOption('--project <slug>', 'project slug')
    .option('--org <slug>', 'organization slug (needed when the project slug is not unique)')
    .option('--scopes <list>', 'comma-separated scopes: ingest, read, admin', 'ingest')
    .option('--name <name>', 'a label for the key', 'cli key')
    .action(
      async (options: { project: string; org?: string; scopes: string; name: string }, command: Command) => {
        const global = command.optsWithGlobals<GlobalOptions>();
        await runCommand(global, () =>
          withPrisma(async (prisma) => {
            const scopes = parseScopes(options.scopes);
            const { org, project } = await resolveProject(prisma, options.project, options.org);
            const { secret, key } = await new ApiKeyRepository(prisma).create({
              organizationId: org.id,
              projectId: project.id,
              name: options.name,
              scopes,
            });
            const result = {
              key: secret,
              id: key.id,
              prefix: key.prefix,
              organization: org.slug,
              project: project.slug,
              scopes: key.scopes,
              createdAt: key.createdAt.toISOString(),
            };
            emit(global, result, () =>
              [
                `Created key ${key.prefix} for ${org.slug}/${project.slug} with scopes ${key.scopes.join(', ')}.`,
                `Secret (shown once, store it now): ${secret}`,
              ].join('\n'),
            );
          }),
        );
      },
    );

  keys
    .command('list')
    .description('List the keys of an organization (prefixes only; secrets are never stored)')
    .option('--org <slug>', 'organization slug', 'demo')
    .action(async (options: { org: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withPrisma(async (prisma) => {
          const org = await prisma.organization.findUnique({ where: { slug: options.org } });
          if (!org) throw new TokenledgerError(ErrorCode.NotFound, `org: no organization "${options.org}"`);
          const list = await new ApiKeyRepository(prisma).list(org.id);
          emit(global, { keys: list }, () =>
            list.length === 0
              ? 'No keys.'
              : list
                  .map(
                    (k) =>
                      `${k.prefix}  ${k.scopes.join(',').padEnd(18)} ${k.revokedAt ? 'revoked' : 'active '}  ${k.name}`,
                  )
                  .join('\n'),
          );
        }),
      );
    });
}
