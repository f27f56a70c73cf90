import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startWorker } from '../worker/client';
import { App } from './App';
import { StoreProvider } from './state/context';
import { createAppStore } from './state/store';
import './styles.css';
import { EnvironmentError } from '../core/errors';

// ?testhooks=1 lets the end-to-end tests break WebGPU in the worker, to check that the page recovers.
const client = startWorker({ testHooks: new URLSearchParams(location.search).get('testhooks') === '1' });
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
