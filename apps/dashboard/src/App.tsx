import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { ErrorState, Loading } from './components/states';
import { graphql, request, session, type ResultOf } from './graphql';
import { OrgContext, type OrgContextValue } from './org';
import { LoginPage } from './pages/login';
import { browserTimeZone } from './time-range';

const ME = graphql(`
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

const LOGOUT = graphql(`
  mutation Logout {
    logout
  }
`);

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/explorer', label: 'Explorer', end: false },
  { to: '/events', label: 'Events', end: false },
  { to: '/savings', label: 'Savings', end: false },
  { to: '/rates', label: 'Rates & models', end: false },
  { to: '/reports', label: 'Reports', end: false },
  { to: '/reconciliation', label: 'Reconciliation', end: false },
  { to: '/settings', label: 'Settings', end: false },
] as const;

const ORG_KEY = 'tokenledger.org';
const ME_KEY = 'tokenledger.me';

type MeAnswer = ResultOf<typeof ME>;

/** A session's mark in storage: enough to tell its remembered answer from another session's. */
const mark = (token: string) => token.slice(-16);

/**
 * The last `me` answer of this session, kept in localStorage: on the next load the shell and the page
 * (and so their queries) start at once while `me` is asked again, instead of after it. Stale for a
 * moment at most (a changed role or organization list is redrawn when the answer comes); the API
 * checks every request itself.
 */
function rememberedMe(token: string | null): MeAnswer | undefined {
  if (token === null) return undefined;
  try {
    const saved = JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as { mark: string; me: MeAnswer } | null;
    return saved?.mark === mark(token) ? saved.me : undefined;
  } catch {
    return undefined;
  }
}

/** The shell: the login gate, the organization picker and the navigation around every page. */
export function App() {
  const token = useSyncExternalStore(session.subscribe, () => session.token);
  const queryClient = useQueryClient();
  const location = useLocation();
  const [orgSlug, setOrgSlug] = useState<string | null>(() => localStorage.getItem(ORG_KEY));
  const me = useQuery({
    queryKey: ['me', token],
    queryFn: ({ signal }) => request(ME, undefined, signal),
    enabled: token !== null,
    staleTime: 60_000,
    placeholderData: () => rememberedMe(token),
  });
  useEffect(() => {
    if (token === null) localStorage.removeItem(ME_KEY);
    else if (me.data && !me.isPlaceholderData)
      localStorage.setItem(ME_KEY, JSON.stringify({ mark: mark(token), me: me.data }));
  }, [token, me.data, me.isPlaceholderData]);

  // Focus the page's heading after navigation so screen readers announce the new page.
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [location.pathname]);

  if (token === null) return <LoginPage onLogin={() => queryClient.clear()} />;

  const logout = async () => {
    await request(LOGOUT).catch(() => undefined);
    session.set(null);
    queryClient.clear();
  };

  const orgs = me.data?.me.organizations ?? [];
  const current = orgs.find((o) => o.slug === orgSlug) ?? orgs[0];
  const org: OrgContextValue | null = current
    ? { slug: current.slug, name: current.name, role: current.role, timeZone: browserTimeZone() }
    : null;

  return (
    <div className="page">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Tokenledger</span>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <NavLink
              key={n.to}
              to={n.to}
              end={n.end}
              className={({ isActive }) => (isActive ? 'active' : '')}
            >
              {n.label}
            </NavLink>
          ))}
        </nav>
        <div className="who">
          {orgs.length > 1 ? (
            <select
              aria-label="Organization"
              value={current?.slug ?? ''}
              onChange={(e) => {
                localStorage.setItem(ORG_KEY, e.target.value);
                setOrgSlug(e.target.value);
              }}
            >
              {orgs.map((o) => (
                <option key={o.slug} value={o.slug}>
                  {o.name}
                </option>
              ))}
            </select>
          ) : (
            <span>{current?.name}</span>
          )}
          {current && <span className="badge">{current.role.toLowerCase()}</span>}
          <span className="muted email">{me.data?.me.user?.email}</span>
          <button type="button" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {me.isPending && !me.data && <Loading what="your organizations" />}
        {me.error && <ErrorState error={me.error} retry={() => void me.refetch()} />}
        {me.data && orgs.length === 0 && <p>You belong to no organization yet.</p>}
        {org && (
          <OrgContext.Provider value={org}>
            <Outlet key={org.slug} />
          </OrgContext.Provider>
        )}
      </main>
      <footer className="muted" data-testid="api-status">
        {me.data ? `API ${me.data.status.ready ? 'ready' : 'not ready'} · v${me.data.status.version}` : ''}
      </footer>
    </div>
  );
}
