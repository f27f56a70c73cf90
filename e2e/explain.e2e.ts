/**
 * Charts that explain themselves (issue 13), end to end in Chromium on wasm:
 * the attention heatmap has a colour scale with values, shared by RGB and
 * audio unless the user asks for one per row; evidence has a card of its own
 * with a signed scale and the size of the largest drops in numbers; every
 * chart titles its axes; the metrics glossary opens from the keyboard.
 * Screenshots (light, dark, a 390 px phone) go to e2e/output/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAndServe,
  launchChromium,
  newPage,
  screenshot,
  type ServedApp,
  unnamedControls,
  waitForDone,
  waitUntilReady,
} from './support/app';

let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  app = await buildAndServe('dist-explain');
  browser = await launchChromium({ webgpu: false });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The samples on wasm, the first video selected, its evidence shown. */
async function withEvidence(page: Page): Promise<void> {
  await page.goto(`${app.origin}/?backend=wasm&samples=1&video=0`);
  await waitUntilReady(page);
  await waitForDone(page, 12);
  await page.getByRole('button', { name: 'Show evidence' }).click();
  await page.locator('[data-testid=evidence-drops]').waitFor({ timeout: 60_000 });
  // (The sticky header would cover the cards in element screenshots.)
  await page.addStyleTag({ content: '.header { position: static !important; }' });
}

