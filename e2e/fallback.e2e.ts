/**
 * The page in a Chromium without WebGPU (launched without --enable-unsafe-webgpu,
 * so navigator.gpu finds no adapter): asking for WebGPU falls back to wasm and
 * says why; auto does the same; the loading and error states are clear.
 */
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionDocument } from '../src/core/predictionDocument';
import {
  buildAndServe,
  cliPredict,
  DEMO_MODEL,
  comparePredictions,
  download,
  launchChromium,
  newPage,
  SAMPLES,
  screenshot,
  type ServedApp,
  waitForDone,
  waitUntilReady,
} from './support/app';

let app: ServedApp;
let browser: Browser;
const foreign: string[][] = [];
const contexts: BrowserContext[] = [];

async function open() {
  const p = await newPage(browser, app.origin);
  foreign.push(p.foreign);
  contexts.push(p.context);
  return p;
}

beforeAll(async () => {
  app = await buildAndServe('dist-fallback');
  browser = await launchChromium({ webgpu: false });
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the playground without WebGPU', () => {
  it('falls back to wasm when WebGPU is asked for, says why, and still gives the CLI’s numbers', async () => {
    const reference = cliPredict([path.join(SAMPLES, 'demo-samples-a.tfrecord'), path.join(SAMPLES, 'demo-samples-b.tfrecord')]);
    const { page, errors } = await open();
    await page.goto(`${app.origin}/?backend=webgpu`);
    await waitUntilReady(page);
    expect(await page.locator('[data-testid=active-backend]').textContent()).toBe('wasm');
    expect(await page.locator('[data-testid=adapter]').textContent()).toBe('no WebGPU adapter');
    expect(await page.locator('[data-testid=backend-reason]').textContent()).toMatch(
      /WebGPU was asked for but is not available \(the browser found no WebGPU adapter\); running on wasm instead/,
    );
    // The choice stays what the user asked for.
    expect(await page.getByLabel('Backend').inputValue()).toBe('webgpu');

    await page.getByRole('button', { name: 'Try a sample' }).first().click();
    await waitForDone(page, 12);
    const doc = JSON.parse(await download(page, 'Export JSON', 'fallback-predictions.json')) as PredictionDocument;
    expect(doc.backend).toBe('wasm');
    expect(comparePredictions(doc, await reference).problems).toEqual([]);
    await screenshot(page, '08-fallback-no-webgpu');
    expect(errors).toEqual([]);
  });

  it('auto runs on wasm and says WebGPU is not available', async () => {
    const { page } = await open();
    await page.goto(`${app.origin}/`);
    await waitUntilReady(page);
    expect(await page.locator('[data-testid=active-backend]').textContent()).toBe('wasm');
    expect(await page.locator('[data-testid=backend-reason]').textContent()).toMatch(
      /WebGPU is not available \(.*\), so auto runs on wasm/,
    );
  });

  it('shows loading progress in bytes while the model downloads', async () => {
    const { page, context } = await open();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await context.route('**/models/demo/*.bin', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${app.origin}/?backend=wasm`);
    const bar = page.getByRole('progressbar', { name: 'Loading demo' });
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuetext')).toMatch(/^0 B of 320 KB \(0%\)$/);
    expect(await page.locator('[data-testid=load-progress]').textContent()).toMatch(/group1-shard1of1\.bin/);
    await screenshot(page, '09-loading-model');
    release();
    await waitUntilReady(page);
    await expect.poll(() => bar.count()).toBe(0);
  });

  it('explains a model that cannot be loaded, and the page stays usable', async () => {
    const { page } = await open();
    await page.goto(`${app.origin}/?backend=wasm&model=${encodeURIComponent('/models/nowhere/model.json')}`);
    // Said once, in the empty state (not again in a notice or in the Model panel).
    const reason = page.locator('[data-testid=model-error]');
    await expect
      .poll(() => reason.textContent(), { timeout: 30_000 })
      .toMatch(/The model could not be loaded: .*models\/nowhere\/model\.json: the server answered 404/);
    expect(await page.getByText('models/nowhere/model.json: the server answered 404').count()).toBe(1);
    expect(await page.locator('[data-testid=notice-error]').count()).toBe(0);
    await page.getByRole('button', { name: 'Try a sample' }).first().click();
    await expect.poll(() => page.locator('[data-testid=video-row]').count()).toBe(12);
    expect(await page.locator('.list-summary').textContent()).toMatch(/waiting for the model/);
    await screenshot(page, '10-model-error');
    // The models panel opens by itself, and loading the demo from it recovers.
    expect(await page.locator('details.model-more').getAttribute('open')).not.toBeNull();
    await page.getByLabel('model.json URL').fill(`${app.origin}/models/demo/model.json`);
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    await waitForDone(page, 12);
  });

  it('loads a converted model from a picked folder and lists it in the cache', async () => {
    const { page } = await open();
    await page.goto(`${app.origin}/?backend=wasm`);
    await waitUntilReady(page);
    await page.getByText('Load another model').click();
    await page.getByLabel('Open a model folder').setInputFiles(DEMO_MODEL);
    await expect.poll(() => page.locator('[data-testid=cached-models] li').count()).toBe(2);
    expect(new URL(page.url()).searchParams.get('model')).toMatch(/^cache:local:demo:[0-9a-f]{16}$/);
    await page.getByRole('button', { name: 'Try a sample' }).first().click();
    await waitForDone(page, 12);
  });

  it('makes no request outside its own origin', () => {
    expect(foreign.length).toBe(5);
    expect(foreign.flat()).toEqual([]);
  });
});
