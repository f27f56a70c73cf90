/**
 * What a user can trust the page with (issue 21): a file given twice, or
 * videos whose ids are listed, are caught and asked about, never counted
 * twice by accident; a cancelled file is said and resumed; Remove and Clear
 * can be undone and deleting a cached model asks first; and after a
 * fine-tune the tuned model is applied to the list and compared with the
 * model before, whose metrics no longer score new labels against the demo's
 * classes. Each flow by the keyboard where a user would use it, with
 * screenshots light, dark and at 390 px.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeTfRecordFeatures, type Yt8mVideo } from '../src/core/features/tfrecordFeatures';
import { seededRandom } from '../src/core/training/seeded';
import {
  axeViolations,
  buildAndServe,
  launchChromium,
  listCounts,
  unnamedControls,
  newPage,
  OUTPUT,
  screenshot,
  type ServedApp,
  waitForDone,
  waitUntilReady,
} from './support/app';

let app: ServedApp;
let browser: Browser;

function videos(n: number, seed: number, prefix: string, maxFrames = 6, from = 0): Yt8mVideo[] {
  const rand = seededRandom(seed);
  const frames = (T: number, dim: number) => Array.from({ length: T }, () => Uint8Array.from({ length: dim }, () => (rand() * 256) | 0));
  return Array.from({ length: n }, (_, i) => {
    const T = 2 + Math.floor(rand() * (maxFrames - 1));
    return { id: `${prefix}-${String(from + i).padStart(4, '0')}`, labels: [(from + i) % 10], rgb: frames(T, 1024), audio: frames(T, 128) };
  });
}

beforeAll(async () => {
  app = await buildAndServe('dist-trust');
  browser = await launchChromium({ webgpu: false });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function addFile(page: Page, name: string, bytes: Uint8Array) {
  const file = path.join(OUTPUT, 'trust-files', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  await page.locator('[data-testid=feature-input]').first().setInputFiles(file);
}

/** Screenshots of one part of the page light, dark and on a 390 px phone. */
async function shots(page: Page, name: string, locator?: string) {
  await screenshot(page, `trust-${name}-light`, locator);
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, `trust-${name}-dark`, locator);
  await page.emulateMedia({ colorScheme: 'light' });
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `trust-${name}-390`, locator);
  await page.setViewportSize(size);
}

const metricsCount = (page: Page) => page.locator('[data-testid=metrics-counts]').textContent();

