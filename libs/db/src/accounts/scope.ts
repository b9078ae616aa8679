/**
 * The part of a caller's access that data reads need: which organization (and its slug, for
 * error messages), and the one project a project-bound key is limited to.
 */
export interface OrgScope {
  organizationId: string;
  slug: string;
  /** Set for a project-bound key: reads see this project only. */
  projectId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from a client: anything that is not a UUID cannot name a record, so it is "not found". */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
