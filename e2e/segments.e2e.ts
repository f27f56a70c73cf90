/**
 * Segments in the page (issue 18), end to end in Chromium on wasm: a
 * segment-rated file made here is dropped on the page; the selected video's
 * timeline shows its top classes and rated classes as lanes, the rated
 * segments positive and negative apart, a class added by name; a click (or
 * Enter) on a segment selects its seconds in the attention heatmap and the
 * evidence; the Metrics card and the dataset view give the segment MAP.
 * Screenshots (light, dark, a 390 px phone) go to e2e/output/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTfRecordFeatures, type Yt8mVideo } from '../src/core/features/tfrecordFeatures';
import { seededRandom } from '../src/core/training/seeded';
import {
  axeViolations,
  buildAndServe,
  dropFiles,
  horizontalOverflow,
  launchChromium,
  newPage,
  screenshot,
  type ServedApp,
  unnamedControls,
  untappableControls,
  waitForDone,
  waitUntilReady,
} from './support/app';

let app: ServedApp;
let browser: Browser;

beforeAll(async () => {
  app = await buildAndServe('dist-segments');
  browser = await launchChromium({ webgpu: false });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** Two videos of random features, the first 32 frames with three ratings: glass break (5) positive at 5 s, negative at 20 s; siren (6) positive at 0 s. */
function ratedFile(): { name: string; bytes: Uint8Array } {
  const rand = seededRandom(18);
  const frames = (T: number, dim: number) => Array.from({ length: T }, () => Uint8Array.from({ length: dim }, () => (rand() * 256) | 0));
  const videos: Yt8mVideo[] = [
    {
      id: 'rated-a',
      rgb: frames(32, 1024),
      audio: frames(32, 128),
      segments: { labels: [5, 5, 6], startTimes: [5, 20, 0], scores: [1, 0, 1] },
    },
    { id: 'rated-b', rgb: frames(12, 1024), audio: frames(12, 128), segments: { labels: [6], startTimes: [10], scores: [0] } },
  ];
  return { name: 'rated.tfrecord', bytes: writeTfRecordFeatures(videos) };
}

async function dropRated(page: Page, backend = 'wasm'): Promise<void> {
  await page.goto(`${app.origin}/?backend=${backend}`);
  await waitUntilReady(page);
  await dropFiles(page, [ratedFile()]);
  await waitForDone(page, 2);
  await page.locator('[data-testid=timeline-lanes]').waitFor();
}

