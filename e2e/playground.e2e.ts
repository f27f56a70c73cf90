/**
 * The playground page end to end, built for production (minified) and served
 * on localhost, in Debian's Chromium with WebGPU enabled (SwiftShader on a
 * machine without a GPU): it truly runs on WebGPU when asked, its numbers
 * match `npm run predict`, on wasm too, errors leave earlier results alone,
 * the URL restores a view, everything works from the keyboard, and the page
 * asks nothing of any other origin. Screenshots go to e2e/output/.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PredictionDocument } from '../src/core/predictionDocument';
import { DEMO_SIZES } from '../src/core/demo/config';
import { paddleTensors, toCombinedPdparams } from '../src/core/export/toPaddle';
import { writeInferenceModel } from '../tools/testing/paddleFormats';
import { initialWeights } from '../src/core/training/init';
import {
  breakWebGpu,
  buildAndServe,
  listCounts,
  cliConvert,
  cliPredict,
  comparePredictions,
  download,
  dropFiles,
  newPage,
  OUTPUT,
  SAMPLES,
  sampleFile,
  screenshot,
  selectedId,
  selectRow,
  type ServedApp,
  settledProbabilities,
  shownProbabilities,
  unnamedControls,
  waitForDone,
  waitUntilReady,
  launchChromium,
} from './support/app';

const SAMPLE_A = 'demo-samples-a.tfrecord';
const SAMPLE_B = 'demo-samples-b.tfrecord';

let app: ServedApp;
let browser: Browser;
let cli: Promise<PredictionDocument>;
/** Requests to other origins, one list per page opened in this file. */
const foreign: string[][] = [];
/** Pages to close after the current test (a page shared by several tests is closed by the last). */
const toClose: BrowserContext[] = [];

async function open(query = '', opts: { dark?: boolean; keep?: boolean } = {}) {
  const p = await newPage(browser, app.origin, opts);
  foreign.push(p.foreign);
  if (!opts.keep) toClose.push(p.context);
  await p.page.goto(`${app.origin}/${query}`);
  return p;
}

/** Starts recording, at every change of the page, what the detail shows and which row is selected. */
async function recordDetailStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { detailStates: unknown[]; detailObserver?: MutationObserver };
    w.detailObserver?.disconnect();
    w.detailStates = [];
    const ids = () =>
      [...document.querySelectorAll('[data-testid=video-row]')].map(
        (r) => [Number(r.getAttribute('data-index')), r.querySelector('.video-id')?.textContent ?? ''] as const,
      );
    const take = () => {
      const detail = document.querySelector('[data-testid=video-detail]');
      if (!detail) return;
      const position = /Video (\d+) of/.exec(detail.querySelector('.eyebrow')?.textContent ?? '');
      const byIndex = new Map(ids());
      w.detailStates.push({
        title: detail.querySelector('#detail-title')?.textContent ?? '',
        caption: detail.querySelector('[data-testid=prob-table] caption')?.textContent ?? '',
        eyebrowId: position ? (byIndex.get(Number(position[1]) - 1) ?? null) : null,
        selectedId: document.querySelector('[data-testid=video-row][aria-selected=true] .video-id')?.textContent ?? null,
        stale: detail.hasAttribute('data-stale'),
      });
    };
    w.detailObserver = new MutationObserver(take);
    w.detailObserver.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

async function recordedDetailStates(
  page: Page,
): Promise<{ title: string; caption: string; eyebrowId: string | null; selectedId: string | null; stale: boolean }[]> {
  return page.evaluate(() => {
    const w = window as unknown as { detailStates: never[]; detailObserver?: MutationObserver };
    w.detailObserver?.disconnect();
    return w.detailStates;
  });
}

beforeAll(async () => {
  // The CLI's reference numbers are computed while the page builds.
  cli = cliPredict([path.join(SAMPLES, SAMPLE_A), path.join(SAMPLES, SAMPLE_B)]);
  app = await buildAndServe('dist-playground');
  browser = await launchChromium({ webgpu: true });
});

