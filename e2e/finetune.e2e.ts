/**
 * Fine-tuning in the page, end to end (one Chromium, wasm for speed): a
 * TFRecord of synthetic videos with four labels the demo never learned
 * trains a new head; the loss falls; the model is saved into the browser's
 * cache and is still listed after a reload; the downloaded pickle converts
 * back, with the project's converter, to a model with those 4 classes.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertWeights } from '../src/core/convert/convert';
import { FINETUNE_CLASSES } from '../src/core/demo/classes';
import { FINETUNE_SAMPLE_SET } from '../src/core/demo/sampleSets';
import { demoRecord, syntheticVideos } from '../src/core/demo/syntheticVideos';
import { writeTfRecordFeatures } from '../src/core/features/tfrecordFeatures';
import { bytesSource } from '../src/core/io/byteSource';
import {
  breakWebGpu,
  buildAndServe,
  dropFiles,
  launchChromium,
  listCounts,
  newPage,
  OUTPUT,
  sampleFile,
  screenshot,
  type ServedApp,
  unnamedControls,
  waitForDone,
  waitUntilReady,
} from './support/app';

let app: ServedApp;
let browser: Browser;
let dir: string;
let tfrecord: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alstm-ft-e2e-'));
  const videos = syntheticVideos(40, 51, { classes: FINETUNE_CLASSES, maxFrames: 60 }).map(demoRecord);
  tfrecord = writeTfRecordFeatures(videos);
  await writeFile(path.join(dir, 'mine.tfrecord'), tfrecord);
  app = await buildAndServe('dist-finetune');
  // WebGPU on for the last test; the others ask for wasm in the URL.
  browser = await launchChromium({ webgpu: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The page (on wasm unless the query says otherwise), ready, with the 40 labeled videos dropped on it; its fine-tuning card. */
async function openWithVideos(page: Page, query = 'backend=wasm') {
  await page.goto(`${app.origin}/?${query}`);
  await waitUntilReady(page);
  await dropFiles(page, [{ name: 'mine.tfrecord', bytes: tfrecord }]);
  return page.locator('[data-testid=training]');
}

