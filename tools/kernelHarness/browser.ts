/**
 * Node side of the kernel harness: serves tools/kernelHarness/ with vite's dev
 * server on a free localhost port and opens it in headless Chromium with
 * WebGPU (SwiftShader when there is no GPU). Used by e2e/fusedLstm.e2e.ts and
 * bench/drivers/kernels.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type ViteDevServer, createServer } from 'vite';
import type { KernelHarness } from './harness';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

/** Calls one of the page's harness functions with a JSON argument. */
export type HarnessCall = <K extends keyof KernelHarness>(
  name: K, ...arg: Parameters<KernelHarness[K]>
) => Promise<Awaited<ReturnType<KernelHarness[K]>>>;

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

export interface HarnessSession {
  page: Page;
  call: HarnessCall;
  /** Chromium's version string. */
  version: string;
  close(): Promise<void>;
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
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null },
      optimizeDeps: { entries: ['tools/kernelHarness/index.html'] },
    });
    await server.listen();
    const addr = server.httpServer?.address();
    if (!addr || typeof addr === 'string') throw new Error('vite did not listen on a port');
    const url = `http://127.0.0.1:${addr.port}/tools/kernelHarness/index.html`;
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    page.on('console', (m) => log(`[page ${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => log(`[page error] ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => document.title === 'kernel harness ready', undefined, { timeout: 120_000 });
    const call = (async (name: string, arg?: unknown) =>
      page.evaluate(
        ([n, a]) => (window as unknown as { kernelHarness: Record<string, (x: unknown) => unknown> }).kernelHarness[n as string](a),
        [name, arg] as const,
      )) as HarnessCall;
    const s = server;
    const b = browser;
    return { page, call, version: b.version(), close: async () => { await b.close(); await s.close(); } };
  } catch (e) {
    await browser?.close();
    await server?.close();
    throw e;
  }
}
