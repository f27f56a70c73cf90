/**
 * A page that explains itself (issue 13): accessible and usable on a phone,
 * in every state a new user meets. In Chromium on wasm, light and dark, at
 * 1440x900 and on a 390x844 phone, each state is audited with axe-core
 * (WCAG 2.1 A/AA and best practice: no violation), measured for horizontal
 * overflow (none on the phone) and, on the phone, every control is checked
 * to take a tap at its centre. The figures are printed as a table.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTfRecordFeatures } from '../src/core/features/tfrecordFeatures';
import { writeNpy } from '../src/core/containers/npy';
import {
  axeViolations,
  type AxeFinding,
  buildAndServe,
  dropFiles,
  horizontalOverflow,
  launchChromium,
  OUTPUT,
  screenshot,
  type ServedApp,
  sharedNames,
  untappableControls,
  waitForDone,
  waitUntilReady,
  watchErrors,
  watchForeignRequests,
} from './support/app';

let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  app = await buildAndServe('dist-accessible');
  browser = await launchChromium({ webgpu: false });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

type Mode = { name: string; width: number; height: number; dark: boolean; phone: boolean };
const DESKTOP_LIGHT: Mode = { name: 'light 1440', width: 1440, height: 900, dark: false, phone: false };
const DESKTOP_DARK: Mode = { name: 'dark 1440', width: 1440, height: 900, dark: true, phone: false };
const PHONE_LIGHT: Mode = { name: 'light 390', width: 390, height: 844, dark: false, phone: true };
const PHONE_DARK: Mode = { name: 'dark 390', width: 390, height: 844, dark: true, phone: true };

async function open(mode: Mode): Promise<{ context: BrowserContext; page: Page; errors: string[]; foreign: string[] }> {
  const context = await browser.newContext({
    viewport: { width: mode.width, height: mode.height },
    deviceScaleFactor: 1,
    colorScheme: mode.dark ? 'dark' : 'light',
    reducedMotion: 'reduce',
    hasTouch: mode.phone,
    isMobile: mode.phone,
    acceptDownloads: true,
  });
  const foreign = watchForeignRequests(context, app.origin);
  const page = await context.newPage();
  return { context, page, errors: watchErrors(page), foreign };
}

/** Controls that a tap or click did not reach (something else lay on top), by name. */
const missedPresses: string[] = [];

/** A tap on a phone, a click elsewhere: either must land on the control itself (else it is noted, and the press forced). */
async function press(page: Page, mode: Mode, locator: ReturnType<Page['locator']>): Promise<void> {
  try {
    if (mode.phone) await locator.tap({ timeout: 10_000 });
    else await locator.click({ timeout: 10_000 });
  } catch (e) {
    missedPresses.push(
      `${mode.name}: ${String(locator)}: ${
        (e as Error).message
          .split('\n')
          .find((l) => /intercepts/.test(l))
          ?.trim() ?? (e as Error).message.split('\n')[0]
      }`,
    );
    await locator.dispatchEvent('click');
  }
}

/**
 * Every state of the issue, in two pages: the first visit, "Try fine-tuning"
 * (the fine-tune panel), after a short fine-tune; "Try a sample", with its
 * evidence shown, the dataset view (videos, then classes). `visit` runs at each.
 */
