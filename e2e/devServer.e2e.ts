/**
 * `npm start`'s first visit (issue 13): the vite dev server started fresh
 * (an empty dependency cache, as after deleting node_modules/.vite), the page
 * opened at once in Chromium, timed until the demo model is shown. Every
 * dependency of the page and of the worker is pre-bundled when the server
 * starts (vite.config.ts, optimizeDeps), so vite never finds one late,
 * optimises again and reloads the page: one navigation, and the model within
 * 3 s on an idle machine (the budget grows with the machine's load, which
 * this test does not control; both figures are printed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { createLogger, createServer, type ViteDevServer } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium, ROOT, watchErrors, watchForeignRequests } from './support/app';

const BUDGET_MS = 3000;

let server: ViteDevServer | undefined;
let browser: Browser | undefined;
const cacheDir = mkdtempSync(path.join(tmpdir(), 'alstm-vite-cache-'));

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('npm start, first visit', () => {
  it('shows the demo model without optimising again or reloading the page', async () => {
    const logged: string[] = [];
    const logger = createLogger('info', { allowClearScreen: false });
    for (const level of ['info', 'warn', 'error'] as const) {
      const write = logger[level].bind(logger);
      logger[level] = (msg, opts) => {
        logged.push(msg);
        if (level !== 'info') write(msg, opts);
      };
    }
    // As `npm start` does, with its own (empty) dependency cache, on a free port, without opening a browser itself.
    server = await createServer({ root: ROOT, cacheDir, customLogger: logger, server: { host: '127.0.0.1', port: 0, open: false } });
    await server.listen();
    const address = server.httpServer!.address() as { port: number };
    const origin = `http://127.0.0.1:${address.port}`;
    browser = await launchChromium({ webgpu: false });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const foreign = watchForeignRequests(context, origin);
    const page = await context.newPage();
    const errors = watchErrors(page);
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });

    const loadBefore = loadavg()[0] / cpus().length;
    const start = performance.now();
    await page.goto(`${origin}/`);
    await page.locator('[data-testid=model-info]').waitFor({ timeout: 120_000 });
    const ms = performance.now() - start;
    // Anything late would show now: a reload after the model is up.
    await page.waitForTimeout(1500);

    // Other work on the machine (another test file, a benchmark) slows the dev server's first bundling: the
    // budget scales with the load per core, the larger of before and after, with a quarter more for the lag of
    // the one-minute average. On an idle machine it is BUDGET_MS.
    const load = Math.max(loadBefore, loadavg()[0] / cpus().length);
    const budget = BUDGET_MS * (load > 1 ? 1.25 * load : 1);
    process.stderr.write(
      `npm start, first visit: the demo model shown after ${Math.round(ms)} ms, ${navigations} navigation(s); load ${load.toFixed(2)} per core, budget ${Math.round(budget)} ms\n`,
    );
    expect(logged.filter((m) => /new dependencies optimized|optimized dependencies changed|reloading/i.test(m))).toEqual([]);
    expect(navigations).toBe(1);
    expect(ms).toBeLessThan(budget);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  }, 180_000);
});
