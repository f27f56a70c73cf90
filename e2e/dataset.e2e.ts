/**
 * A dataset in the page: a file of 1,000 short videos (generated here, small
 * enough for CI) streamed, listed and predicted, then studied in the dataset
 * view (sorted, filtered, a class and a video opened), one video removed, the
 * virtualized list driven by the keyboard, and a second load cancelled midway.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { writeTfRecordFeatures, type Yt8mVideo } from '../src/core/features/tfrecordFeatures';
import { seededRandom } from '../src/core/training/seeded';
import { buildAndServe, launchChromium, newPage, OUTPUT, screenshot, type ServedApp, waitUntilReady } from './support/app';

let app: ServedApp;
let browser: Browser;

function shortVideos(n: number, seed: number, prefix: string, maxFrames = 6): Uint8Array {
  const rand = seededRandom(seed);
  const frames = (T: number, dim: number) => Array.from({ length: T }, () => Uint8Array.from({ length: dim }, () => (rand() * 256) | 0));
  const videos: Yt8mVideo[] = Array.from({ length: n }, (_, i) => {
    const T = 2 + Math.floor(rand() * (maxFrames - 1));
    return { id: `${prefix}-${String(i).padStart(4, '0')}`, labels: [i % 10], rgb: frames(T, 1024), audio: frames(T, 128) };
  });
  return writeTfRecordFeatures(videos);
}

beforeAll(async () => {
  app = await buildAndServe('dist-dataset');
  browser = await launchChromium({ webgpu: false });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const summary = (page: Page) => page.locator('[data-testid=list-summary]').textContent();

/** Picks a file with the page's file input, as a user does (written to disk first: Playwright passes large files by path). */
async function addFile(page: Page, name: string, bytes: Uint8Array) {
  const file = path.join(OUTPUT, 'dataset-files', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytes);
  await page.locator('[data-testid=feature-input]').first().setInputFiles(file);
}

