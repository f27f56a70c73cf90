/**
 * Node side of the kernel harness: serves tools/kernelHarness/ with vite's dev
 * server on a free localhost port and opens it in headless Chromium with
 * WebGPU (SwiftShader when there is no GPU). Used by e2e/fusedLstm.e2e.ts,
 * e2e/ortPeer.e2e.ts and bench/drivers/kernels.ts. The server sends the
 * cross-origin isolation headers (COOP/COEP), so that wasm threads
 * (SharedArrayBuffer) work in its pages; ONNX Runtime Web's peer pages
 * (ort.html) open in the same browser.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type ViteDevServer, createServer } from 'vite';
import type { KernelHarness } from './harness';
import type { OrtEngine, OrtPeer } from './ortPeer';
import type { WasmPage } from './wasmPage';
import type { ExtractorPage } from './extractorPage';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** The functions a harness page puts on `window` (each takes and returns plain JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type PageApi = Record<string, (...args: any) => unknown>;

/** Calls one of a harness page's functions with a JSON argument. */
export type ApiCall<A extends PageApi> = <K extends keyof A>(name: K, ...arg: Parameters<A[K]>) => Promise<Awaited<ReturnType<A[K]>>>;

/** Calls one of the page's harness functions with a JSON argument. */
export type HarnessCall = ApiCall<KernelHarness>;

/**
 * CPU seconds used so far by this process's Chromium (all its processes). On a
 * machine without a GPU, WebGPU runs on the CPU (SwiftShader), so this is the
 * kernel's cost even when other work shares the cores (Linux only; 0 elsewhere).
 */
export function chromiumCpuSeconds(): number {
  const tick = 100; // USER_HZ
  const children = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const cpu = (pid: number): number => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / tick; // utime, stime
    } catch {
      return 0;
    }
  };
  let total = 0;
  const walk = (pid: number, depth: number) => {
    for (const c of children(pid)) {
      if (depth > 0 || /chrom/.test(readFileSafe(`/proc/${c}/comm`))) {
        total += cpu(c);
        walk(c, depth + 1);
      }
    }
  };
  walk(process.pid, 0);
  return total;
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A page of one configuration, started by its `init`, in the harness's browser. */
export interface ConfiguredPage<A extends PageApi> {
  page: Page;
  call: ApiCall<A>;
  /** What `init` said (the engine's version, its threads, whether the page is cross-origin isolated, ...). */
  info: Awaited<ReturnType<A['init']>>;
  close(): Promise<void>;
}

/** ONNX Runtime Web's page: its version, cross-origin isolation and adapter in `info`. */
export type OrtPeerPage = ConfiguredPage<OrtPeer>;
/** The project's wasm engine's page: the backend and its threads in `info`. */
export type ProjectWasmPage = ConfiguredPage<WasmPage>;

export interface HarnessSession {
  page: Page;
  call: HarnessCall;
  /** Chromium's version string. */
  version: string;
  /**
   * A page of ONNX Runtime Web for one engine and thread count, in the same
   * browser (a page per configuration: ONNX Runtime reads its settings once).
   */
  openOrtPeer(opts: { engine: OrtEngine; threads: number }): Promise<OrtPeerPage>;
  /** The project's model on tfjs's wasm backend with that many threads, in a page of the same browser. */
  openProjectWasm(opts: { threads: number }): Promise<ProjectWasmPage>;
  /** The extractor's Inception stand-in, interpreter and direct network, on one backend, in a page of the same browser. */
  openExtractor(opts: { backend: 'webgpu' | 'wasm'; threads?: number }): Promise<ConfiguredPage<ExtractorPage>>;
  /** Requests of any of the session's pages that left the harness's origin (none expected). */
  foreignRequests(): string[];
  close(): Promise<void>;
}

