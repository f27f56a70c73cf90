/**
 * The README's screenshots, from the production build in Chromium (wasm):
 *
 *   npx tsx e2e/docsScreenshots.ts
 *
 * docs/first-visit.png  a first visit, one click on "Try a sample" (light, 1440 wide)
 * docs/evidence.png     attention and evidence over time of the first sample
 * docs/finetune.png     "Try fine-tuning", Start, the fine-tune card at the end
 * docs/finetune-live.png the selected video as the fine-tuned head sees it
 * docs/phone.png        the samples on a 390 px phone
 * docs/dark.png         the dark theme: attention and evidence of the first sample
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildAndServe, launchChromium, ROOT, waitForDone, waitUntilReady } from './support/app';

const DOCS = path.join(ROOT, 'docs');

async function open(browser: Browser, opts: { width: number; height: number; dark?: boolean; phone?: boolean }): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: opts.width, height: opts.height },
    deviceScaleFactor: opts.phone ? 2 : 1,
    colorScheme: opts.dark ? 'dark' : 'light',
    reducedMotion: 'reduce',
    hasTouch: opts.phone,
    isMobile: opts.phone,
  });
  return context.newPage();
}

/** The union of the elements' boxes, in page coordinates, with a margin. */
async function around(page: Page, selectors: string[], margin = 0) {
  return page.evaluate(
    ([sels, m]) => {
      const boxes = (sels as string[]).map((s) => document.querySelector(s)!.getBoundingClientRect());
      const x = Math.min(...boxes.map((b) => b.left)) - (m as number);
      const y = Math.min(...boxes.map((b) => b.top)) + window.scrollY - (m as number);
      const right = Math.max(...boxes.map((b) => b.right)) + (m as number);
      const bottom = Math.max(...boxes.map((b) => b.bottom)) + window.scrollY + (m as number);
      return { x, y, width: right - x, height: bottom - y };
    },
    [selectors, margin] as const,
  );
}

/** The samples, ready, nothing hovered. */
async function samples(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`);
  await waitUntilReady(page);
  await page.getByRole('button', { name: 'Try a sample' }).first().click();
  await waitForDone(page, 12);
  // The Metrics card follows from the worker within a second.
  await page.locator('[data-testid=metrics] dd').nth(3).waitFor();
  await page.mouse.move(1, 1);
}

async function showEvidence(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Show evidence' }).click();
  await page.locator('[data-testid=evidence-drops]').waitFor({ timeout: 60_000 });
  await page.mouse.move(1, 1);
}

const app = await buildAndServe('dist-docs');
const browser = await launchChromium({ webgpu: false });
try {
  {
    const page = await open(browser, { width: 1440, height: 1000 });
    await samples(page, app.origin);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(DOCS, 'first-visit.png') });
    await showEvidence(page);
    // (The sticky header would cover the cards' tops in a clip of the whole page.)
    await page.addStyleTag({ content: '.header { position: static !important; }' });
    await page.screenshot({
      path: path.join(DOCS, 'evidence.png'),
      clip: await around(page, ['.attention-card', '[data-testid=evidence-card]'], 8),
      fullPage: true,
    });
    await page.context().close();
  }
  {
    const page = await open(browser, { width: 1440, height: 1000 });
    await page.goto(`${app.origin}/`);
    await waitUntilReady(page);
    await page.getByRole('button', { name: 'Try fine-tuning' }).click();
    await waitForDone(page, 40);
    const card = page.locator('[data-testid=training]');
    await card.locator('[data-testid=training-fitted]').waitFor({ timeout: 60_000 });
    await card.getByRole('button', { name: 'Start' }).click();
    await card.and(page.locator('[data-state=done]')).waitFor({ timeout: 600_000 });
    await page.locator('[data-testid=live-bar][data-live=fine-tune]').waitFor({ timeout: 60_000 });
    await page.addStyleTag({ content: '.header { position: static !important; }' });
    await page.mouse.move(1, 1);
    await page.screenshot({
      path: path.join(DOCS, 'finetune.png'),
      clip: await around(page, ['[data-testid=training]'], 8),
      fullPage: true,
    });
    await page.screenshot({
      path: path.join(DOCS, 'finetune-live.png'),
      clip: await around(page, ['[data-testid=video-detail] .detail-head', '[data-testid=live-bar]', '.prob-card', '.attention-card'], 8),
      fullPage: true,
    });
    await page.context().close();
  }
  {
    const page = await open(browser, { width: 390, height: 844, phone: true });
    await samples(page, app.origin);
    // The selected video's top, as a phone shows it after the list.
    await page
      .locator('[data-testid=video-detail]')
      .evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 60));
    await page.screenshot({ path: path.join(DOCS, 'phone.png') });
    await page.context().close();
  }
  {
    const page = await open(browser, { width: 1440, height: 1000, dark: true });
    await samples(page, app.origin);
    await showEvidence(page);
    await page.locator('.attention-card').evaluate((e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 90));
    await page.screenshot({ path: path.join(DOCS, 'dark.png') });
    await page.context().close();
  }
} finally {
  await browser.close();
  await app.close();
}
process.stdout.write('docs/first-visit.png, evidence.png, finetune.png, finetune-live.png, phone.png, dark.png\n');