async function walk(mode: Mode, visit: (state: string, page: Page) => Promise<void>): Promise<string[]> {
  const errors: string[] = [];
  {
    const { context, page, errors: e, foreign } = await open(mode);
    try {
      // As a new user opens it: auto (wasm here, and the page says why).
      await page.goto(`${app.origin}/`);
      await waitUntilReady(page);
      await visit('first visit', page);
      await press(page, mode, page.getByRole('button', { name: 'Try fine-tuning' }));
      await waitForDone(page, 40);
      const card = page.locator('[data-testid=training]');
      await expect
        .poll(() => card.locator('[data-testid=training-cost]').textContent(), { timeout: 60_000 })
        .toMatch(/^40 labeled videos of 40/);
      await visit('fine-tune panel', page);
      await card.getByLabel('Epochs').fill('3');
      await press(page, mode, card.getByRole('button', { name: 'Start' }));
      await card.and(page.locator('[data-state=done]')).waitFor({ timeout: 120_000 });
      await card.locator('[data-testid=training-compare]').waitFor();
      await visit('after a fine-tune', page);
      errors.push(...e, ...foreign.map((u) => `foreign request: ${u}`));
    } finally {
      await context.close();
    }
  }
  {
    const { context, page, errors: e, foreign } = await open(mode);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      await press(page, mode, page.getByRole('button', { name: 'Try a sample' }).first());
      await waitForDone(page, 12);
      await visit('samples', page);
      await press(page, mode, page.getByRole('button', { name: 'Show evidence' }));
      await page.locator('[data-testid=evidence-drops]').waitFor({ timeout: 60_000 });
      // The state is the evidence shown, not the last batch of occluded copies still running: until then the
      // button is aria-disabled at half opacity, an inactive control, which axe still audits for contrast.
      await expect
        .poll(() => page.locator('[data-testid=evidence-card] .evidence-form .btn-primary').textContent(), { timeout: 60_000 })
        .toBe('Recompute evidence');
      await visit('evidence', page);
      await press(page, mode, page.getByTestId('view-dataset'));
      await expect.poll(() => page.getByTestId('dataset-shown').textContent()).toBe('12 of 12 videos');
      await visit('dataset', page);
      await press(page, mode, page.getByTestId('dataset-tab-classes'));
      await page.locator('[data-testid=dataset-classes-row]').first().waitFor();
      await visit('dataset classes', page);
      errors.push(...e, ...foreign.map((u) => `foreign request: ${u}`));
    } finally {
      await context.close();
    }
  }
  {
    const { context, page, errors: e, foreign } = await open(mode);
    try {
      await page.goto(`${app.origin}/?backend=wasm&model=${encodeURIComponent('/models/nowhere/model.json')}`);
      await page.locator('[data-testid=model-error]').waitFor({ timeout: 60_000 });
      await visit('model error', page);
      errors.push(...e.filter((x) => !/404/.test(x)), ...foreign.map((u) => `foreign request: ${u}`));
    } finally {
      await context.close();
    }
  }
  return errors;
}

interface Row {
  mode: string;
  state: string;
  axe: number;
  scrollWidth?: number;
  untappable?: number;
}

const rows: Row[] = [];
const findings: string[] = [];

function report(f: AxeFinding[], where: string): number {
  for (const v of f) for (const n of v.nodes) findings.push(`${where}: ${v.id} (${v.impact}) ${n.target}: ${n.summary}`);
  return f.reduce((sum, v) => sum + v.nodes.length, 0);
}

/** The figures so far, printed, and everything found written to e2e/output/accessible-findings.json. */
function printRows(): void {
  const lines = rows.map(
    (r) =>
      `${r.mode.padEnd(11)} ${r.state.padEnd(18)} axe nodes ${String(r.axe).padStart(3)}${r.scrollWidth !== undefined ? `  scrollWidth ${r.scrollWidth}` : ''}${r.untappable !== undefined ? `  untappable ${r.untappable}` : ''}`,
  );
  process.stderr.write(`\n${lines.join('\n')}\n`);
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(path.join(OUTPUT, 'accessible-findings.json'), `${JSON.stringify({ rows, missedPresses, findings }, null, 1)}\n`);
}

/**
 * The attention heatmap by touch: a tap on a cell says its frame and weight;
 * zoom widens the cells, the rows scroll sideways inside the card (the page
 * does not), and a tap still lands on the cell it is on.
 */
async function heatmapByTouch(page: Page, mode: Mode): Promise<void> {
  const card = page.locator('.attention-card');
  const readout = card.getByTestId('heatmap-readout');
  const cells = card.locator('[data-testid=heatmap-rgb] [role=gridcell]');
  const frames = await cells.count();
  await cells.nth(10).tap();
  await expect.poll(() => readout.textContent()).toMatch(/^Frame 10 · 0:10 · RGB: attention 0\.\d{4}/);
  const width = async () => (await cells.nth(0).boundingBox())!.width;
  const before = await width();
  await card.getByRole('button', { name: /Zoom in along time/ }).tap();
  await card.getByRole('button', { name: /Zoom in along time/ }).tap();
  await expect.poll(() => card.getByTestId('heatmap').getAttribute('data-zoom')).toBe('4');
  expect(await width()).toBeGreaterThan(3.5 * before);
  const scroller = card.locator('.hm-scroll:not(.tl-scroll)');
  expect(await scroller.evaluate((e) => e.scrollWidth > e.clientWidth + 10)).toBe(true);
  expect((await horizontalOverflow(page)).scrollWidth).toBeLessThanOrEqual(mode.width);
  const last = cells.nth(frames - 3);
  await last.scrollIntoViewIfNeeded();
  await last.tap();
  await expect.poll(() => readout.textContent()).toMatch(new RegExp(`^Frame ${frames - 3} · `));
  await screenshot(page, `accessible-phone-heatmap-zoomed${mode.dark ? '-dark' : ''}`, '.attention-card');
  await card.getByRole('button', { name: /Zoom out along time/ }).tap();
  await card.getByRole('button', { name: /Zoom out along time/ }).tap();
}