describe('a dataset of 1,000 videos in the page', () => {
  it('streams, predicts, and lets the user study, open, remove and cancel', async () => {
    const { page, context, foreign, errors } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      // The progress bar says what is done of how much. On a fast machine it shows for a moment only, so a
      // mutation observer records it rather than a locator that might look after it has gone.
      await page.evaluate(() => {
        const seen = { max: 0 };
        (window as unknown as { progressSeen: typeof seen }).progressSeen = seen;
        new MutationObserver(() => {
          const bar = document.querySelector('[role=progressbar][aria-label="Videos predicted"]');
          if (bar) seen.max = Math.max(seen.max, Number(bar.getAttribute('aria-valuemax')));
        }).observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      await addFile(page, 'shard-a.tfrecord', shortVideos(1000, 1, 'a'));
      await expect.poll(() => summary(page), { timeout: 120_000 }).toMatch(/^1,000 videos · 1,000 predicted$/);
      expect(await page.evaluate(() => (window as unknown as { progressSeen: { max: number } }).progressSeen.max)).toBeGreaterThan(100);
      await page.locator('[data-testid=load-progress]').waitFor({ state: 'detached', timeout: 10_000 });
      await screenshot(page, 'dataset-01-list');

      // The virtualized list with the keyboard: End selects the last video, Home the first.
      const list = page.getByRole('listbox', { name: /Videos/ });
      await list.focus();
      await page.keyboard.press('End');
      await expect.poll(() => page.locator('#detail-title').textContent()).toBe('a-0999');
      await page.keyboard.press('PageUp');
      await page.keyboard.press('Home');
      await expect.poll(() => page.locator('#detail-title').textContent()).toBe('a-0000');
      await expect.poll(() => list.getAttribute('aria-activedescendant')).toBe('video-option-0');
      // Only the rows in view are in the page.
      expect(await page.locator('[data-testid=video-row]').count()).toBeLessThan(60);

      // The dataset view: every video in a table, sortable and filterable.
      await page.getByTestId('view-dataset').click();
      const view = page.getByTestId('dataset-view');
      await expect.poll(() => view.getByTestId('dataset-shown').textContent()).toBe('1,000 of 1,000 videos');
      await expect
        .poll(() => view.getByTestId('dataset-counts').textContent(), { timeout: 10_000 })
        .toMatch(/1,000 videos · 1,000 predicted · 1,000 labelled/);
      await view.getByTestId('dataset-worst').click();
      const aps = async () =>
        (await view.locator('[data-testid=dataset-videos-row] td:nth-child(6)').allTextContents()).slice(0, 10).map(Number);
      // Read once the header says the table is sorted that way (a render after the click).
      const apOrder = () => view.locator('th:has(button[data-column=ap])').getAttribute('aria-sort');
      await expect.poll(apOrder).toBe('ascending');
      const worst = await aps();
      expect(worst).toEqual([...worst].sort((a, b) => a - b));
      await view.locator('th button[data-column=ap]').click();
      await expect.poll(apOrder).toBe('descending');
      const best = await aps();
      expect(best[0]).toBeGreaterThanOrEqual(worst.at(-1)!);
      await view.getByTestId('dataset-search').fill('a-012');
      await expect.poll(() => view.getByTestId('dataset-shown').textContent()).toBe('10 of 1,000 videos');
      await view.getByTestId('dataset-search').fill('');
      await view.getByTestId('dataset-show').selectOption('misses');
      await expect.poll(() => view.getByTestId('dataset-shown').textContent()).not.toMatch(/^1,000 of/);
      const misses = Number((await view.getByTestId('dataset-shown').textContent())!.split(' ')[0].replace(/,/g, ''));
      expect(misses).toBeGreaterThan(0);
      expect(misses).toBeLessThan(1000);
      await screenshot(page, 'dataset-02-videos');

      // Per class: every class of the model; a class opens its videos.
      await view.getByTestId('dataset-tab-classes').click();
      await expect.poll(() => view.locator('[data-testid=dataset-classes-row]').count()).toBe(10);
      await view.getByTestId('class-search').fill('siren');
      await expect.poll(() => view.locator('[data-testid=dataset-classes-row]').count()).toBe(1);
      await expect.poll(() => view.locator('[data-testid=dataset-classes-row] td').nth(1).textContent()).toBe('100');
      await screenshot(page, 'dataset-03-classes');
      await view.locator('[data-testid=dataset-classes-row] button').first().click();
      await expect.poll(() => view.getByTestId('dataset-tab-videos').getAttribute('aria-selected')).toBe('true');
      await expect.poll(() => view.locator('.filter-note').textContent()).toMatch(/siren/);
      await view.getByTestId('dataset-tab-confusions').click();
      await view.getByTestId('dataset-confusions').waitFor();
      await screenshot(page, 'dataset-04-confusions');
      // A pair opens exactly the videos it counts.
      const pair = view.locator('[data-testid=dataset-confusions] tbody tr').first();
      const pairCount = Number(await pair.locator('td').nth(2).textContent());
      await pair.getByRole('button').click();
      await expect.poll(() => view.getByTestId('dataset-shown').textContent()).toBe(`${pairCount.toLocaleString('en-US')} of 1,000 videos`);

      // A row opens its video.
      await view.getByTestId('dataset-tab-videos').click();
      await view.getByRole('button', { name: 'Show all' }).click();
      await view.getByTestId('dataset-show').selectOption('all');
      await view.getByTestId('dataset-search').fill('a-0421');
      await view.getByRole('button', { name: 'a-0421', exact: true }).click();
      await expect.poll(() => page.locator('#detail-title').textContent()).toBe('a-0421');
      await expect.poll(() => page.getByTestId('view-video').getAttribute('aria-pressed')).toBe('true');

      // Remove it.
      await page.getByTestId('remove-video').click();
      await expect.poll(() => summary(page)).toMatch(/^999 videos · 999 predicted$/);
      // The detail renders deferred (useDeferredValue), a moment after the summary.
      await expect.poll(() => page.locator('#detail-title').textContent()).not.toBe('a-0421');

      // A second, larger load, cancelled midway: what was predicted stays, nothing is left pending.
      await addFile(page, 'shard-b.tfrecord', shortVideos(4000, 2, 'b', 40));
      await expect
        .poll(async () => Number((await summary(page))!.match(/· ([\d,]+) predicted/)![1].replace(/,/g, '')), { timeout: 60_000 })
        .toBeGreaterThan(1100);
      await page.getByTestId('cancel-load').click();
      await page.locator('[data-testid=load-progress]').waitFor({ state: 'detached', timeout: 30_000 });
      const after = (await summary(page))!;
      const [, total, done] = after.match(/^([\d,]+) videos · ([\d,]+) predicted$/)!;
      expect(total).toBe(done);
      expect(Number(total.replace(/,/g, ''))).toBeLessThan(999 + 4000);
      await screenshot(page, 'dataset-05-after-cancel');
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});
