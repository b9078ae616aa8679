import { graphql, type ResultOf } from './graphql';

export const ME = graphql(`
  query Me {
    me {
      user {
        email
      }
      organizations {
        slug
        name
        role
      }
    }
    status {
      ready
      version
    }
  }
`);

export const ORG_KEY = 'tokenledger.org';
export const ME_KEY = 'tokenledger.me';

export type MeAnswer = ResultOf<typeof ME>;

/** A session's mark in storage: enough to tell its remembered answer from another session's. */
export const mark = (token: string) => token.slice(-16);

/**
 * The last `me` answer of this session, kept in localStorage: on the next load the shell and the page
 * (and so their queries) start at once while `me` is asked again, instead of after it. Stale for a
 * moment at most (a changed role or organization list is redrawn when the answer comes); the API
 * checks every request itself.
 */
export function rememberedMe(token: string | null): MeAnswer | undefined {
  if (token === null) return undefined;
  try {
    const saved = JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as { mark: string; me: MeAnswer } | null;
    return saved?.mark === mark(token) ? saved.me : undefined;
  } catch {
    return undefined;
  }
}

/** The organization shown: the one last picked at this browser if the user still belongs to it, else the first. */
export function pickOrg<O extends { slug: string }>(
  orgs: readonly O[],
  picked: string | null,
): O | undefined {
  return orgs.find((o) => o.slug === picked) ?? orgs[0];
}
