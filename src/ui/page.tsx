import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { WorkerClient } from '../protocol/client';
import { App } from './App';
import { StoreProvider } from './state/context';
import { createAppStore } from './state/store';
import './styles.css';
import { EnvironmentError } from '../core/errors';

/** The page itself: the store over the worker that main.tsx started, the views, and the start as the URL says. */
export function startPage(client: WorkerClient): void {
  const store = createAppStore({
    client,
    url: {
      read: () => location.search,
      write: (search) => history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`),
    },
    publicUrl: (path) => new URL(`${import.meta.env.BASE_URL}${path}`, location.origin).href,
    fetchJson: async (url) => {
      const r = await fetch(url);
      if (!r.ok) throw new EnvironmentError(`${url} answered ${r.status}`);
      return r.json();
    },
  });

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  );
  void store.getState().init();
}
