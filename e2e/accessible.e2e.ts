/**
 * A page that explains itself (issue 13): accessible and usable on a phone,
 * in every state a new user meets. In Chromium on wasm, light and dark, at
 * 1440x900 and on a 390x844 phone, each state is audited with axe-core
 * (WCAG 2.1 A/AA and best practice: no violation), measured for horizontal
 * overflow (none on the phone) and, on the phone, every control is checked
 * to take a tap at its centre. The figures are printed as a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  axeViolations, type AxeFinding, buildAndServe, horizontalOverflow, launchChromium, OUTPUT, screenshot, type ServedApp, sharedNames, untappableControls,
  waitForDone, waitUntilReady, watchErrors, watchForeignRequests,
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
    viewport: { width: mode.width, height: mode.height }, deviceScaleFactor: 1, colorScheme: mode.dark ? 'dark' : 'light', reducedMotion: 'reduce',
    hasTouch: mode.phone, isMobile: mode.phone, acceptDownloads: true,
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
    missedPresses.push(`${mode.name}: ${String(locator)}: ${(e as Error).message.split('\n').find((l) => /intercepts/.test(l))?.trim() ?? (e as Error).message.split('\n')[0]}`);
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
      await expect.poll(() => card.locator('[data-testid=training-cost]').textContent(), { timeout: 60_000 }).toMatch(/^40 labeled videos of 40/);
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
  const lines = rows.map((r) => `${r.mode.padEnd(11)} ${r.state.padEnd(18)} axe nodes ${String(r.axe).padStart(3)}${r.scrollWidth !== undefined ? `  scrollWidth ${r.scrollWidth}` : ''}${r.untappable !== undefined ? `  untappable ${r.untappable}` : ''}`);
  process.stderr.write(`\n${lines.join('\n')}\n`);
  mkdirSync(OUTPUT, { recursive: true });
  writeFileSync(path.join(OUTPUT, 'accessible-findings.json'), `${JSON.stringify({ rows, missedPresses, findings }, null, 1)}\n`);
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
      expect(rows.slice(before).filter((r) => r.axe > 0).map((r) => `${r.state}: ${r.axe}`)).toEqual([]);
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
        const axe = report(await axeViolations(page), `${mode.name} ${state}`);
        rows.push({ mode: mode.name, state, axe, scrollWidth: o.scrollWidth, untappable: untappable.length });
        if (!mode.dark) await screenshot(page, `accessible-phone-${state.replace(/\s+/g, '-')}`);
      });
      printRows();
      expect(errors).toEqual([]);
      expect(missedPresses.filter((m) => m.startsWith(mode.name))).toEqual([]);
      expect(overflow).toEqual([]);
      expect(rows.slice(before).filter((r) => r.axe > 0 || (r.untappable ?? 0) > 0).map((r) => `${r.state}: axe ${r.axe}, untappable ${r.untappable}`)).toEqual([]);
    }, 600_000);
  }
});
