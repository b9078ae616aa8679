import { useEffect, useState } from 'react';
import { graphql, request, session } from './graphql';
import { EventsPage } from './pages/events';
import { LoginPage } from './pages/login';
import { OverviewPage } from './pages/overview';
import { RatesPage } from './pages/rates';
import { ReportsPage } from './pages/reports';
import { useQuery } from './use-query';

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

const PAGES = {
  overview: 'Overview',
  events: 'Events',
  rates: 'Rates & models',
  reports: 'Reports',
} as const;
type Page = keyof typeof PAGES;

function currentPage(): Page {
  const hash = window.location.hash.replace(/^#\/?/, '');
  return hash in PAGES ? (hash as Page) : 'overview';
}

export function App() {
  const [authed, setAuthed] = useState(() => session.token !== null);
  const [page, setPage] = useState<Page>(currentPage);
  const [org, setOrg] = useState<string | null>(null);
  const me = useQuery(() => (authed ? request(ME) : Promise.resolve(null)), [authed]);

  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (me.error && session.token === null) setAuthed(false);
    const first = me.data?.me.organizations[0]?.slug;
    if (first && !org) setOrg(first);
  }, [me.data, me.error, org]);

  if (!authed) return <LoginPage onLogin={() => setAuthed(true)} />;

  const logout = async () => {
    await request(LOGOUT).catch(() => undefined);
    session.set(null);
    setOrg(null);
    setAuthed(false);
  };

  const orgs = me.data?.me.organizations ?? [];
  return (
    <div className="page">
      <header className="top">
        <h1>Tokenledger</h1>
        <nav>
          {(Object.keys(PAGES) as Page[]).map((p) => (
            <a key={p} href={`#/${p}`} className={p === page ? 'active' : ''}>
              {PAGES[p]}
            </a>
          ))}
        </nav>
        <div className="who">
          {orgs.length > 1 ? (
            <select aria-label="Organization" value={org ?? ''} onChange={(e) => setOrg(e.target.value)}>
              {orgs.map((o) => (
                <option key={o.slug} value={o.slug}>
                  {o.name}
                </option>
              ))}
            </select>
          ) : (
            <span>{orgs[0]?.name}</span>
          )}
          <span className="muted">{me.data?.me.user?.email}</span>
          <button onClick={() => void logout()}>Log out</button>
        </div>
      </header>
      {me.error && (
        <p role="alert" className="error">
          {me.error}
        </p>
      )}
      {org && page === 'overview' && <OverviewPage org={org} />}
      {org && page === 'events' && <EventsPage org={org} />}
      {org && page === 'rates' && <RatesPage org={org} />}
      {org && page === 'reports' && <ReportsPage org={org} />}
      {me.data && orgs.length === 0 && <p>You belong to no organization yet.</p>}
      <footer className="muted" data-testid="api-status">
        {me.data ? `API ${me.data.status.ready ? 'ready' : 'not ready'} · v${me.data.status.version}` : ''}
      </footer>
    </div>
  );
}
