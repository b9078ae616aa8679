import { createContext, useContext } from 'react';

export type Role = 'OWNER' | 'ADMIN' | 'VIEWER';

export interface OrgContextValue {
  slug: string;
  name: string;
  role: Role;
  timeZone: string;
}

export const OrgContext = createContext<OrgContextValue | null>(null);

/** The organization the pages show, with the caller's role in it. */
export function useOrg(): OrgContextValue {
  const org = useContext(OrgContext);
  if (!org) throw new Error('useOrg outside an organization');
  return org;
}

export function canAdmin(role: Role): boolean {
  return role === 'OWNER' || role === 'ADMIN';
}

export const VIEWER_REASON = 'Viewers can read everything but change nothing: ask an owner or admin.';
