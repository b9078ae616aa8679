import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter } from 'react-router';
import { App } from './App';
import { Loading } from './components/states';

/** Each page is its own chunk: the login page loads no charting code. */
function page(load: () => Promise<{ default: ComponentType }>) {
  const Page = lazy(load);
  return (
    <Suspense fallback={<Loading what="page" />}>
      <Page />
    </Suspense>
  );
}

export const router = createBrowserRouter([
  {
    path: '/',
    element: <App />,
    children: [
      { index: true, element: page(() => import('./pages/overview')) },
      { path: 'explorer', element: page(() => import('./pages/explorer')) },
      { path: 'events', element: page(() => import('./pages/events')) },
      { path: 'rates', element: page(() => import('./pages/rates')) },
      { path: 'settings', element: page(() => import('./pages/settings')) },
      { path: '*', element: page(() => import('./pages/not-found')) },
    ],
  },
]);
