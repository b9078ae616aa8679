import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { ErrorState, Loading } from './components/states';
import { graphql, request, session } from './graphql';
import { ME, ME_KEY, mark, ORG_KEY, pickOrg, rememberedMe, type MeAnswer } from './me';
import { OrgContext, type OrgContextValue } from './org';
import { LoginPage } from './pages/login';
import { browserTimeZone } from './time-range';

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

/** The shell: the login gate, the organization picker and the navigation around every page. */
export function App() {
  const token = useSyncExternalStore(session.subscribe, () => session.token);
  const queryClient = useQueryClient();
  const location = useLocation();
  const [orgSlug, setOrgSlug] = useState<string | null>(() => localStorage.getItem(ORG_KEY));
  const me = useQuery<MeAnswer>({
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
  const current = pickOrg(orgs, orgSlug);
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
