import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { GraphQLRequestError, session } from './graphql';
import { prefetchOverview } from './overview-data';
import { preloadPage, router } from './router';
import './styles.css';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Stale after 30 s, refetched in the background while the old answer stays on screen.
      staleTime: 30_000,
      gcTime: 5 * 60_000,
      // Retry what may pass (network, 5xx); never a refusal the API has explained.
      retry: (failures, error) =>
        failures < 2 && !(error instanceof GraphQLRequestError && error.code !== undefined),
      refetchOnWindowFocus: true,
    },
  },
});

// Logged in: fetch this page's code while the session is checked, not after; on the overview, its
// first-screen spend too (already asked by early.ts when it ran).
if (session.token) {
  preloadPage(window.location.pathname);
  prefetchOverview(queryClient);
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