describe('an accessible page, on a desktop and on a phone', () => {
  for (const mode of [DESKTOP_LIGHT, DESKTOP_DARK]) {
    it(`has no axe violation in any state (${mode.name})`, async () => {
      const before = rows.length;
      const errors = await walk(mode, async (state, page) => {
        const axe = report(await axeViolations(page), `${mode.name} ${state}`);
        const shared = await sharedNames(page);
        shared.forEach((s) => findings.push(`${mode.name} ${state}: shared accessible name ${s}`));
        rows.push({ mode: mode.name, state, axe: axe + shared.length, scrollWidth: (await horizontalOverflow(page)).scrollWidth });
      });
      printRows();
      expect(errors).toEqual([]);
      expect(
        rows
          .slice(before)
          .filter((r) => r.axe > 0)
          .map((r) => `${r.state}: ${r.axe}`),
      ).toEqual([]);
    }, 600_000);
  }

  for (const mode of [PHONE_LIGHT, PHONE_DARK]) {
    it(`fits a 390 px phone in every state, every control takes a tap, no axe violation (${mode.name})`, async () => {
      const before = rows.length;
      const overflow: string[] = [];
      const errors = await walk(mode, async (state, page) => {
        const o = await horizontalOverflow(page);
        if (o.scrollWidth > o.viewport) {
          overflow.push(`${state}: ${o.scrollWidth} px wide`);
          findings.push(`${mode.name} ${state}: ${o.scrollWidth} px wide: ${o.past.join(', ')}`);
        }
        const untappable = await untappableControls(page);
        untappable.forEach((u) => findings.push(`${mode.name} ${state}: untappable ${u}`));
        const shared = await sharedNames(page);
        shared.forEach((s) => findings.push(`${mode.name} ${state}: shared accessible name ${s}`));
        const axe = report(await axeViolations(page), `${mode.name} ${state}`) + shared.length;
        rows.push({ mode: mode.name, state, axe, scrollWidth: o.scrollWidth, untappable: untappable.length });
        if (!mode.dark) await screenshot(page, `accessible-phone-${state.replace(/\s+/g, '-')}`);
        if (state === 'samples') {
          // The selected video's results come right after the list, before the metrics and the model (not below the
          // whole column), and the header's buttons say what they do.
          const top = async (selector: string) => (await page.locator(selector).first().boundingBox())!.y;
          expect(await top('[data-testid=video-detail]')).toBeLessThan(await top('aside[aria-label="Metrics and models"]'));
          expect(await top('[data-testid=video-detail]')).toBeGreaterThan(await top('[data-testid=video-list]'));
          // "Export" is shown, not only read out (it was clipped to a pixel on a phone, leaving "JSON" and "CSV").
          expect((await page.getByRole('button', { name: 'Export JSON' }).locator('.export-verb').boundingBox())!.width).toBeGreaterThan(
            20,
          );
          await heatmapByTouch(page, mode);
        }
      });
      printRows();
      expect(errors).toEqual([]);
      expect(missedPresses.filter((m) => m.startsWith(mode.name))).toEqual([]);
      expect(overflow).toEqual([]);
      expect(
        rows
          .slice(before)
          .filter((r) => r.axe > 0 || (r.untappable ?? 0) > 0)
          .map((r) => `${r.state}: axe ${r.axe}, untappable ${r.untappable}`),
      ).toEqual([]);
    }, 600_000);
  }
});