describe('fine-tuning in the page', () => {
  it('trains a new head on new labels, saves it into the cache and exports a pickle that converts back with 4 classes', async () => {
    const { page, context, errors } = await newPage(browser, app.origin);
    try {
      const card = await openWithVideos(page);
      // Ids 0..3 are classes the demo names: until they are named, the policy keeps the model's own classes.
      await expect.poll(() => card.getAttribute('data-mode'), { timeout: 60_000 }).toBe('same-labels');
      // Named, they are new classes, taught to a new head.
      await card.getByLabel(/Names of the files’ label ids/).fill(FINETUNE_CLASSES.map((c) => c.name).join(', '));
      await expect.poll(() => card.getAttribute('data-mode')).toBe('new-head');
      await expect
        .poll(() => card.locator('[data-testid=training-cost]').textContent(), { timeout: 60_000 })
        .toMatch(/40 labeled videos of 40 · 4 classes/);

      await page.getByLabel('Epochs').fill('8');
      await page.getByLabel('Learning rate').fill('0.01');
      await card.getByRole('button', { name: 'Start' }).click();
      await card
        .locator('[data-state=done]')
        .or(page.locator('[data-testid=training][data-state=done]'))
        .first()
        .waitFor({ timeout: 180_000 });

      // The selected video, as the model being trained sees it: the live view ends at the last epoch, over the new classes.
      const bar = page.locator('[data-testid=live-bar]');
      await expect.poll(() => bar.getAttribute('data-epoch'), { timeout: 30_000 }).toBe('8');
      expect(await bar.getAttribute('data-live')).toBe('fine-tune');
      const shown = () =>
        page
          .locator('[data-testid=prob-table] tbody tr td:nth-child(3)')
          .evaluateAll((tds) => tds.map((td) => td.firstChild?.textContent ?? ''));
      expect((await shown()).sort()).toEqual(FINETUNE_CLASSES.map((c) => c.name).sort());
      await page.addStyleTag({ content: '.header { position: static !important; }' });
      await screenshot(page, '08-finetune-live', '[data-testid=video-detail]');
      await bar.getByRole('button', { name: 'Show the loaded model' }).click();
      await expect.poll(() => bar.getAttribute('data-live')).toBe('loaded');
      expect((await shown()).some((n) => FINETUNE_CLASSES.some((c) => c.name === n))).toBe(false);
      await bar.getByRole('button', { name: 'Show the fine-tune' }).click();

      const losses = await card
        .locator('[data-testid=epoch-table] tbody tr')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-train-loss'))));
      expect(losses).toHaveLength(8);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses.at(-1)!).toBeLessThan(losses[0]);
      // Every control of the card, the downloads included, has an accessible name.
      expect(await unnamedControls(page)).toEqual([]);
      expect(await card.locator('[data-testid=per-class] tbody tr td:first-child').allTextContents()).toEqual(
        FINETUNE_CLASSES.map((c) => c.name),
      );
      await card.locator('details.values summary').click();
      // (The sticky header, made static above, would cover the card's top in an element screenshot.)
      await screenshot(page, '07-finetune', '[data-testid=training]');

      // The pickle, converted back by the project's converter.
      const [dl] = await Promise.all([
        page.waitForEvent('download'),
        card.getByRole('button', { name: 'Download .pdparams (pickle)' }).click(),
      ]);
      const file = path.join(OUTPUT, 'downloads', dl.suggestedFilename());
      mkdirSync(path.dirname(file), { recursive: true });
      await dl.saveAs(file);
      expect(dl.suggestedFilename()).toMatch(/\.pdparams$/);
      const { modelJson } = await convertWeights(bytesSource(dl.suggestedFilename(), new Uint8Array(await readFile(file))), async () => {});
      expect(modelJson.attentionLstm.sizes.classes).toBe(4);

      // Saved: listed in the models panel, in use, and still there after a reload.
      await card.getByRole('button', { name: 'Save model' }).click();
      await card.locator('[data-testid=training-saved]').waitFor({ timeout: 60_000 });
      await expect.poll(() => page.locator('[data-testid=cached-models]').textContent()).toMatch(/demo fine-tuned/);
      await page.reload();
      await waitUntilReady(page);
      await expect.poll(() => page.locator('[data-testid=cached-models]').textContent(), { timeout: 30_000 }).toMatch(/demo fine-tuned/);
      await expect
        .poll(() => page.locator('[data-testid=model-info] .model-name').textContent(), { timeout: 60_000 })
        .toBe('demo fine-tuned');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 400_000);

  it('trains on classes the user makes and assigns from the keyboard (multi-label)', async () => {
    const { page, context, errors } = await newPage(browser, app.origin);
    try {
      const card = await openWithVideos(page);
      await card.getByLabel('My own classes').check();
      for (const name of ['alpha', 'beta']) {
        await card.getByLabel('New class name').fill(name);
        await card.getByLabel('New class name').press('Enter');
      }
      await expect.poll(() => card.locator('[data-testid=training-cost]').textContent()).toMatch(/0 labeled videos of 40 · 2 classes/);
      // Keys 1 and 2 toggle the classes of the selected video; Enter on "Next video" moves on.
      const next = card.getByRole('button', { name: 'Next video' });
      await next.focus();
      for (let i = 0; i < 8; i++) {
        await page.keyboard.press(i % 2 ? '2' : '1');
        if (i === 3) await page.keyboard.press('1');
        await page.keyboard.press('Enter');
      }
      await expect.poll(() => card.locator('[data-testid=training-cost]').textContent()).toMatch(/8 labeled videos of 40 · 2 classes/);
      expect(await card.getByRole('list', { name: 'Your classes' }).textContent()).toMatch(/alpha.*· 5.*beta.*· 4/);
      await card.getByLabel('Epochs').fill('2');
      await card.getByRole('button', { name: 'Start' }).click();
      await page.locator('[data-testid=training][data-state=done]').waitFor({ timeout: 120_000 });
      expect(await unnamedControls(page)).toEqual([]);
      const names = await card.locator('[data-testid=per-class] tbody tr td:first-child').allTextContents();
      expect(names).toEqual(['alpha', 'beta']);
      expect(
        await card.locator('[data-testid=per-class] tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-count')))),
      ).toEqual([5, 4]);

      // Pause, resume and stop reach the worker between batches, while it trains.
      const epochs = async () => Number(await card.getAttribute('data-epochs'));
      await card.getByLabel('Epochs').fill('2000');
      await card.getByRole('button', { name: 'Start' }).click();
      await expect.poll(epochs, { timeout: 60_000 }).toBeGreaterThan(3);
      await card.getByRole('button', { name: 'Pause' }).click();
      await page.locator('[data-testid=training][data-state=paused]').waitFor();
      const atPause = await epochs();
      // While paused, another video selected gets its live view over the user's classes at once.
      const row = page.locator('[data-testid=video-row]').nth(5);
      await row.click();
      // The detail renders deferred, and the new video's live view arrives after it: until then the bar and the table
      // may still be the previous video's, or the loaded model's.
      await expect.poll(() => page.locator('[data-testid=video-detail]:not([data-stale])').getAttribute('data-key')).toMatch(/#5$/);
      const bar = page.locator('[data-testid=live-bar]');
      await expect.poll(() => bar.getAttribute('data-live'), { timeout: 30_000 }).toBe('fine-tune');
      const shown = () =>
        page
          .locator('[data-testid=prob-table] tbody tr td:nth-child(3)')
          .evaluateAll((tds) => tds.map((td) => td.firstChild?.textContent ?? '').sort());
      await expect.poll(shown).toEqual(['alpha', 'beta']);
      await expect.poll(() => page.locator('[data-testid=evidence-live]').count()).toBe(1);
      await page.waitForTimeout(800);
      expect(await epochs()).toBeLessThanOrEqual(atPause + 1);
      await card.getByRole('button', { name: 'Resume' }).focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=training][data-state=running]').waitFor();
      await expect.poll(epochs).toBeGreaterThan(atPause + 2);
      await card.getByRole('button', { name: 'Stop' }).click();
      await page.locator('[data-testid=training][data-state=stopped]').waitFor({ timeout: 30_000 });
      expect(await epochs()).toBeLessThan(2000);
      await expect.poll(() => card.getByRole('button', { name: 'Save model' }).isEnabled()).toBe(true);
      await page.addStyleTag({ content: '.header { position: static !important; }' });
      await screenshot(page, '07-finetune-own-labels', '[data-testid=training]');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);

  it('trains the same on WebGPU as on wasm: the loss curves agree', async () => {
    // tfjs returns wrong numbers rather than failing when WebGPU goes wrong: the same seeded run on both must agree.
    const curves: Record<string, number[]> = {};
    for (const backend of ['webgpu', 'wasm'] as const) {
      const { page, context, errors } = await newPage(browser, app.origin);
      try {
        const card = await openWithVideos(page, `backend=${backend}`);
        expect(await page.locator('[data-testid=active-backend]').textContent()).toBe(backend);
        await expect
          .poll(() => card.locator('[data-testid=training-cost]').textContent(), { timeout: 60_000 })
          .toMatch(/40 labeled videos of 40/);
        await card.getByLabel('New head').check();
        await card.getByLabel('Epochs').fill('4');
        await card.getByLabel('Learning rate').fill('0.01');
        await card.getByRole('button', { name: 'Start' }).click();
        await page.locator('[data-testid=training][data-state=done]').waitFor({ timeout: 240_000 });
        curves[backend] = await card
          .locator('[data-testid=epoch-table] tbody tr')
          .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-train-loss'))));
        await expect.poll(() => page.locator('[data-testid=live-bar]').getAttribute('data-epoch')).toBe('4');
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }
    process.stderr.write(
      `fine-tune losses, webgpu ${curves.webgpu.map((l) => l.toFixed(4))} / wasm ${curves.wasm.map((l) => l.toFixed(4))}\n`,
    );
    expect(curves.webgpu).toHaveLength(4);
    expect(curves.webgpu.at(-1)!).toBeLessThan(curves.webgpu[0]);
    curves.webgpu.forEach((l, i) => expect(Math.abs(l - curves.wasm[i])).toBeLessThan(1e-3 * Math.max(1, curves.wasm[i])));
  }, 400_000);

  it('stops a fine-tune whose WebGPU run failed, rather than training on wrong numbers, and recovers', async () => {
    const { page, context } = await newPage(browser, app.origin);
    try {
      const card = await openWithVideos(page, 'backend=webgpu&testhooks=1');
      await expect
        .poll(() => card.locator('[data-testid=training-cost]').textContent(), { timeout: 60_000 })
        .toMatch(/40 labeled videos of 40/);
      await card.getByLabel('New head').check();
      await card.getByLabel('Epochs').fill('5000');
      await card.getByRole('button', { name: 'Start' }).click();
      await expect.poll(async () => Number(await card.getAttribute('data-epochs')), { timeout: 120_000 }).toBeGreaterThan(2);
      expect(await breakWebGpu(page, 'validation-error')).toBe(true);
      await page.locator('[data-testid=training][data-state=error]').waitFor({ timeout: 60_000 });
      expect(await card.textContent()).toMatch(/WebGPU error/);
      expect(Number(await card.getAttribute('data-epochs'))).toBeLessThan(5000);
      // The backend restarts on a new device, and predicts again.
      await expect.poll(() => page.locator('[data-testid=notice-warning]').textContent(), { timeout: 60_000 }).toMatch(/Restarting WebGPU/);
      await waitUntilReady(page);
      expect(await page.locator('[data-testid=active-backend]').textContent()).toBe('webgpu');
      await expect.poll(async () => (await listCounts(page)).predicted, { timeout: 120_000 }).toBe(40);
    } finally {
      await context.close();
    }
  }, 400_000);

  it('teaches the shipped "Try fine-tuning" set its four new labels on the first try: names from the set, settings from the data', async () => {
    const { page, context, errors, foreign } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      // What the "Try fine-tuning" button loads (the store's loadSampleSet('new-labels')): the set's TFRecord.
      await dropFiles(page, [sampleFile(FINETUNE_SAMPLE_SET.file)]);
      const card = page.locator('[data-testid=training]');
      await expect
        .poll(() => card.getByTestId('train-class-names').inputValue(), { timeout: 60_000 })
        .toBe(FINETUNE_CLASSES.map((c) => c.name).join(', '));
      await expect.poll(() => card.getAttribute('data-mode')).toBe('new-head');
      await expect
        .poll(() => card.locator('[data-testid=training-cost]').textContent(), { timeout: 60_000 })
        .toMatch(/^40 labeled videos of 40 · 4 classes · 12 held out to validate/);
      expect(await card.getByLabel('Learning rate').inputValue()).toBe('0.01');
      expect(await card.getByLabel('Validation %').inputValue()).toBe('30');
      expect(Number(await card.getByLabel('Epochs').inputValue())).toBeGreaterThanOrEqual(50);
      expect(await card.locator('[data-testid=training-small-validation]').count()).toBe(0);
      expect(await card.locator('[data-testid=training-fitted]').textContent()).toMatch(
        /Set from your data \(40 videos, 4 classes\).*stops early/,
      );
      await card.getByRole('button', { name: 'Start' }).click();
      await card.and(page.locator('[data-state=done]')).waitFor({ timeout: 300_000 });
      const gap = card.locator('[data-testid=training-compare] dd[data-metric=gap]');
      const [before, after] = [Number(await gap.getAttribute('data-before')), Number(await gap.getAttribute('data-after'))];
      process.stderr.write(
        `"Try fine-tuning" set in the page: validation GAP ${before.toFixed(3)} -> ${after.toFixed(3)} in ${await card.getAttribute('data-epochs')} epochs\n`,
      );
      expect(after).toBeGreaterThanOrEqual(0.9);
      expect(await card.locator('[data-testid=per-class] tbody tr td:first-child').allTextContents()).toEqual(
        FINETUNE_CLASSES.map((c) => c.name),
      );
      expect(await card.locator('[data-testid=per-class] thead').textContent()).toBe(
        'ClassAP on the validation videosLabeled videos (train + validation)',
      );
      // The live view names the selected video's true label as the set does.
      await expect
        .poll(() => page.locator('[data-testid=video-detail] .labels').textContent())
        .toMatch(/celebration|storm|break-in|traffic/);
      expect(await unnamedControls(page)).toEqual([]);
      await page.addStyleTag({ content: '.header { position: static !important; }' });
      await screenshot(page, 'finetune-set-light', '[data-testid=training]');
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'finetune-set-dark', '[data-testid=training]');
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, 'finetune-set-phone', '[data-testid=training]');
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  }, 400_000);

  it('keeps the model’s own classes for the bundled samples, says their 4 validation videos are few, and never ends worse than it started', async () => {
    const { page, context, errors } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm&samples=1`);
      await waitUntilReady(page);
      await waitForDone(page, 12);
      const card = page.locator('[data-testid=training]');
      await expect.poll(() => card.getAttribute('data-mode'), { timeout: 60_000 }).toBe('same-labels');
      expect(await card.getByTestId('training-mode-help').textContent()).toMatch(
        /Chosen because the files’ labels are this model’s own classes/,
      );
      await expect
        .poll(() => card.locator('[data-testid=training-cost]').textContent())
        .toMatch(/^12 labeled videos of 12 · 10 classes · 4 held out to validate/);
      expect(await card.getByTestId('training-small-validation').textContent()).toMatch(
        /The validation split holds 4 videos for \d+ classes \(fewer than 3 a class\)/,
      );
      await card.getByRole('button', { name: 'Start' }).click();
      await card.and(page.locator('[data-state=done]')).waitFor({ timeout: 300_000 });
      const loss = card.locator('[data-testid=training-compare] dd[data-metric=loss]');
      expect(Number(await loss.getAttribute('data-after'))).toBeLessThanOrEqual(Number(await loss.getAttribute('data-before')) + 1e-6);
      const gap = card.locator('[data-testid=training-compare] dd[data-metric=gap]');
      expect(Number(await gap.getAttribute('data-after'))).toBeGreaterThanOrEqual(Number(await gap.getAttribute('data-before')) - 1e-6);
      expect(await card.getByTestId('training-kept').count()).toBe(1);
      // The true labels keep the model's names, in the live view too.
      expect(await page.locator('[data-testid=live-bar]').getAttribute('data-live')).toBe('fine-tune');
      expect(await page.locator('[data-testid=video-detail] .labels').textContent()).toMatch(/siren/);
      await page.addStyleTag({ content: '.header { position: static !important; }' });
      await screenshot(page, 'finetune-samples-same-labels', '[data-testid=training]');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 400_000);
});
