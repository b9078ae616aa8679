import type { BudgetSpec } from '@tokenledger/budgeting';
import { ErrorCode, TokenledgerError } from '@tokenledger/contracts';
import type { ApiKeyRepository } from '../accounts/api-key.repository';
import type { ProjectsRepository } from '../accounts/projects.repository';

/** What resolving a budget's scope reads: projects by slug, API keys by id. */
export interface BudgetScopeLookups {
  projects: Pick<ProjectsRepository, 'findBySlug'>;
  apiKeys: Pick<ApiKeyRepository, 'findInOrganization'>;
}

/**
 * The records a checked budget's scope names, looked up within the caller's organization (and its
 * project, for a project-bound caller): the project of a project scope (its id is stored on the
 * budget), the API key of an api_key scope. Anything else's — another organization's project or
 * key — is VALIDATION_FAILED naming the field, exactly as a name that does not exist.
 */
export async function resolveBudgetScope(
  lookups: BudgetScopeLookups,
  access: { organizationId: string; projectId: string | null },
  scope: BudgetSpec['scope'],
): Promise<{ projectId: string | null }> {
  if (scope.kind === 'project' && scope.project) {
    const project = await lookups.projects.findBySlug(access.organizationId, scope.project);
    if (!project || (access.projectId && project.id !== access.projectId))
      throw new TokenledgerError(ErrorCode.ValidationFailed, `scope.project: no project "${scope.project}"`);
    return { projectId: project.id };
  }
  if (scope.kind === 'api_key' && scope.value) {
    // checkBudget made sure the value is a UUID, so the lookup cannot fail on its type.
    const key = await lookups.apiKeys.findInOrganization(access.organizationId, scope.value);
    if (!key || (access.projectId && key.projectId !== access.projectId))
      throw new TokenledgerError(
        ErrorCode.ValidationFailed,
        `scope.value: no API key "${scope.value}" in this organization`,
      );
  }
  return { projectId: null };
}