/** What has the keyboard's focus: its role or tag, and its accessible text. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return 'body';
    return `${el.getAttribute('role') ?? el.tagName.toLowerCase()}: ${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60)}`;
  });
}

describe('the keyboard alone', () => {
  it('reaches Start in a few presses, keeps focus on the buttons that disable themselves, and picks a class with Enter or Space on its bar', async () => {
    const { context, page, errors } = await open(DESKTOP_LIGHT);
    try {
      await page.goto(`${app.origin}/?backend=wasm&samples=1`);
      await waitUntilReady(page);
      await waitForDone(page, 12);
      await page.locator('[data-testid=training-cost]').waitFor();
      const card = page.locator('[data-testid=training]');

      // From the top of the page: the skip links, then the fine-tune's Start.
      let presses = 0;
      const tab = async () => {
        presses++;
        await page.keyboard.press('Tab');
      };
      await tab();
      expect(await focused(page)).toBe('a: Skip to the main content');
      const link = page.getByRole('link', { name: 'Skip to the main content' });
      const box = (await link.boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      while (!/Skip to fine-tuning/.test(await focused(page)) && presses < 6) await tab();
      presses++;
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('finetune');
      await tab();
      expect(await focused(page)).toBe('button: Start');
      process.stderr.write(`Tab and Enter presses from the top of the page to Start: ${presses}\n`);
      expect(presses).toBeLessThanOrEqual(6);

      // Show evidence: the button keeps the focus while it computes and after.
      const show = page.getByRole('button', { name: 'Show evidence' });
      await show.focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid=evidence-drops]').waitFor({ timeout: 60_000 });
      await expect.poll(() => focused(page)).toBe('button: Recompute evidence');

      // A probability bar picks its class with Enter (the second bar) or Space (the third), as a click does.
      const classes = await page
        .locator('[data-testid=prob-table] tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-class')));
      const evidenceClass = page.locator('[data-testid=evidence-card] select');
      const tooltip = page.locator('[data-testid=prob-chart] .tooltip');
      /** Moves along the bars with `key` until the tooltip is on the class at `rank`. */
      const moveTo = async (rank: number, key: string) => {
        const on = new RegExp(`class ${classes[rank]}(\\D|$)`);
        for (let k = 0; k < 12 && !on.test((await tooltip.textContent().catch(() => '')) ?? ''); k++) {
          await page.keyboard.press(key);
          await page.waitForTimeout(60);
        }
        expect(await tooltip.textContent()).toMatch(on);
      };
      await page.locator('[data-testid=prob-chart] svg[tabindex="0"]').focus();
      await moveTo(1, 'ArrowRight');
      await page.keyboard.press('Enter');
      await expect.poll(() => evidenceClass.inputValue()).toBe(classes[1]);
      // Down moves to the next bar as right does; Space picks without scrolling the page.
      await page.keyboard.press('Escape');
      await moveTo(2, 'ArrowDown');
      const scrolled = await page.evaluate(() => window.scrollY);
      await page.keyboard.press(' ');
      await expect.poll(() => evidenceClass.inputValue()).toBe(classes[2]);
      expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);

      // Start, then Stop, from the keyboard: focus stays on the button pressed.
      await card.getByLabel('Epochs').fill('5000');
      await card.getByRole('button', { name: 'Start' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toMatch(/caching|running/);
      expect(await focused(page)).toBe('button: Start');
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('running');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('button: Pause');
      await page.keyboard.press('Enter');
      await expect.poll(() => card.getAttribute('data-state')).toBe('paused');
      await expect.poll(() => focused(page)).toBe('button: Resume');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('stopped');
      await expect.poll(() => focused(page)).toBe('button: Stop');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});