describe('charts that explain themselves', () => {
  it('shades RGB and audio on one colour scale with values (or one per row), evidence on a signed scale with its drops in numbers, axes titled', async () => {
    const { page, context, errors, foreign } = await newPage(browser, app.origin);
    try {
      await withEvidence(page);
      const frames = Number(await page.locator('[data-testid=heatmap-rgb] [role=gridcell]').count());
      const scale = page.locator('.attention-card [data-testid=heatmap-scale]');
      // One scale: both rows shaded against the same top, the larger of their maxima (at least 4x the uniform weight).
      const tops = async () =>
        Promise.all(
          ['rgb', 'audio'].map(async (m) => Number(await page.locator(`[data-testid=heatmap-${m}]`).getAttribute('data-scale-top'))),
        );
      const values = async (m: string) =>
        page
          .locator(`[data-testid=heatmap-${m}] [role=gridcell]`)
          .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
      const [rgbMax, audioMax] = [Math.max(...(await values('rgb'))), Math.max(...(await values('audio')))];
      const [rgbTop, audioTop] = await tops();
      expect(rgbTop).toBe(audioTop);
      expect(rgbTop).toBeCloseTo(Math.max(rgbMax, audioMax, 4 / frames), 6);
      expect(await scale.locator('figure[data-scale=attention]').count()).toBe(1);
      const legend = await scale.textContent();
      expect(legend).toMatch(/Attention weight, one scale for RGB and Audio/);
      expect(legend).toMatch(new RegExp(`uniform 1/${frames} = `));
      await screenshot(page, 'explain-01-attention-light', '.attention-card');
      // One per row: each against its own maximum, each with its own legend.
      await page.getByLabel('Scale per row').check();
      await expect.poll(() => scale.locator('figure[data-scale=attention]').count()).toBe(2);
      const [rgbOwn, audioOwn] = await tops();
      expect(rgbOwn).toBeCloseTo(Math.max(rgbMax, 4 / frames), 6);
      expect(audioOwn).toBeCloseTo(Math.max(audioMax, 4 / frames), 6);
      expect(await scale.locator('figure[data-scale=attention]').count()).toBe(2);
      await page.getByLabel('One scale').check();

      // Evidence: its own card, a signed scale, the drops as numbers.
      const card = page.locator('[data-testid=evidence-card]');
      expect(await page.locator('.attention-card [data-testid=heatmap-evidence]').count()).toBe(0);
      const drops = await card
        .locator('[data-testid=heatmap-evidence] [role=gridcell]')
        .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
      expect(drops).toHaveLength(frames);
      const maxDrop = Math.max(...drops);
      expect(Number(await card.locator('[data-testid=evidence-summary]').getAttribute('data-max-drop'))).toBeCloseTo(maxDrop, 6);
      expect(await card.locator('[data-testid=evidence-summary]').textContent()).toMatch(
        new RegExp(`lowers p the most: by ${maxDrop.toFixed(4)}`),
      );
      const top = Number(await card.locator('figure[data-scale=evidence]').getAttribute('data-top'));
      expect(top).toBeCloseTo(Math.max(0.02, ...drops.map(Math.abs)), 6);
      expect(await card.locator('figure[data-scale=evidence]').textContent()).toMatch(/raises p.*0.*lowers p/);
      const listed = await card
        .locator('[data-testid=evidence-drops] li')
        .evaluateAll((li) => li.map((l) => Number(l.getAttribute('data-drop'))));
      expect(listed[0]).toBeCloseTo(maxDrop, 6);

      // Axis titles and units.
      expect(await page.locator('[data-testid=prob-chart]').textContent()).toMatch(/Probability of the class \(sigmoid, 0 to 1\)/);
      expect(await page.locator('.attention-card .hm-axis-title').textContent()).toMatch(/Time in the video \(m:ss\).*1 frame = 1 second/);
      expect(await card.locator('.hm-axis-title').textContent()).toMatch(/1 frame = 1 second/);
      expect(await page.locator('[data-testid=prob-table] thead').textContent()).toBe('RankClass idClass nameProbability (0 to 1)');
      await screenshot(page, 'explain-02-evidence-light', '[data-testid=evidence-card]');
      await screenshot(page, 'explain-03-page-light');
      expect(await unnamedControls(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);

  it('explains Hit@1, PERR, GAP and mAP in a glossary the keyboard opens', async () => {
    const { page, context, errors } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm&samples=1`);
      await waitUntilReady(page);
      await waitForDone(page, 12);
      const glossary = page.locator('[data-testid=metrics] [data-testid=metrics-glossary]');
      expect(await glossary.getAttribute('open')).toBeNull();
      const active = () =>
        page.evaluate(() => (document.activeElement?.tagName === 'SUMMARY' ? document.activeElement.textContent : '') ?? '');
      // Reached with Tab alone, opened with Enter.
      for (let i = 0; i < 80 && !/What these numbers mean/.test(await active()); i++) await page.keyboard.press('Tab');
      expect(await active()).toMatch(/What these numbers mean/);
      await page.keyboard.press('Enter');
      await expect.poll(() => glossary.getAttribute('open')).toBe('');
      expect(await glossary.locator('.glossary-term').allTextContents()).toEqual([
        'Hit@1 (hit at one)',
        'PERR (precision at equal recall rate)',
        'GAP (global average precision)',
        'mAP (mean average precision)',
      ]);
      expect(await glossary.locator('.glossary-text').first().isVisible()).toBe(true);
      // The card's values are its own <dd>s still: four.
      expect(await page.locator('[data-testid=metrics] dd').count()).toBe(4);
      await screenshot(page, 'explain-04-glossary', '[data-testid=metrics]');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);

  it('reads in the dark theme and on a 390 px phone', async () => {
    const dark = await newPage(browser, app.origin, { dark: true });
    try {
      await withEvidence(dark.page);
      await screenshot(dark.page, 'explain-05-attention-dark', '.attention-card');
      await screenshot(dark.page, 'explain-06-evidence-dark', '[data-testid=evidence-card]');
      expect(dark.errors).toEqual([]);
    } finally {
      await dark.context.close();
    }
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      colorScheme: 'light',
      reducedMotion: 'reduce',
    });
    try {
      const page = await phone.newPage();
      await withEvidence(page);
      // Nothing of the charts' cards reaches past the screen's edge.
      const past = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.prob-card *, .attention-card *, [data-testid=evidence-card] *, [data-testid=metrics] *'))
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
          .map((e) => `${e.tagName}.${e.getAttribute('class') ?? ''}`),
      );
      expect(past).toEqual([]);
      await screenshot(page, 'explain-07-phone-attention', '.attention-card');
      await screenshot(page, 'explain-08-phone-evidence', '[data-testid=evidence-card]');
      await screenshot(page, 'explain-09-phone-probabilities', '.prob-card');
    } finally {
      await phone.close();
    }
  }, 300_000);
});
