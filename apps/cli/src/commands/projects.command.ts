import type { Command } from 'commander';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import { assertSlug } from '@tokenledger/db';
import { withStore } from '../context';
import { emit, runCommand, type GlobalOptions } from '../output';

const projectJson = (p: { id: string; slug: string; name: string; createdAt: Date }, org: string) => ({
  id: p.id,
  organization: org,
  slug: p.slug,
  name: p.name,
  createdAt: p.createdAt.toISOString(),
});

export function registerProjectCommands(program: Command): void {
  const projects = program.command('projects').description("Manage an organization's projects");

  projects
    .command('create')
    .description('Create a project (events and API keys belong to one); then `keys create --project <slug>`')
    .requiredOption('--slug <slug>', 'lower-case letters, digits and dashes, e.g. support-bot')
    .option('--name <name>', 'a display name (default: the slug)')
    .option('--org <slug>', 'organization slug', 'demo')
    .action(async (options: { slug: string; name?: string; org: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          assertSlug('--slug', options.slug);
          const name = (options.name ?? options.slug).trim();
          if (!name) throw new TokenledgerError(ErrorCode.ValidationFailed, '--name: must not be empty');
          const org = await store.organizations.requireBySlug(options.org, '--org');
          const project = await store.projects.create(
            { organizationId: org.id, slug: org.slug },
            options.slug,
            name,
          );
          emit(global, projectJson(project, org.slug), () =>
            [
              `Created project ${org.slug}/${project.slug} (${project.name}).`,
              `Next: npm run tokenledger -- keys create --org ${org.slug} --project ${project.slug} --scopes ingest`,
            ].join('\n'),
          );
        }),
      );
    });

  projects
    .command('list')
    .description("List an organization's projects")
    .option('--org <slug>', 'organization slug', 'demo')
    .action(async (options: { org: string }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      await runCommand(global, () =>
        withStore(async (store) => {
          const org = await store.organizations.requireBySlug(options.org, '--org');
          const list = await store.projects.list({ organizationId: org.id, projectId: null });
          emit(global, { organization: org.slug, projects: list.map((p) => projectJson(p, org.slug)) }, () =>
            list.length === 0
              ? `No projects in ${org.slug}.`
              : list.map((p) => `${p.slug.padEnd(24)} ${p.name}`).join('\n'),
          );
        }),
      );
    });
}