describe('honest states', () => {
  it('says why the model did not load, and the way on', async () => {
    const { context, page } = await open(DESKTOP_LIGHT);
    try {
      await page.goto(`${app.origin}/?backend=wasm&model=${encodeURIComponent('/models/nowhere/model.json')}`);
      const empty = page.locator('[data-testid=model-error]');
      await expect
        .poll(() => empty.textContent(), { timeout: 60_000 })
        .toMatch(/The model could not be loaded:.*models\/nowhere\/model\.json: the server answered 404/);
      expect(await page.locator('.empty').textContent()).not.toMatch(/loading/i);
      await screenshot(page, 'accessible-model-error');
      await empty.getByRole('button', { name: 'Load the demo model' }).click();
      await page.locator('[data-testid=empty-model]').filter({ hasText: 'Model ready: demo' }).waitFor({ timeout: 60_000 });
      await expect.poll(() => empty.count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 120_000);

  it('keeps notices in view, once each, at most four, dismissible; says the frame cap’s cut; says what an export during a run holds', async () => {
    const { context, page, errors } = await open(DESKTOP_LIGHT);
    try {
      await page.goto(`${app.origin}/?backend=wasm&samples=1`);
      await waitUntilReady(page);
      await waitForDone(page, 12);
      // Scrolled down, a bad file's error shows in the window all the same.
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const bad = (name: string) => ({ name, bytes: new TextEncoder().encode('not features') });
      await dropFiles(page, [bad('notes.txt')]);
      const errorsShown = page.locator('[data-testid=notice-error]');
      await errorsShown.first().waitFor();
      const box = (await errorsShown.first().boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(0);
      expect(box.y + box.height).toBeLessThanOrEqual(900);
      // The same file again: one notice, counted.
      await dropFiles(page, [bad('notes.txt')]);
      await dropFiles(page, [bad('notes.txt')]);
      await expect.poll(() => errorsShown.first().getAttribute('data-count')).toBe('3');
      expect(await errorsShown.count()).toBe(1);
      // Many files: at most four notices, and the page says how many it dropped.
      await dropFiles(
        page,
        ['a', 'b', 'c', 'd', 'e'].map((n) => bad(`${n}.txt`)),
      );
      await expect.poll(() => page.locator('[data-testid=notices] .toast').count()).toBe(4);
      await expect.poll(() => page.locator('[data-testid=notices]').textContent()).toMatch(/2 older messages dropped/);
      await screenshot(page, 'accessible-notices');
      // One dismissed from the keyboard hands focus to the next; then all at once.
      await page.locator('[data-testid=notices] .notice-dismiss').first().focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('[data-testid=notices] .toast').count()).toBe(3);
      await expect.poll(() => focused(page)).toMatch(/^button: Dismiss this message/);
      await page.getByTestId('dismiss-all').click();
      await expect.poll(() => page.locator('[data-testid=notices] .toast').count()).toBe(0);
      await expect.poll(() => focused(page)).not.toBe('body');

      // A video longer than the frame cap: the warning says how many frames were cut, and so does the video.
      const frames = 400;
      const npy = writeNpy({
        dtype: 'uint8',
        shape: [frames, 1152],
        data: Uint8Array.from({ length: frames * 1152 }, (_, i) => (i * 7) % 256),
      });
      await dropFiles(page, [{ name: 'long-video.npy', bytes: npy }]);
      const warning = page.locator('[data-testid=notice-warning]');
      await expect
        .poll(() => warning.textContent(), { timeout: 60_000 })
        .toMatch(
          /long-video\.npy: 1 video was longer than the frame cap and cut to 300 frames \(100 frames left out\)\. The frame cap is a setting of the Model panel/,
        );
      await page.locator('[data-testid=video-row]').last().click();
      await expect.poll(() => page.locator('[data-testid=frame-cut]').textContent()).toMatch(/the file holds 400 frames, 100 left out/);
      await page.getByTestId('dismiss-all').or(page.locator('[data-testid=notices] .notice-dismiss')).first().click();

      // An export while videos are still predicted says what it holds, and holds that.
      const shard = writeTfRecordFeatures(
        Array.from({ length: 1500 }, (_, i) => ({
          id: `run-${i}`,
          labels: [i % 10],
          rgb: Array.from({ length: 30 }, () => new Uint8Array(1024).fill(i % 256)),
          audio: Array.from({ length: 30 }, () => new Uint8Array(128).fill(7)),
        })),
      );
      const file = path.join(OUTPUT, 'dataset-files', 'run.tfrecord');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, shard);
      await page.locator('[data-testid=feature-input]').first().setInputFiles(file);
      await page.locator('[data-testid=load-progress]').waitFor();
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
      const saved = path.join(OUTPUT, 'downloads', 'during-run.json');
      await dl.saveAs(saved);
      const doc = JSON.parse(readFileSync(saved, 'utf8')) as { videos: unknown[] };
      const note = page.locator('[data-testid=notice-info]').filter({ hasText: 'predictions.json' });
      await expect.poll(() => note.textContent()).toMatch(/predictions\.json: holds the [\d,]+ finished videos of (the )?[\d,]+/);
      const [, n, m] = /holds the ([\d,]+) finished videos of (?:the )?([\d,]+)/.exec((await note.textContent())!)!;
      expect(Number(n.replace(/,/g, ''))).toBe(doc.videos.length);
      // While files are still being read, every video read so far may be finished: the rest are yet to come.
      if (/read so far/.test((await note.textContent())!))
        expect(Number(n.replace(/,/g, ''))).toBeLessThanOrEqual(Number(m.replace(/,/g, '')));
      else expect(Number(n.replace(/,/g, ''))).toBeLessThan(Number(m.replace(/,/g, '')));
      process.stderr.write(`export during a run: ${await note.textContent()}\n`);
      // Cancel what is left of the run, if anything: the shard may have finished meanwhile. Either way it ends.
      const cancel = page.getByTestId('cancel-load');
      if (await cancel.isVisible()) await cancel.click({ timeout: 5_000 }).catch(() => {});
      await page.locator('[data-testid=load-progress]').waitFor({ state: 'detached', timeout: 60_000 });
      expect(errors.filter((e) => !/notes\.txt|\.txt/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);
});