describe('segments in the page', () => {
  it('from a dropped segment-rated file to the timeline: lanes, rated segments apart, a click selects the seconds in the heatmap and the evidence', async () => {
    const { page, context, errors, foreign } = await newPage(browser, app.origin);
    try {
      await dropRated(page);
      const timeline = page.locator('[data-testid=timeline]');
      // Lanes: the video's three top classes, then its rated classes not among them.
      const lanes = timeline.locator('[data-testid=timeline-lane]');
      const classes = await lanes.evaluateAll((ls) => ls.map((l) => Number(l.getAttribute('data-class'))));
      expect(classes.length).toBeGreaterThanOrEqual(3);
      expect(classes).toEqual(expect.arrayContaining([5, 6]));
      expect(new Set(classes).size).toBe(classes.length);
      // The rated segments, on their class's lane, positive and negative told apart (and named so), with a legend.
      const glass = timeline.locator('[data-testid=timeline-lane][data-class="5"]');
      const marks = await glass
        .locator('[data-testid=timeline-rated]')
        .evaluateAll((bs) => bs.map((b) => [b.getAttribute('data-start'), b.getAttribute('data-positive'), b.getAttribute('aria-label')]));
      expect(marks).toEqual([
        ['5', 'true', expect.stringMatching(/^glass break rated positive \(score 1\) at 0:05–0:09/)],
        ['20', 'false', expect.stringMatching(/^glass break rated negative \(score 0\) at 0:20–0:24/)],
      ]);
      expect(await timeline.locator('[data-testid=timeline-lane][data-class="6"] [data-testid=timeline-rated]').count()).toBe(1);
      const legend = await timeline.getByRole('list', { name: 'Timeline legend' }).textContent();
      expect(legend).toMatch(/rated positive/);
      expect(legend).toMatch(/rated negative/);
      await page.addStyleTag({ content: '.header { position: static !important; }' });
      await screenshot(page, 'segments-01-timeline-light', '.attention-card');

      // A click on the negative segment selects 0:20–0:24 in the heatmap, and the evidence switches to its class.
      await glass.getByRole('button', { name: /rated negative/ }).click();
      const band = page.locator('.attention-card [data-testid=heatmap] [data-testid=heatmap-selection]').first();
      expect(await band.getAttribute('data-start')).toBe('20');
      expect(await band.getAttribute('data-frames')).toBe('5');
      const selected = await page
        .locator('[data-testid=heatmap-rgb] [role=gridcell][aria-selected=true]')
        .evaluateAll((cs) => cs.map((c) => Number(c.getAttribute('data-t'))));
      expect(selected).toEqual([20, 21, 22, 23, 24]);
      expect(await page.locator('.attention-card [data-testid=heatmap-readout]').textContent()).toMatch(/Selected 0:20–0:24/);
      expect(await page.locator('[data-testid=timeline-selection]').textContent()).toMatch(/Selected 0:20–0:24 for glass break/);
      const evidenceClass = page.locator('.evidence-card select').first();
      expect(await evidenceClass.inputValue()).toBe('5');
      // The evidence, once shown, marks the same seconds.
      await page.getByRole('button', { name: 'Show evidence' }).click();
      await page.locator('.evidence-card [data-testid=heatmap-selection]').waitFor({ timeout: 90_000 });
      expect(await page.locator('.evidence-card [data-testid=heatmap-selection]').first().getAttribute('data-start')).toBe('20');

      // Keyboard only: a class found by name joins the timeline; a lane's windows step with the arrows and Enter selects one.
      const finder = page.getByLabel('Add a class to the timeline');
      await finder.focus();
      await page.keyboard.type('fire');
      await page.keyboard.press('Enter');
      const fireworks = timeline.locator('[data-testid=timeline-lane][data-class="8"]');
      await fireworks.waitFor();
      const slider = fireworks.getByRole('slider');
      await slider.focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowRight');
      expect(await slider.getAttribute('aria-valuetext')).toMatch(/^window 0:05–0:09: p \d\.\d{3}; Enter selects/);
      await page.keyboard.press('Enter');
      expect(await band.getAttribute('data-start')).toBe('5');
      expect(await evidenceClass.inputValue()).toBe('8');
      await fireworks.getByRole('button', { name: 'Remove fireworks from the timeline' }).click();
      await expect.poll(() => fireworks.count()).toBe(0);

      // The heatmap's time zoom (32 frames) widens the lanes with its rows: each second stays under its column, at every level.
      const heatTrack = page.locator('.attention-card [data-testid=heatmap-rgb] .hm-track').first();
      const laneTrack = glass.locator('.tl-track');
      const aligned = async () => {
        const [h, l] = [(await heatTrack.boundingBox())!, (await laneTrack.boundingBox())!];
        return [Math.round(h.x - l.x), Math.round(h.width - l.width)];
      };
      for (const level of ['2', '4']) {
        await page.getByRole('button', { name: 'Zoom in along time (Attention over 32 frames)' }).click();
        await expect.poll(() => timeline.locator('[data-testid=timeline-lanes]').getAttribute('data-zoom')).toBe(level);
        expect(await aligned()).toEqual([0, 0]);
      }
      await page.locator('[data-testid=timeline-scroll]').evaluate((el) => {
        el.scrollLeft = 250;
      });
      await expect
        .poll(() =>
          page
            .locator('.attention-card .hm-scroll')
            .first()
            .evaluate((el) => Math.round(el.scrollLeft)),
        )
        .toBe(250);
      expect(await aligned()).toEqual([0, 0]);
      for (let i = 0; i < 2; i++) await page.getByRole('button', { name: 'Zoom out along time (Attention over 32 frames)' }).click();
      await expect.poll(() => timeline.locator('[data-testid=timeline-lanes]').getAttribute('data-zoom')).toBe('1');

      // The smooth timeline: hop 1, a window a second.
      await page.locator('[data-testid=timeline-hop]').selectOption('1');
      await expect.poll(() => glass.getByRole('slider').getAttribute('aria-valuemax')).toBe('31');

      // The segment MAP in the Metrics card, and per class in the dataset view.
      await expect.poll(() => page.locator('[data-metric=segment_map]').textContent()).toMatch(/^\d\.\d+$/);
      expect(await page.locator('[data-testid=segment-map-counts]').textContent()).toMatch(/2 of 2 segment-rated videos ranked/);
      expect(await unnamedControls(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('from “Try segments” on the first screen: the samples’ timeline, the segment MAP and its per-class table, a fine-tune on the rated segments', async () => {
    const { page, context, errors, foreign } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      await screenshot(page, 'segments-00-first-screen', 'section.empty');
      await page.getByRole('button', { name: 'Try segments: when does it happen?' }).click();
      await waitForDone(page, 16);
      await page.locator('[data-testid=timeline-lanes]').waitFor();
      // The segment MAP over the 16 rated samples, and per class in the dataset view.
      await expect
        .poll(() => page.locator('[data-testid=segment-map-counts]').textContent(), { timeout: 60_000 })
        .toMatch(/^16 of 16 segment-rated videos ranked/);
      const map = Number(await page.locator('[data-metric=segment_map]').textContent());
      expect(map).toBeGreaterThan(0.9);
      await page.addStyleTag({ content: '.header { position: static !important; }' });
      await screenshot(page, 'segments-03-metrics', '[data-testid=metrics]');
      await page.locator('[data-testid=view-dataset]').click();
      await page.locator('[data-testid=dataset-tab-segments]').click();
      expect(await page.locator('[data-testid=segment-classes] tbody tr').count()).toBeGreaterThan(3);
      await screenshot(page, 'segments-04-dataset', '[data-testid=dataset-view]');
      // The worst-ranked positive opens its video with its seconds selected.
      const worst = page.locator('[data-testid=segment-worst] tbody tr').first().getByRole('button');
      const label = (await worst.textContent()) ?? '';
      await worst.click();
      const band = page.locator('.attention-card [data-testid=heatmap-selection]').first();
      await band.waitFor();
      const at = /at (\d+):(\d\d)/.exec(label)!;
      expect(Number(await band.getAttribute('data-start'))).toBe(Number(at[1]) * 60 + Number(at[2]));
      expect(await page.locator('[data-testid=video-detail] .detail-title').textContent()).toBe(label.split(' at ')[0]);

      // A fine-tune on the rated segments, from the training card.
      const card = page.locator('[data-testid=training]');
      await card.getByLabel(/Fine-tune on the rated segments \(71 ratings of 16 videos\)/).check();
      await card.getByLabel('Epochs').fill('2');
      await card.getByRole('button', { name: 'Start' }).click();
      await card.locator('[data-testid=segment-training-result]').waitFor({ timeout: 180_000 });
      const result = await card.locator('[data-testid=segment-training-result]').textContent();
      expect(result).toMatch(/Validation segment MAP\d\.\d+ → \d\.\d+/);
      expect(result).toMatch(/60 rated segments as examples/);
      await screenshot(page, 'segments-05-finetune', '[data-testid=segment-training-result]');
      expect(await unnamedControls(page)).toEqual([]);
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('runs the windows on WebGPU (SwiftShader) as on wasm: the same timeline and segment MAP', async () => {
    const gpu = await launchChromium({ webgpu: true });
    try {
      const seen: Record<string, { values: number[][]; map: string }> = {};
      for (const [backend, b] of [
        ['webgpu', gpu],
        ['wasm', browser],
      ] as const) {
        const { page, context, errors } = await newPage(b, app.origin);
        try {
          await dropRated(page, backend);
          expect(await page.locator('[data-testid=active-backend]').textContent()).toBe(backend);
          const values = await page
            .locator('[data-testid=timeline-lane] [role=slider]')
            .evaluateAll((ss) => ss.map((x) => (x.getAttribute('data-values') ?? '').split(' ').map(Number)));
          await expect
            .poll(() => page.locator('[data-testid=segment-map-counts]').textContent(), { timeout: 60_000 })
            .toMatch(/^2 of 2 segment-rated videos ranked/);
          seen[backend] = { values, map: (await page.locator('[data-metric=segment_map]').textContent()) ?? '' };
          expect(errors).toEqual([]);
        } finally {
          await context.close();
        }
      }
      const { webgpu, wasm } = seen;
      expect(webgpu.values.length).toBe(wasm.values.length);
      webgpu.values.forEach((lane, i) => {
        expect(lane).toHaveLength(7);
        lane.forEach((v, w) => {
          expect(Number.isFinite(v)).toBe(true);
          expect(Math.abs(v - wasm.values[i][w])).toBeLessThan(1e-4);
        });
      });
      expect(webgpu.map).toBe(wasm.map);
    } finally {
      await gpu.close();
    }
  });

  it('reads well in dark and on a 390 px phone', async () => {
    for (const variant of ['dark', 'phone'] as const) {
      const { page, context, errors } = await newPage(browser, app.origin, { dark: variant === 'dark' });
      try {
        if (variant === 'phone') await page.setViewportSize({ width: 390, height: 844 });
        await dropRated(page);
        await page.addStyleTag({ content: '.header { position: static !important; }' });
        await page.locator('[data-testid=timeline] [data-testid=timeline-rated]').first().click();
        await screenshot(page, `segments-02-timeline-${variant}`, '.attention-card');
        if (variant === 'phone') {
          expect((await horizontalOverflow(page)).past).toEqual([]);
          // Every control of the timeline takes a tap at its centre (nothing lies over a rated segment, a peak or a lane).
          expect((await untappableControls(page)).filter((c) => /tl-|timeline|peak/.test(c))).toEqual([]);
        }
        // axe (WCAG 2.1 AA and best practice) on the timeline, with a segment selected, in light and dark colours.
        const findings = await axeViolations(page);
        expect(findings).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });
});
