/**
 * tfjs's wasm backend in the production build: threaded when the page is
 * cross-origin isolated (as `vite preview`, `npm start` and a host sending
 * COOP/COEP serve it) and asked for threads (`?threads=2`; by default every
 * core but one), one thread when it is not isolated (a host without the
 * headers), with the same probabilities either way, and nothing fetched from
 * outside the page's origin.
 */
import type { Browser, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionDocument } from '../src/core/predictionDocument';
import {
  buildAndServe,
  download,
  launchChromium,
  maxDiff,
  newPage,
  screenshot,
  type ServedApp,
  waitForDone,
  waitUntilReady,
} from './support/app';

let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  app = await buildAndServe('dist-threads');
  browser = await launchChromium({ webgpu: false });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The page's inference worker (not tfjs's own thread workers, which start from blob: URLs). */
function inferenceWorker(page: Page): Worker {
  const w = page.workers().find((x) => !x.url().startsWith('blob:') && /worker/.test(x.url()));
  if (!w)
    throw new Error(
      `no inference worker among ${page
        .workers()
        .map((x) => x.url())
        .join(', ')}`,
    );
  return w;
}

/** What tfjs's wasm backend reports in the worker: its thread count (tfjs's engine is a global of the worker). */
async function wasmThreads(page: Page): Promise<number> {
  return inferenceWorker(page).evaluate(() => {
    type Engine = { registry: { wasm?: { wasm?: { tfjs?: { getThreadsCount(): number } } } } };
    const engine = (self as unknown as { _tfengine?: Engine })._tfengine;
    const count = engine?.registry.wasm?.wasm?.tfjs?.getThreadsCount();
    if (count === undefined) throw new Error('tfjs has no wasm backend in the worker');
    return count;
  });
}

async function run(isolated: boolean, query = '') {
  const { page, context, errors, foreign } = await newPage(browser, app.origin);
  if (!isolated) {
    // A host that does not send the two headers.
    await context.route('**/*', async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
      await route.fulfill({ response, headers });
    });
  }
  await page.goto(`${app.origin}/?backend=wasm${query}`);
  await waitUntilReady(page);
  expect(await page.locator('[data-testid=active-backend]').textContent()).toBe('wasm');
  const crossOriginIsolated = await page.evaluate(() => self.crossOriginIsolated);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const threads = await wasmThreads(page);
  // The recurrence's own helper threads (one per tfjs thread beyond the first), bundled as their own script.
  const recurrenceHelpers = page.workers().filter((w) => /helper\.worker/.test(w.url())).length;
  // The page says what runs.
  expect(await page.locator('[data-testid=wasm-threads]').getAttribute('data-threads')).toBe(String(threads));
  await page.getByRole('button', { name: 'Try a sample' }).first().click();
  await waitForDone(page, 12);
  const doc = JSON.parse(
    await download(page, 'Export JSON', `threads-${isolated ? 'isolated' : 'not-isolated'}.json`),
  ) as PredictionDocument;
  await screenshot(page, `11-wasm-${isolated ? 'threaded' : 'one-thread'}`);
  await context.close();
  return { crossOriginIsolated, cores, threads, recurrenceHelpers, doc, errors, foreign };
}

describe('wasm threads in the production build', () => {
  it('runs threaded when cross-origin isolated, on one thread when not, with the same probabilities', async () => {
    const threaded = await run(true, '&threads=2');
    expect(threaded.crossOriginIsolated).toBe(true);
    expect(threaded.threads).toBe(2);
    expect(threaded.recurrenceHelpers).toBe(1);
    expect(threaded.errors).toEqual([]);

    // By default every core but one (at most 4): one on a 2-core machine, where a second thread slows the page.
    const byDefault = await run(true);
    expect(byDefault.threads).toBe(Math.max(1, Math.min(byDefault.cores - 1, 4)));

    const single = await run(false, '&threads=2');
    expect(single.crossOriginIsolated).toBe(false);
    expect(single.threads).toBe(1);
    expect(single.recurrenceHelpers).toBe(0);
    expect(single.errors).toEqual([]);

    expect(threaded.doc.backend).toBe('wasm');
    expect(single.doc.videos.length).toBe(threaded.doc.videos.length);
    expect(threaded.doc.videos.length).toBeGreaterThanOrEqual(12);
    let worst = 0;
    for (const v of threaded.doc.videos) {
      const w = single.doc.videos.find((x) => x.file === v.file && x.index === v.index);
      expect(w, `${v.file}#${v.index}`).toBeDefined();
      worst = Math.max(
        worst,
        maxDiff(v.probabilities, w!.probabilities),
        maxDiff(v.attention.rgb, w!.attention.rgb),
        maxDiff(v.attention.audio, w!.attention.audio),
      );
    }
    process.stderr.write(`wasm ${threaded.threads} threads against 1: largest difference ${worst.toExponential(2)}\n`);
    expect(worst).toBeLessThanOrEqual(1e-6);
    // Nothing came from elsewhere: tfjs's thread workers start from blob: URLs of the page's own glue.
    expect([...threaded.foreign, ...single.foreign]).toEqual([]);
  });
});
