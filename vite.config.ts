import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Cross-origin isolation (COOP/COEP): SharedArrayBuffer, and so tfjs's threaded
 * wasm build, needs it. Sent by `npm start` (vite dev) and `vite preview`; a
 * host serving dist/ must send the same two headers (README, hosting). Without
 * them the page still works, on one wasm thread.
 */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * tfjs-backend-wasm starts its threads (Web Workers) from the *text* of its
 * Emscripten factory: `new Blob(['var WasmBackendModuleThreadedSimd = ' +
 * factory.toString()])`, which each worker evaluates on its own. The factory is
 * a closure: it reads `_scriptDir`, a variable of the arrow function around it,
 * behind `typeof _scriptDir !== "undefined"`. Unminified, that text is still
 * valid on its own (the typeof guard sees no such variable in the worker). A
 * minifier renames the variable (to `e`) and, since it is declared right
 * there, drops the typeof guard as dead code; the worker then evaluates
 * `e&&(...)` and stops with "e is not defined", and the threaded backend never
 * starts. Removing the declaration leaves `_scriptDir` a global name, which no
 * minifier renames or assumes defined: the guard stays and the factory's text
 * runs anywhere. (The variable only located the script for a page that loads
 * the glue by a <script> tag; tfjs passes its own locateFile and
 * mainScriptUrlOrBlob, so nothing reads it.)
 */
export function tfjsWasmThreadsGlue(): Plugin {
  const declaration =
    /\n\s*var _scriptDir = typeof document !== 'undefined' && document\.currentScript \? document\.currentScript\.src : undefined;\n\s*if \(typeof __filename !== 'undefined'\) _scriptDir = _scriptDir \|\| __filename;\n/;
  return {
    name: 'tfjs-wasm-threads-glue',
    enforce: 'pre',
    transform(code, id) {
      if (!/tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/.test(id.split('?')[0])) return null;
      if (!declaration.test(code))
        this.error(
          `tfjs-wasm-threads-glue: ${id} no longer declares _scriptDir as expected; check that its threads still start in a minified build (e2e/wasmThreads.e2e.ts)`,
        );
      return {
        code: code.replace(declaration, '\n  // _scriptDir: left a global name (vite.config.ts, tfjsWasmThreadsGlue)\n'),
        map: null,
      };
    },
  };
}

/** What `npm start` pre-bundles: the page's dependencies and the inference worker's. */
export const DEV_PREBUNDLED = [
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom/client',
  'recharts',
  '@tanstack/react-virtual',
  'zustand',
  'zustand/vanilla',
  'zustand/middleware',
  'zustand/react/shallow',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-core/dist/register_all_gradients',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'papaparse',
  'fflate',
  'protobufjs',
  'protobufjs/light',
  '@noble/hashes/sha2.js',
  '@noble/hashes/utils.js',
];

/**
 * The playground page. The inference worker (src/worker/worker.ts) is its own
 * ES-module bundle holding tfjs; the page's bundle holds React and the views.
 * public/ holds the demo model, the samples and the vocabulary.
 */
export default defineConfig({
  plugins: [react(), tfjsWasmThreadsGlue()],
  // One page, no client-side routes: a missing file is a 404, not index.html.
  appType: 'mpa',
  worker: { format: 'es', plugins: () => [tfjsWasmThreadsGlue()] },
  build: {
    target: 'es2022',
    // tfjs with its WebGPU and wasm backends is one large worker chunk by nature.
    chunkSizeWarningLimit: 4096,
  },
  // `npm start`'s first visit: every dependency of the page and of the worker is pre-bundled when the dev
  // server starts, so that none is found late (the worker's tfjs is not reached from index.html), which
  // made vite optimise again and reload the page. e2e/devServer.e2e.ts holds it.
  optimizeDeps: {
    entries: ['index.html', 'src/worker/worker.ts'],
    include: DEV_PREBUNDLED,
  },
  server: { strictPort: false, headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
