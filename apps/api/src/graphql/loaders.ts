import type { ProjectsRepository, UsersRepository } from '@tokenledger/db';
import DataLoader from 'dataloader';

export interface ProjectRow {
  id: string;
  organizationId: string;
  slug: string;
  name: string;
  createdAt: Date;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k) ?? []);
}

/** Per-request batch loaders: a list of N items costs one query per relation, not N. */
export class Loaders {
  readonly project: DataLoader<string, ProjectRow | null>;
  readonly projectsOfOrg: DataLoader<string, ProjectRow[]>;
  readonly user: DataLoader<string, UserRow | null>;

  constructor(projects: ProjectsRepository, users: UsersRepository) {
    this.project = new DataLoader(async (ids) => {
      const rows = await projects.byIds(ids);
      return byKey(ids, rows, (r) => r.id).map((g) => g[0] ?? null);
    });
    this.projectsOfOrg = new DataLoader(async (orgIds) => {
      const rows = await projects.ofOrganizations(orgIds);
      return byKey(orgIds, rows, (r) => r.organizationId);
    });
    this.user = new DataLoader(async (ids) => {
      const rows = await users.byIds(ids);
      return byKey(ids, rows, (r) => r.id).map((g) => g[0] ?? null);
    });
  }
}