afterEach(async (ctx) => {
  // A test that failed says what its pages showed: a CI log is all there is of a rare failure.
  if (ctx.task.result?.state === 'fail') {
    for (const page of toClose.flatMap((c) => c.pages())) {
      const shown = await page
        .evaluate(() =>
          ['backend-status', 'list-summary', 'load-progress', 'notices', 'model-info']
            .map((id) => `${id}: ${document.querySelector(`[data-testid=${id}]`)?.textContent ?? '(none)'}`)
            .join('\n'),
        )
        .catch((e: unknown) => String(e));
      console.log(`[failed test] ${page.url()}\n${shown}`);
    }
  }
  await Promise.all(toClose.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the playground page', () => {
  it('opens with the demo model ready and a clear empty state; one click on "Try a sample" shows results', async () => {
    const { page, errors } = await open();
    await waitUntilReady(page);
    await expect.poll(() => page.locator('[data-testid=model-info] .model-name').textContent()).toBe('demo');
    await expect.poll(() => page.getByRole('heading', { name: 'Drop YouTube-8M frame features here' }).isVisible()).toBe(true);
    // auto on a software adapter: wasm, and the page says why.
    expect(await page.locator('[data-testid=active-backend]').textContent()).toBe('wasm');
    expect(await page.locator('[data-testid=backend-reason]').textContent()).toMatch(/software fallback.*auto runs on wasm/);
    await expect.poll(() => page.locator('[data-testid=cached-models]').textContent()).toMatch(/demo/);
    await screenshot(page, '01-empty-state');
    await page.getByRole('button', { name: 'Try a sample' }).last().click();
    await page.locator('[data-testid=prob-table] tbody tr').first().waitFor({ state: 'attached' });
    await waitForDone(page, 12);
    // The README's first screenshot: a first visit, one click.
    await page.mouse.move(1, 999);
    await page.screenshot({ path: path.join(OUTPUT, '00-first-visit.png') });
    expect(errors).toEqual([]);
  });

  it('runs on WebGPU when asked: a dropped TFRecord gives the numbers of npm run predict, shown and exported', async () => {
    const { page, errors } = await open('?backend=webgpu');
    await waitUntilReady(page);
    // Truly WebGPU, on the software adapter, and the page says so.
    expect(await page.locator('[data-testid=active-backend]').textContent()).toBe('webgpu');
    expect(await page.locator('[data-testid=adapter]').textContent()).toMatch(/swiftshader|software/i);
    expect(await page.locator('[data-testid=backend-reason]').textContent()).toMatch(/software WebGPU adapter/);

    await dropFiles(page, [sampleFile(SAMPLE_A)]);
    await waitForDone(page, 6);
    expect(await page.locator('[data-testid=video-row]').count()).toBe(6);
    await expect.poll(() => page.locator('.detail-meta').textContent()).toMatch(/webgpu/);
    const reference = await cli;

    // What the page shows, for two videos.
    for (const i of [0, 3]) {
      // Through selectRow: the detail renders deferred, so the title and the table are read once they show this video.
      await recordDetailStates(page);
      await selectRow(page, i);
      // Every state the page went through on the way: never one video's title over another's numbers or position,
      // and while the detail still shows the video selected before, it says so.
      for (const st of await recordedDetailStates(page)) {
        expect(st.caption, JSON.stringify(st)).toMatch(new RegExp(`of ${st.title}$`));
        expect(st.eyebrowId, JSON.stringify(st)).toBe(st.title);
        if (st.selectedId !== st.title) expect(st.stale, JSON.stringify(st)).toBe(true);
      }
      const id = await selectedId(page);
      const ref = reference.videos.find((v) => v.id === id)!;
      const shown = await settledProbabilities(page, 10);
      for (const s of shown) {
        expect(Math.abs(s.value - ref.probabilities[s.cls])).toBeLessThanOrEqual(1e-4);
        // The text has 4 decimals: rounding adds up to 5e-5.
        expect(Math.abs(s.text - ref.probabilities[s.cls])).toBeLessThanOrEqual(1.5e-4);
      }
    }

    // What it exports: every video, the CLI's schema, with the backend and the adapter.
    const doc = JSON.parse(await download(page, 'Export JSON', 'webgpu-predictions.json')) as PredictionDocument;
    expect(doc.backend).toBe('webgpu');
    expect(doc.adapter).toMatch(/swiftshader/i);
    const cmp = comparePredictions(doc, { ...reference, videos: reference.videos.filter((v) => v.file.endsWith(SAMPLE_A)) });
    process.stderr.write(
      `webgpu vs npm run predict: probabilities ${cmp.worstProbability.toExponential(2)}, attention ${cmp.worstAttention.toExponential(2)}\n`,
    );
    cmp.problems.forEach((p) => process.stderr.write(`  ${p}\n`));
    expect(cmp.problems).toEqual([]);

    await selectRow(page, 0);
    await screenshot(page, '02-webgpu-results');

    // Attention: hovering a cell says frame, time and weight.
    const cell = page.locator('[data-testid=heatmap-rgb] [role=gridcell]').nth(42);
    await cell.hover();
    await expect
      .poll(() => page.locator('[data-testid=heatmap-tooltip]').textContent())
      .toMatch(/Frame 42 · 0:42.*RGB: attention 0\.\d{4}/);
    // Focus shows the same (and, unlike the mouse, survives the screenshot's scrolling).
    await cell.focus();
    await screenshot(page, '03-attention-tooltip', '.attention-card');

    // Evidence for the selected class: one drop per frame, consistent with the class's probability.
    await page.getByRole('button', { name: 'Show evidence' }).click();
    const evidence = page.locator('[data-testid=heatmap-evidence] [role=gridcell]');
    await expect.poll(() => evidence.count(), { timeout: 60_000 }).toBe(64);
    const drops = await evidence.evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
    expect(drops.every(Number.isFinite)).toBe(true);
    expect(Math.max(...drops.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(await page.locator('[data-testid=evidence-summary]').textContent()).toMatch(/Evidence for .* window 5/);
    await screenshot(page, '04-evidence', '.attention-card');
    expect(errors).toEqual([]);
  });

  let wasmPage: Page;
  let wasmContext: BrowserContext;
  it('runs on wasm with the same numbers, from the "Add feature files" input, and exports CSV', async () => {
    const { page, errors, context } = await open('?backend=wasm', { keep: true });
    wasmPage = page;
    wasmContext = context;
    await waitUntilReady(page);
    expect(await page.locator('[data-testid=active-backend]').textContent()).toBe('wasm');
    await page
      .getByLabel('Add feature files')
      .first()
      .setInputFiles([path.join(SAMPLES, SAMPLE_A), path.join(SAMPLES, SAMPLE_B)]);
    await waitForDone(page, 12);
    const reference = await cli;
    const doc = JSON.parse(await download(page, 'Export JSON', 'wasm-predictions.json')) as PredictionDocument;
    expect(doc.backend).toBe('wasm');
    expect(doc).not.toHaveProperty('adapter');
    const cmp = comparePredictions(doc, reference);
    process.stderr.write(
      `wasm vs npm run predict: probabilities ${cmp.worstProbability.toExponential(2)}, attention ${cmp.worstAttention.toExponential(2)}\n`,
    );
    expect(cmp.problems).toEqual([]);

    const csv = Papa.parse<string[]>((await download(page, 'Export CSV', 'wasm-predictions.csv')).trim()).data;
    expect(csv[0]).toEqual(['video', 'class', 'name', 'probability']);
    expect(csv.length - 1).toBe(12 * 10);
    for (const [video, cls, , p] of csv.slice(1)) {
      const ref = reference.videos.find((v) => v.id === video)!;
      expect(Math.abs(Number(p) - ref.probabilities[Number(cls)])).toBeLessThanOrEqual(1e-4);
    }
    // Hit@1, PERR, GAP and mAP over the labelled set, as the worker reports them.
    await expect.poll(() => page.locator('[data-testid=metrics] dd').count(), { timeout: 10_000 }).toBe(4);
    const metrics = await page.locator('[data-testid=metrics] dd').allTextContents();
    metrics.forEach((m) => expect(Number(m)).toBeGreaterThanOrEqual(0));
    expect(errors).toEqual([]);
  });

  it('shows a clear error for a bad file and keeps the results it had', async () => {
    const page = wasmPage;
    await selectRow(page, 2);
    const before = await shownProbabilities(page);
    const truncated = sampleFile(SAMPLE_A).bytes.slice(0, 5000);
    await dropFiles(page, [
      { name: 'notes.txt', bytes: new TextEncoder().encode('these are not frame features') },
      { name: 'broken.tfrecord', bytes: truncated },
    ]);
    const alerts = page.locator('[data-testid=notice-error]');
    await expect.poll(() => alerts.count()).toBe(2);
    const text = (await alerts.allTextContents()).join('\n');
    expect(text).toMatch(/notes\.txt: not a feature file/);
    expect(text).toMatch(/broken\.tfrecord/);
    // Earlier results stay: the same rows, the same numbers.
    expect(await page.locator('[data-testid=video-row]').count()).toBe(12);
    expect((await listCounts(page)).predicted).toBe(12);
    expect(await shownProbabilities(page)).toEqual(before);
    await screenshot(page, '05-bad-file-error');
    // Errors are dismissed with the keyboard too.
    await alerts.first().getByRole('button', { name: 'Dismiss this message' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => alerts.count()).toBe(1);
  });

  it('converts a dropped .pdparams in the browser, caches it, and predicts as npm run predict does with it', async () => {
    const page = wasmPage;
    const dir = path.join(OUTPUT, 'tmp');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'random-demo.pdparams');
    const bytes = toCombinedPdparams(DEMO_SIZES, initialWeights('fluid1', DEMO_SIZES, 11));
    writeFileSync(file, bytes);
    const converted = path.join(dir, 'random-demo');
    const reference = cliConvert(file, converted).then(() =>
      cliPredict([path.join(SAMPLES, SAMPLE_A), path.join(SAMPLES, SAMPLE_B)], converted),
    );

    await dropFiles(page, [{ name: 'random-demo.pdparams', bytes }]);
    await expect.poll(() => page.locator('[data-testid=model-info] .model-name').textContent(), { timeout: 60_000 }).toBe('random-demo');
    await waitForDone(page, 12);
    await expect.poll(() => page.locator('[data-testid=cached-models]').textContent()).toMatch(/random-demo/);
    expect(new URL(page.url()).searchParams.get('model')).toMatch(/^cache:weights:random-demo\.pdparams:/);
    const doc = JSON.parse(await download(page, 'Export JSON', 'converted-predictions.json')) as PredictionDocument;
    expect(doc.model).toBe('random-demo.pdparams');
    const cmp = comparePredictions(doc, await reference);
    expect(cmp.problems).toEqual([]);
    await screenshot(page, '06-converted-model', '[data-testid=model-panel]');

    // The models panel deletes it from the cache, once the user confirms (it cannot be undone).
    await page.getByRole('button', { name: 'Delete random-demo from the cache' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => page.locator('[data-testid=cached-models]').textContent()).not.toMatch(/random-demo/);
    toClose.push(wasmContext);
  });

  it('converts a dropped exported model (.pdmodel + .pdiparams) as npm run convert does', async () => {
    const { page } = await open('?backend=wasm&samples=1');
    await waitUntilReady(page);
    await waitForDone(page, 12);
    const dir = path.join(OUTPUT, 'tmp', 'exported-pv2');
    mkdirSync(dir, { recursive: true });
    const { pdmodel, pdiparams } = writeInferenceModel(
      paddleTensors('paddlevideo2', DEMO_SIZES, initialWeights('paddlevideo2', DEMO_SIZES, 12)),
      DEMO_SIZES,
    );
    for (const f of [pdmodel, pdiparams]) writeFileSync(path.join(dir, f.name), f.bytes);
    const converted = path.join(OUTPUT, 'tmp', 'exported-pv2-converted');
    const reference = cliConvert(dir, converted).then(() =>
      cliPredict([path.join(SAMPLES, SAMPLE_A), path.join(SAMPLES, SAMPLE_B)], converted),
    );
    await dropFiles(page, [pdmodel, pdiparams]);
    await expect.poll(() => page.locator('[data-testid=model-info] .model-name').textContent(), { timeout: 60_000 }).toBe('AttentionLSTM');
    expect(await page.locator('[data-testid=model-info]').textContent()).toMatch(/paddlevideo2/);
    await waitForDone(page, 12);
    const doc = JSON.parse(await download(page, 'Export JSON', 'exported-pv2-predictions.json')) as PredictionDocument;
    expect(comparePredictions(doc, await reference).problems).toEqual([]);
  });

  it('keeps model, backend, video and top-k in the URL, and a reload restores the view', async () => {
    const { page } = await open('?backend=wasm');
    // Each wait well inside the test's two minutes, so that a step that hangs is the one named.
    await waitUntilReady(page, 40_000);
    await page.getByRole('button', { name: 'Try a sample' }).first().click();
    await waitForDone(page, 12, 30_000);
    await selectRow(page, 4);
    await page.getByLabel('Number of classes shown').selectOption('5');
    const id = await selectedId(page);
    const params = () => Object.fromEntries(new URL(page.url()).searchParams);
    await expect.poll(params).toEqual({ backend: 'wasm', video: '4', topk: '5', samples: '1' });
    await page.reload();
    await waitUntilReady(page, 40_000);
    await waitForDone(page, 12, 30_000);
    await expect.poll(() => selectedId(page)).toBe(id);
    await expect.poll(() => page.locator('[data-testid=video-row]').nth(4).getAttribute('aria-selected')).toBe('true');
    expect((await settledProbabilities(page, 5)).length).toBe(5);
    expect(await page.getByLabel('Number of classes shown').inputValue()).toBe('5');
  });

  it('works from the keyboard alone, every control has a name, and the dark theme follows the system', async () => {
    const { page } = await open('?backend=wasm&samples=1', { dark: true });
    await waitUntilReady(page);
    await waitForDone(page, 12);
    expect(await unnamedControls(page)).toEqual([]);

    // Tab to the video list (one stop: a listbox whose arrows move the selection), move with the arrows.
    const focusOf = () =>
      page.evaluate(
        () =>
          document.activeElement?.getAttribute('data-testid') ??
          document.activeElement?.getAttribute('role') ??
          document.activeElement?.tagName,
      );
    for (let i = 0; i < 30 && (await focusOf()) !== 'video-list'; i++) await page.keyboard.press('Tab');
    expect(await focusOf()).toBe('video-list');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[data-testid=video-row]').nth(2).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => new URL(page.url()).searchParams.get('video')).toBe('2');

    // On to the attention grid: arrows move between frames, and the focused cell is described.
    for (let i = 0; i < 40 && (await focusOf()) !== 'gridcell'; i++) await page.keyboard.press('Tab');
    expect(await focusOf()).toBe('gridcell');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[data-testid=heatmap-tooltip]').textContent()).toMatch(/Frame 2 · 0:02.*Audio: attention/);

    // The class search finds a class by name and shows its probability.
    await page.getByLabel('Find a class').fill('siren');
    await expect.poll(() => page.locator('[data-testid=search-results] li').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid=search-results]').textContent()).toMatch(/^siren(label)?0\.\d{4}#\d+$/);
    await page.getByLabel('Find a class').fill('');
    await screenshot(page, '07-dark-theme');
  });

  it('recovers from a WebGPU error, then from a lost device by falling back to wasm, keeping every result shown', async () => {
    const { page } = await open('?backend=webgpu&testhooks=1&samples=1');
    await waitUntilReady(page);
    await waitForDone(page, 12);
    const first = await settledProbabilities(page, 10);
    const breakIt = (how: 'lose-device' | 'validation-error') => breakWebGpu(page, how);

    // An error that tfjs would have swallowed: the page restarts WebGPU on a new device.
    expect(await breakIt('validation-error')).toBe(true);
    await expect
      .poll(() => page.locator('[data-testid=notice-warning]').textContent(), { timeout: 30_000 })
      .toMatch(/WebGPU error: .*\. Restarting WebGPU; results already shown are kept/);
    await waitUntilReady(page);
    expect(await page.locator('[data-testid=active-backend]').textContent()).toBe('webgpu');
    expect((await listCounts(page)).predicted).toBe(12);
    expect(await shownProbabilities(page)).toEqual(first);

    // Then the device is lost: the second failure, so the page continues on wasm.
    expect(await breakIt('lose-device')).toBe(true);
    await expect.poll(() => page.locator('[data-testid=active-backend]').textContent(), { timeout: 60_000 }).toBe('wasm');
    expect((await page.locator('[data-testid=notice-warning]').allTextContents()).join('\n')).toMatch(
      /The WebGPU device was lost \(destroyed.*\)\. WebGPU failed again/,
    );
    expect(await page.locator('[data-testid=backend-reason]').textContent()).toMatch(/WebGPU failed twice/);
    await waitForDone(page, 12);
    const after = await settledProbabilities(page, first.length);
    after.forEach((s, i) => expect(Math.abs(s.value - first[i].value)).toBeLessThanOrEqual(1e-4));
  });

  it('keeps tfjs out of the page’s own bundle: it lives in the worker’s', () => {
    const assets = path.join(OUTPUT, 'dist-playground/assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const text = (f: string) => readFileSync(path.join(assets, f), 'utf8');
    const worker = js.filter((f) => text(f).includes('WEBGPU_CPU_FORWARD'));
    expect(worker.length).toBe(1);
    const html = readFileSync(path.join(OUTPUT, 'dist-playground/index.html'), 'utf8');
    const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)![1];
    expect(worker).not.toContain(entry);
    // Every chunk of the page (the entry and what it loads, page.tsx's views included) is free of tfjs.
    const page = js.filter((f) => !worker.includes(f));
    expect(page).toContain(entry);
    expect(page.some((f) => text(f).includes('createRoot'))).toBe(true);
    for (const f of page)
      for (const marker of ['WEBGPU_CPU_FORWARD', 'WASM_HAS_MULTITHREAD_SUPPORT', 'registerKernel'])
        expect(text(f), f).not.toContain(marker);
  });

  it('makes no request outside its own origin', () => {
    expect(foreign.length).toBeGreaterThan(5);
    expect(foreign.flat()).toEqual([]);
  });
});