describe('a page a user can trust', () => {
  it('asks before reading a file twice, holds back listed ids, says a cancelled file and resumes it', async () => {
    const { page, context, foreign, errors } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      const dup = writeTfRecordFeatures(videos(30, 1, 'd'));
      await addFile(page, 'dup.tfrecord', dup);
      await waitForDone(page, 30);
      await expect.poll(() => metricsCount(page)).toMatch(/^30 labelled videos/);

      // The same file again: a dialog asks, its first (safe) answer focused; Enter takes it, from the keyboard.
      await addFile(page, 'dup.tfrecord', dup);
      const dialog = page.getByRole('dialog', { name: 'dup.tfrecord is already listed' });
      await dialog.waitFor();
      await shots(page, 'file-prompt');
      expect(await axeViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip the videos already listed');
      await page.keyboard.press('Enter');
      await dialog.waitFor({ state: 'detached' });
      // Nothing was added, nothing counted twice.
      await page.waitForTimeout(500);
      expect(await listCounts(page)).toMatchObject({ videos: 30, predicted: 30 });
      await expect.poll(() => metricsCount(page)).toMatch(/^30 labelled videos/);
      // Escape leaves it out too.
      await addFile(page, 'dup.tfrecord', dup);
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect((await listCounts(page)).videos).toBe(30);

      // Another file with 5 ids already listed and 5 new: the 5 are held back, said, and added only when asked.
      await addFile(page, 'other.tfrecord', writeTfRecordFeatures([...videos(5, 1, 'd'), ...videos(5, 2, 'n')]));
      const note = page.locator('#videos [data-testid=file-note][data-file="other.tfrecord"]');
      await expect.poll(() => note.textContent()).toMatch(/^other\.tfrecord: 5 videos not added, their ids are already listed/);
      await waitForDone(page, 35);
      await expect.poll(() => metricsCount(page)).toMatch(/^35 labelled videos/);
      await note.getByRole('button', { name: 'Add the videos of other.tfrecord already listed again' }).click();
      await waitForDone(page, 40);
      await expect(note.count()).resolves.toBe(0);

      // A larger file cancelled midway: said in the list and the dataset view, with Resume.
      await addFile(page, 'shard-1.tfrecord', writeTfRecordFeatures(videos(3000, 3, 's', 30)));
      // Cancelled as soon as it can be (on a quiet machine the whole file is read within a second or two).
      await page.getByTestId('cancel-load').click();
      await page.locator('[data-testid=load-progress]').waitFor({ state: 'detached', timeout: 30_000 });
      const partial = page.locator('#videos [data-testid=file-note][data-file="shard-1.tfrecord"]');
      // "N of ~M read" (the size estimated from the bytes read; unknown when the cancel came before the first record).
      await expect.poll(() => partial.textContent()).toMatch(/^shard-1\.tfrecord: [\d,]+( of ~[\d,]+)? read, cancelled/);
      const [, read, about] = (await partial.textContent())!.match(/: ([\d,]+)(?: of ~([\d,]+))?/)!;
      const n = (s: string) => Number(s.replace(/,/g, ''));
      expect(n(read)).toBe((await listCounts(page)).videos - 40);
      expect(n(read)).toBeLessThan(3000);
      if (about) {
        expect(n(about)).toBeGreaterThan(2000);
        expect(n(about)).toBeLessThan(4500);
      }
      await shots(page, 'partial', '#videos');
      expect(await axeViolations(page)).toEqual([]);
      await page.getByTestId('view-dataset').click();
      await expect
        .poll(() => page.locator('[data-testid=dataset-view] [data-testid=file-note]').textContent())
        .toMatch(/shard-1\.tfrecord: [\d,]+ of ~[\d,]+ read, cancelled/);
      await partial.getByRole('button', { name: 'Resume reading shard-1.tfrecord' }).click();
      await waitForDone(page, 3040, 300_000);
      expect(await listCounts(page)).toMatchObject({ videos: 3040, predicted: 3040 });
      // Every video once: the metrics count each labelled video once (the 5 added again on purpose included).
      await expect.poll(() => metricsCount(page), { timeout: 30_000 }).toMatch(/^3,040 labelled videos/);
      await expect(partial.count()).resolves.toBe(0);
      await page.getByTestId('view-video').click();
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 600_000);

  it('undoes Remove and Clear from the keyboard, and offers Try fine-tuning beside the list until its set is loaded', async () => {
    const { page, context, foreign, errors } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      await page.getByRole('button', { name: 'Try a sample' }).click();
      await waitForDone(page, 12);
      // Try fine-tuning is offered beside the list while its set is not loaded.
      const offer = page.locator('#videos [data-testid=try-finetune]');
      await offer.waitFor();

      // Remove with Delete in the list, then Ctrl+Z: the video is back where it was, with its result.
      const list = page.getByTestId('video-list');
      const title = () => page.locator('#detail-title').textContent();
      const first = await title();
      await list.focus();
      await page.keyboard.press('End');
      // The detail renders deferred: the last video's title, once it shows.
      await expect.poll(title).not.toBe(first);
      const last = await title();
      await page.keyboard.press('Delete');
      await expect.poll(async () => (await listCounts(page)).videos).toBe(11);
      const toast = page.getByTestId('undo-toast');
      await expect.poll(() => toast.textContent()).toMatch(/^Removed /);
      await shots(page, 'undo');
      await page.keyboard.press('Control+z');
      await expect.poll(async () => listCounts(page)).toMatchObject({ videos: 12, predicted: 12 });
      await list.focus();
      await page.keyboard.press('End');
      await expect.poll(() => page.locator('#detail-title').textContent()).toBe(last);
      // Clear, then Undo by its button (Tab reaches it).
      await page.getByRole('button', { name: 'Clear the list of videos' }).click();
      await expect.poll(() => toast.textContent()).toMatch(/^Cleared 12 videos/);
      await toast.getByRole('button', { name: 'Undo', exact: true }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(async () => listCounts(page)).toMatchObject({ videos: 12, predicted: 12 });

      // Try fine-tuning, beside the list, adds its set; then it is no longer offered.
      await offer.click();
      await waitForDone(page, 52);
      await expect(offer.count()).resolves.toBe(0);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 600_000);

  it('scores no new labels against the demo’s classes, applies a fine-tuned model to the list and compares it with the demo, and asks before deleting it', async () => {
    const { page, context, foreign, errors } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      await page.getByTestId('try-finetune').click();
      await waitForDone(page, 40);
      // The new labels are not the demo's classes: no Hit@1 against them, and the card says why.
      const labelsNote = page.getByTestId('labels-note');
      await expect
        .poll(() => labelsNote.textContent())
        .toMatch(
          /^40 videos are left out of these figures: the labels of finetune-new-labels\.tfrecord \(celebration, storm, break-in, traffic, …\) are not this model’s classes/,
        );
      expect(await page.locator('[data-testid=metrics] dd[data-metric=hit_at_1]').count()).toBe(0);
      await shots(page, 'labels-note', '[data-testid=metrics]');

      const card = page.getByTestId('training');
      await expect
        .poll(() => card.locator('[data-testid=training-cost]').textContent(), { timeout: 60_000 })
        .toMatch(/40 labeled videos of 40 · 4 classes/);
      await page.getByLabel('Epochs').fill('6');
      await card.getByRole('button', { name: 'Start' }).click();
      await page.locator('[data-testid=training][data-state=done]').waitFor({ timeout: 300_000 });
      await card.getByRole('button', { name: 'Save model' }).click();
      await card.locator('[data-testid=training-saved]').waitFor({ timeout: 60_000 });

      // Applied to every listed video, and compared with the demo on them.
      const compare = page.getByTestId('compare');
      await compare.waitFor({ timeout: 60_000 });
      await waitForDone(page, 40, 180_000);
      expect(await page.locator('[data-testid=model-info] .model-name').textContent()).toBe('demo fine-tuned');
      // The new classes are the tuned model's: scored now, and not before (the demo has no such class).
      await expect(labelsNote.count()).resolves.toBe(0);
      await expect.poll(() => page.locator('[data-testid=metrics] dd[data-metric=hit_at_1]').count(), { timeout: 30_000 }).toBe(1);
      const row = compare.locator('[data-testid=compare-classes] tr[data-class=storm]');
      await expect.poll(() => row.getAttribute('data-after'), { timeout: 30_000 }).not.toBeNull();
      expect(await row.getAttribute('data-before')).toBeNull();
      expect(await compare.getByTestId('compare-before').textContent()).toMatch(
        /Not scored: the labels of finetune-new-labels\.tfrecord are not its classes/,
      );
      expect(await compare.locator('[data-testid=compare-after] dd[data-metric=hit_at_1]').count()).toBe(1);
      // Every video's top class was a demo class and is a new one now.
      await expect.poll(() => compare.getByTestId('compare-changed-count').textContent()).toBe('40 videos changed top class');
      await shots(page, 'compare', '[data-testid=compare]');
      expect(await axeViolations(page)).toEqual([]);
      expect(await unnamedControls(page)).toEqual([]);
      // One click back to the demo; the tuned model is now the one compared.
      await compare.getByTestId('compare-switch').click();
      await expect.poll(() => page.locator('[data-testid=model-info] .model-name').textContent(), { timeout: 60_000 }).toBe('demo');
      await expect.poll(() => compare.getByTestId('compare-switch').textContent()).toBe('Switch back to demo fine-tuned');
      await expect
        .poll(() => compare.getByTestId('compare-after').textContent())
        .toMatch(/Not scored: the labels of finetune-new-labels\.tfrecord are not its classes/);

      // Deleting the cached model asks first; Cancel (focused) keeps it.
      await page.getByRole('button', { name: 'Delete demo fine-tuned from the cache' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete “demo fine-tuned” from this browser?' });
      await confirm.waitFor();
      await shots(page, 'confirm-delete');
      expect(await axeViolations(page)).toEqual([]);
      await page.keyboard.press('Enter');
      await confirm.waitFor({ state: 'detached' });
      expect(await page.locator('[data-testid=cached-models]').textContent()).toMatch(/demo fine-tuned/);
      await page.getByRole('button', { name: 'Delete demo fine-tuned from the cache' }).click();
      await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
      await expect
        .poll(
          async () =>
            (await page.locator('[data-testid=cached-models]').count()) === 0 ||
            !/demo fine-tuned/.test((await page.locator('[data-testid=cached-models]').textContent()) ?? ''),
        )
        .toBe(true);
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 600_000);
});
