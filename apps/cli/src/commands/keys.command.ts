import type { Command } from 'commander';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { parseScopes, type Store } from '@tokenledger/db';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

async function resolveProject(store: Store, projectSlug: string, orgSlug?: string) {
  if (orgSlug) {
    const org = await store.organizations.requireBySlug(orgSlug);
    const project = await store.projects.findBySlug(org.id, projectSlug);
    if (!project)
      throw new TokenledgerError(
        ErrorCode.NotFound,
        `project: no project "${projectSlug}" in organization "${orgSlug}"`,
      );
    return { org, project };
  }
  const matches = await store.projects.withSlug(projectSlug);
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
          withStore(async (store) => {
            const scopes = parseScopes(options.scopes);
            const { org, project } = await resolveProject(store, options.project, options.org);
            const { secret, key } = await store.apiKeys.create({
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
        withStore(async (store) => {
          const org = await store.organizations.requireBySlug(options.org);
          const [keys, slugs] = await Promise.all([
            store.apiKeys.list(org.id),
            store.projects.slugsById(org.id),
          ]);
          // A key is bound to one project (its slug) or to the whole organization (project null).
          const list = keys.map((k) => ({
            ...k,
            project: k.projectId ? (slugs.get(k.projectId) ?? null) : null,
          }));
          emit(global, { organization: org.slug, keys: list }, () =>
            list.length === 0
              ? 'No keys.'
              : list
                  .map(
                    (k) =>
                      `${k.prefix}  ${(k.project ?? '(organization)').padEnd(20)} ${k.scopes.join(',').padEnd(18)} ${k.revokedAt ? 'revoked' : 'active '}  ${k.name}`,
                  )
                  .join('\n'),
          );
        }),
      );
    });
}
