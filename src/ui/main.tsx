import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startWorker } from '../worker/client';
import { App } from './App';
import { StoreProvider } from './state/context';
import { createAppStore } from './state/store';
import './styles.css';

const client = startWorker();
const store = createAppStore({
  client,
  url: {
    read: () => location.search,
    write: (search) => history.replaceState(history.state, '', `${location.pathname}${search}${location.hash}`),
  },
  publicUrl: (path) => new URL(`${import.meta.env.BASE_URL}${path}`, location.origin).href,
  fetchJson: async (url) => {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url} answered ${r.status}`);
    return r.json();
  },
});

// A test hook, only with ?testhooks=1: lets the e2e test lose the WebGPU device to check recovery.
if (new URLSearchParams(location.search).get('testhooks') === '1') {
  (window as unknown as { playground: object }).playground = { loseDevice: () => client.call('loseDevice', {}) };
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
void store.getState().init();