/** Cross-origin isolation, which SharedArrayBuffer and so wasm threads need. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

type PageCall = (name: string, arg?: unknown) => Promise<unknown>;

async function openPage(
  browser: Browser,
  url: string,
  global: string,
  readyTitle: string,
  log: (s: string) => void,
  foreign: string[],
): Promise<{ page: Page; call: PageCall }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) =>
    log(`[page ${m.type()}] ${m.text()}${m.type() === 'error' && m.location().url ? ` (${m.location().url})` : ''}`),
  );
  page.on('pageerror', (e) => log(`[page error] ${e.message}`));
  context.on('response', (r) => {
    if (r.status() >= 400 && !/favicon/.test(r.url())) log(`[page error] ${r.status()} ${r.url()}`);
  });
  // Nothing may leave localhost (no CDN for ONNX Runtime's files): any request that does is recorded.
  context.on('request', (r) => {
    const u = r.url();
    if (!/^(blob|data):/.test(u) && new URL(u).origin !== new URL(url).origin) foreign.push(u);
  });
  await page.goto(url);
  await page.waitForFunction((t) => document.title === t, readyTitle, { timeout: 120_000 });
  const call: PageCall = async (name, arg) =>
    page.evaluate(
      ([g, n, a]) => (window as unknown as Record<string, Record<string, (x: unknown) => unknown>>)[g as string][n as string](a),
      [global, name, arg] as const,
    );
  return { page, call };
}

export async function openHarness(opts: { log?: (s: string) => void } = {}): Promise<HarnessSession> {
  const log = opts.log ?? (() => {});
  let server: ViteDevServer | null = null;
  let browser: Browser | null = null;
  try {
    server = await createServer({
      configFile: false,
      root,
      logLevel: 'error',
      // Its own cache, apart from the playground's.
      cacheDir: path.join(root, 'node_modules/.vite-kernel-harness'),
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null, headers: ISOLATION_HEADERS },
      // ONNX Runtime is served as it is installed, not pre-bundled: it finds its .mjs and .wasm
      // (and its worker threads' script) next to itself.
      optimizeDeps: {
        entries: [
          'tools/kernelHarness/index.html',
          'tools/kernelHarness/ort.html',
          'tools/kernelHarness/wasm.html',
          'tools/kernelHarness/extractor.html',
        ],
        exclude: ['onnxruntime-web'],
      },
    });
    await server.listen();
    const addr = server.httpServer?.address();
    if (!addr || typeof addr === 'string') throw new Error('vite did not listen on a port');
    const origin = `http://127.0.0.1:${addr.port}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const b = browser;
    const foreign: string[] = [];
    const { page, call } = await openPage(
      b,
      `${origin}/tools/kernelHarness/index.html`,
      'kernelHarness',
      'kernel harness ready',
      log,
      foreign,
    );
    const configured = async <A extends PageApi>(
      file: string,
      global: string,
      readyTitle: string,
      init: Parameters<A['init']>[0],
    ): Promise<ConfiguredPage<A>> => {
      const p = await openPage(b, `${origin}/tools/kernelHarness/${file}`, global, readyTitle, log, foreign);
      const call = p.call as unknown as ApiCall<A>;
      const info = await call('init', ...([init] as Parameters<A['init']>));
      return { page: p.page, call, info, close: () => p.page.context().close() };
    };
    const openOrtPeer = (o: { engine: OrtEngine; threads: number }) => configured<OrtPeer>('ort.html', 'ortPeer', 'ort peer ready', o);
    const openProjectWasm = (o: { threads: number }) => configured<WasmPage>('wasm.html', 'wasmPage', 'wasm page ready', o);
    const openExtractor = (o: { backend: 'webgpu' | 'wasm'; threads?: number }) =>
      configured<ExtractorPage>('extractor.html', 'extractorPage', 'extractor page ready', o);
    const s = server;
    return {
      page,
      call: call as HarnessCall,
      version: b.version(),
      openOrtPeer,
      openProjectWasm,
      openExtractor,
      foreignRequests: () => [...foreign],
      close: async () => {
        await b.close();
        await s.close();
      },
    };
  } catch (e) {
    await browser?.close();
    await server?.close();
    throw e;
  }
}
