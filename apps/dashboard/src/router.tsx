import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter } from 'react-router';
import { App } from './App';
import { Loading } from './components/states';
import OverviewPage from './pages/overview';

type Loader = () => Promise<{ default: ComponentType }>;

const PAGES: Record<string, Loader> = {
  // The page every login lands on is in the main bundle: no chunk to wait for before it draws.
  '/': () => Promise.resolve({ default: OverviewPage }),
  '/explorer': () => import('./pages/explorer'),
  '/events': () => import('./pages/events'),
  '/savings': () => import('./pages/savings'),
  '/rates': () => import('./pages/rates'),
  '/reports': () => import('./pages/reports'),
  '/reconciliation': () => import('./pages/reconciliation'),
  '/settings': () => import('./pages/settings'),
};
const notFound: Loader = () => import('./pages/not-found');

/** Each other page is its own chunk; the charting library is one too (the login page loads none of it). */
function page(load: Loader) {
  const Page = lazy(load);
  return (
    <Suspense fallback={<Loading what="page" />}>
      <Page />
    </Suspense>
  );
}

/**
 * Starts fetching the code of the page at `pathname` now, alongside the session check, rather than
 * after it (the browser keeps the module, so the lazy route finds it loaded).
 */
export function preloadPage(pathname: string): void {
  void (PAGES[pathname.replace(/\/+$/, '') || '/'] ?? notFound)().catch(() => undefined);
}

export const router = createBrowserRouter([
  // An invitation link works before login, so it lives outside the shell's login gate.
  { path: '/accept', element: page(() => import('./pages/accept')) },
  {
    path: '/',
    element: <App />,
    children: [
      // Not lazy: a lazy page shows its fallback first, and React holds a revealed Suspense boundary
      // back (up to 300 ms) before it draws the page.
      { index: true, element: <OverviewPage /> },
      ...Object.entries(PAGES)
        .filter(([path]) => path !== '/')
        .map(([path, load]) => ({ path: path.slice(1), element: page(load) })),
      { path: '*', element: page(notFound) },
    ],
  },
]);
