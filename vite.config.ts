import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The playground page. The inference worker (src/worker/worker.ts) is its own
 * ES-module bundle holding tfjs; the page's bundle holds React and the views.
 * PLAYGROUND_PUBLIC_DIR serves another public folder (a scratch model while
 * the demo is being built); the default is public/.
 */
export default defineConfig({
  plugins: [react()],
  publicDir: process.env.PLAYGROUND_PUBLIC_DIR || 'public',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs with its WebGPU and wasm backends is one large worker chunk by nature.
    chunkSizeWarningLimit: 4096,
  },
  server: { strictPort: false },
});
