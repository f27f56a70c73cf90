import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The playground page. The inference worker (src/worker/worker.ts) is its own
 * ES-module bundle holding tfjs; the page's bundle holds React and the views.
 * public/ holds the demo model, the samples and the vocabulary.
 */
export default defineConfig({
  plugins: [react()],
  // One page, no client-side routes: a missing file is a 404, not index.html.
  appType: 'mpa',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs with its WebGPU and wasm backends is one large worker chunk by nature.
    chunkSizeWarningLimit: 4096,
  },
  server: { strictPort: false },
});
