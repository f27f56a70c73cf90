/**
 * Your own videos in the page (issue 20), end to end in Chromium: videos made
 * by the test with ffmpeg (WebM/VP9, MP4/H.264) dropped on the page, the
 * extractor's stand-in files given once (and remembered after a reload), each
 * video decoded with WebCodecs in the worker, extracted, listed and predicted;
 * the player linked both ways with the heatmap; the features (downloaded as a
 * TFRecord) against the float64 reference on the frames the browser decoded,
 * on wasm and on WebGPU, within one quantization level per value; the page's
 * features against the command line's for one video within the README's
 * tolerance; bad files each one sentence naming them, earlier videos kept.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeatureFile } from '../src/core/features/read';
import { asStored, pcaNpyFiles, referenceExtract, standInPca, type StandInPca, writeTgz } from '../tools/testing/extractorFixtures';
import { inceptionStandIn, type StandIn } from '../tools/testing/inceptionStandIn';
import { constNode, referenceRun, writeGraphDef } from '../tools/testing/tfGraph';
import { makeVideo } from '../tools/testing/testVideos';
import {
  axeViolations,
  buildAndServe,
  dropFiles,
  horizontalOverflow,
  launchChromium,
  newPage,
  OUTPUT,
  ROOT,
  screenshot,
  type ServedApp,
  waitForDone,
  waitUntilReady,
} from './support/app';

const run = promisify(execFile);

let app: ServedApp;
let browser: Browser;
let dir: string;
let standIn: StandIn;
let pca: StandInPca;
const p = (name: string) => path.join(dir, name);
const bytesOf = async (name: string) => ({ name, bytes: new Uint8Array(await readFile(p(name))) });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'alstm-videos-e2e-'));
  standIn = inceptionStandIn({ size: 'small', seed: 7 });
  await writeFile(p('inception-2015-12-05.tgz'), await writeTgz([{ name: 'classify_image_graph_def.pb', bytes: standIn.bytes }]));
  const walk = await makeVideo(dir, 'walk.webm', { width: 64, height: 48, count: 100, rate: '30000/1001', seed: 1, codec: 'vp9' });
  await makeVideo(dir, 'dog.mp4', { width: 64, height: 48, count: 60, rate: '25/2', seed: 2, codec: 'h264' });
  await makeVideo(dir, 'smooth.mp4', { width: 64, height: 48, count: 40, rate: '25/2', seed: 4, codec: 'h264', noise: 0 });
  for (let i = 0; i < 6; i++)
    await makeVideo(dir, `clip${i}.webm`, { width: 40, height: 32, count: 25, rate: '10', seed: 20 + i, codec: 'vp9' });
  await makeVideo(dir, 'cat.webm', { width: 48, height: 48, count: 30, rate: '10', seed: 3, codec: 'vp9' });
  // 40 s at 2 fps: 40 frames taken (zoom along time needs more than 30); 300 s: the frame cap, long enough to cancel halfway.
  await makeVideo(dir, 'street.webm', { width: 48, height: 32, count: 80, rate: '2', seed: 5, codec: 'vp9' });
  await makeVideo(dir, 'long.webm', { width: 40, height: 32, count: 600, rate: '2', seed: 6, codec: 'vp9' });
  await writeFile(p('videos.csv'), 'clip0.webm,2\nclips/clip1.webm,4;5\n');
  const feats = [walk.frames[10], walk.frames[50]].map(
    (f) => referenceRun(standIn.nodes, 'DecodeJpeg', { shape: [48, 64, 3], data: Float64Array.from(f) }, 'pool_3/_reshape').data,
  );
  pca = standInPca(feats, 11, 1024);
  await writeFile(p('yt8m_pca.tgz'), await writeTgz(pcaNpyFiles(pca)));
  // Bad input: not a video, a truncated MP4, a GraphDef of another graph, a PCA of other shapes.
  await writeFile(p('notes.mp4'), new TextEncoder().encode('these are my notes, not a video'.repeat(40)));
  const dog = await readFile(p('dog.mp4'));
  await writeFile(p('cut.mp4'), dog.subarray(0, Math.floor(dog.length * 0.3)));
  await writeFile(
    p('classify_image_graph_def.pb'),
    writeGraphDef([constNode('x', { dtype: 'float32', shape: [1], data: [1], storage: 'values' })]),
  );
  const [mean, eigenvals] = pcaNpyFiles({
    ...pca,
    eigenvecs: pca.eigenvecs.subarray(0, 10 * 2048),
    eigenvals: pca.eigenvals.subarray(0, 10),
  });
  await writeTgz([mean, eigenvals]).then((b) => writeFile(p('small_pca.tgz'), b));
  await writeFile(
    p('eigenvecs.npy'),
    pcaNpyFiles({ ...pca, eigenvecs: pca.eigenvecs.subarray(0, 10 * 2048), eigenvals: pca.eigenvals.subarray(0, 10) })[2].bytes,
  );
  app = await buildAndServe('dist-videos');
  browser = await launchChromium({ webgpu: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Drops the videos (and any labels CSV among them), gives the extractor files if asked, types the labels and starts. */
async function extract(page: Page, videos: string[], labels = '', beforeStart?: () => Promise<void>) {
  await dropFiles(page, await Promise.all(videos.map(bytesOf)));
  const staged = page.locator('[data-testid=staged-videos]');
  await staged.waitFor();
  if (await page.locator('[data-testid=extractor-files]').count()) {
    await page.locator('[data-testid=extractor-input]').setInputFiles([p('inception-2015-12-05.tgz'), p('yt8m_pca.tgz')]);
  }
  await page.locator('[data-testid=video-labels]').fill(labels);
  await beforeStart?.();
  await page.locator('[data-testid=extract-start]:not([disabled])').click();
}

/** Selects a listed video by its id. */
async function selectVideo(page: Page, id: string, file: string) {
  await page.locator('[data-testid=video-row]', { has: page.locator('.video-id', { hasText: new RegExp(`^${id}$`) }) }).click();
  await expect.poll(() => page.locator('[data-testid=video-detail]').getAttribute('data-key')).toBe(`${file}#0`);
}

async function finished(page: Page, name: string, timeout = 300_000): Promise<string> {
  const item = page.locator(`[data-testid=extraction-item][data-name="${name}"]`);
  await expect.poll(() => item.getAttribute('data-state'), { timeout, interval: 500 }).toMatch(/done|error|cancelled/);
  return (await item.getAttribute('data-state'))!;
}

/** The frames the page's extraction takes of a video, decoded in the page's worker (its test hooks). */
async function browserFrames(page: Page, name: string) {
  const worker = page.workers().find((w) => w.url().includes('worker'))!;
  const b64 = (await readFile(p(name))).toString('base64');
  type Hooks = {
    playgroundTestHooks: {
      takenFrames(bytes: Uint8Array, name: string): Promise<{ times: number[]; width: number; height: number; rgb: string[] }>;
    };
  };
  const out = await worker.evaluate(
    ([data, n]) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      return (self as unknown as Hooks).playgroundTestHooks.takenFrames(bytes, n);
    },
    [b64, name] as const,
  );
  return { ...out, frames: out.rgb.map((s) => new Uint8Array(Buffer.from(s, 'base64'))) };
}

async function downloadTfRecord(page: Page, saveAs: string): Promise<Uint8Array> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=download-tfrecord]').click()]);
  const file = path.join(OUTPUT, 'downloads', saveAs);
  await dl.saveAs(file);
  return new Uint8Array(await readFile(file));
}

/** The largest difference, in quantization levels, between the page's features and the float64 reference on the browser's frames. */
function worstLevels(rgb: ArrayLike<number>, frames: Uint8Array[], width: number, height: number): number {
  const stored = asStored(pca);
  let worst = 0;
  frames.forEach((f, t) => {
    const want = referenceExtract(standIn.nodes, stored, { width, height, data: f }).quantized;
    for (let j = 0; j < 1024; j++) worst = Math.max(worst, Math.abs(rgb[t * 1024 + j] - want[j]));
  });
  return worst;
}

/** The page's features for a video it extracted against the command line's (npm run extract), and the frames' pixels against ffmpeg's rgb24. */
async function pageAgainstCli(page: Page, name: string): Promise<{ mean: number; worst: number; pixels: number }> {
  if (!(await page.locator(`[data-testid=extraction-item][data-name="${name}"]`).count())) {
    await extract(page, [name]);
    expect(await finished(page, name, 600_000)).toBe('done');
  }
  const stem = name.replace(/\.[^.]+$/, '');
  await selectVideo(page, stem, name);
  const out = p(`${name}-cli.tfrecord`);
  const tsx = path.join(ROOT, 'node_modules/.bin/tsx');
  await run(
    tsx,
    [
      path.join(ROOT, 'src/cli/extract.ts'),
      '--inception',
      p('inception-2015-12-05.tgz'),
      '--pca',
      p('yt8m_pca.tgz'),
      '--out',
      out,
      p(name),
    ],
    { cwd: ROOT, maxBuffer: 64 << 20 },
  );
  const [c] = readFeatureFile(new Uint8Array(await readFile(out)), out).videos;
  const media = page.locator(`[data-testid=video-media]`);
  await media.waitFor();
  const [v] = readFeatureFile(await downloadTfRecord(page, `${name}-page.tfrecord`), name).videos;
  expect(c.frames).toBe(v.frames);
  let sum = 0;
  let worst = 0;
  for (let i = 0; i < v.rgb.length; i++) {
    const d = Math.abs(v.rgb[i] - c.rgb[i]);
    sum += d;
    worst = Math.max(worst, d);
  }
  // ffmpeg's rgb24 frames at the times the page took.
  const decoded = await browserFrames(page, name);
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', p(name), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 256 << 20,
  });
  const size = decoded.width * decoded.height * 3;
  const fps = 12.5;
  let pixelSum = 0;
  decoded.frames.forEach((f, t) => {
    const at = Math.round(decoded.times[t] * fps) * size;
    for (let i = 0; i < size; i++) pixelSum += Math.abs(f[i] - stdout[at + i]);
  });
  return { mean: sum / v.rgb.length, worst, pixels: pixelSum / (size * decoded.frames.length) };
}

describe('your own videos in the page', () => {
  it("wasm: a dropped WebM is extracted in the worker, listed, predicted; its player and heatmap follow each other; its features match the reference on the browser's frames", async () => {
    const { page, errors, foreign } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm&testhooks=1`);
      await waitUntilReady(page);
      await extract(page, ['walk.webm'], '1, 3');
      expect(await finished(page, 'walk.webm')).toBe('done');
      await waitForDone(page, 1);
      const media = page.locator('[data-testid=video-media]');
      await media.waitFor();
      // 100 frames at 29.97 fps: 3.3 s, frames 0, 30, 60, 90 taken.
      await expect.poll(() => page.locator('[data-testid=filmstrip] button').count()).toBe(4);
      await screenshot(page, 'video-detail', '[data-testid=video-detail]');
      expect(await axeViolations(page)).toEqual([]);

      // The heatmap seeks the player: frame 2 is at 60 * 1001/30000 s.
      await page
        .locator('[data-testid=heatmap-rgb] .hm-track')
        .first()
        .click({
          position: { x: 5 + (2 / 4) * (await page.locator('[data-testid=heatmap-rgb] .hm-track').first().boundingBox())!.width, y: 10 },
        });
      const player = page.locator('[data-testid=video-player]');
      await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(2.002, 2);
      // The player moves the cursor: at 3.2 s the frame shown is frame 3 (3.003 s).
      await player.evaluate((v: HTMLVideoElement) => {
        v.currentTime = 3.2;
      });
      await expect.poll(() => page.locator('[data-testid=heatmap-cursor]').first().getAttribute('data-t')).toBe('3');
      // A filmstrip frame seeks too.
      await page.locator('[data-testid=filmstrip] button[data-t="1"]').click();
      await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(1.001, 2);

      const record = readFeatureFile(await downloadTfRecord(page, 'walk.tfrecord'), 'walk.tfrecord');
      expect(record.warnings).toEqual([]);
      const [v] = record.videos;
      expect([v.id, v.frames, v.labels]).toEqual(['walk', 4, [1, 3]]);
      const decoded = await browserFrames(page, 'walk.webm');
      expect(decoded.times).toEqual([0, 1.001, 2.002, 3.003]);
      expect(worstLevels(v.rgb, decoded.frames, decoded.width, decoded.height)).toBeLessThanOrEqual(1);

      // Bad videos: one sentence naming each; the earlier video stays.
      await extract(page, ['notes.mp4', 'cut.mp4']);
      expect(await finished(page, 'notes.mp4')).toBe('error');
      await finished(page, 'cut.mp4');
      const notes = await page.locator('[data-testid=extraction-item][data-name="notes.mp4"] .extraction-status').textContent();
      expect(notes).toMatch(/^notes\.mp4: [^\n]+$/);
      expect(notes).not.toMatch(/ at |Error:/);
      const cut = page.locator('[data-testid=extraction-item][data-name="cut.mp4"]');
      const cutText = (await cut.textContent()) ?? '';
      expect(cutText).toMatch(/cut\.mp4/);
      await expect.poll(() => page.locator('[data-testid=list-summary]').textContent()).toMatch(/^\d+ videos?/);
      expect(await page.locator('[data-testid=list-summary]').textContent()).toMatch(/predicted/);

      // After a reload the extractor files are not asked for again.
      await page.reload();
      await waitUntilReady(page);
      await dropFiles(page, [await bytesOf('cat.webm')]);
      await page.locator('[data-testid=staged-videos]').waitFor();
      await expect.poll(() => page.locator('[data-testid=extract-start]:not([disabled])').count()).toBe(1);
      expect(await axeViolations(page)).toEqual([]);
      expect(await page.locator('[data-testid=extractor-files]').count()).toBe(0);
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await page.close();
    }
  }, 900_000);

  it("the segment timeline and the player follow each other (a click, Enter, playing), and the timeline keeps to the heatmap's columns at every zoom, scrolling with it", async () => {
    const { page, errors, foreign } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      await extract(page, ['street.webm']);
      expect(await finished(page, 'street.webm')).toBe('done');
      await waitForDone(page, 1);
      await page.locator('[data-testid=video-media]').waitFor();
      await page.locator('[data-testid=timeline-lanes]').waitFor({ timeout: 120_000 });
      const player = page.locator('[data-testid=video-player]');
      const time = () => player.evaluate((v: HTMLVideoElement) => v.currentTime);
      const lane = page.locator('[data-testid=timeline-lane]').first();
      const plot = lane.getByRole('slider');

      // A click on second 12 of a lane seeks the video there (frames are taken at 0, 1, 2, ... s) and selects its window (10–14 s).
      const box = (await plot.boundingBox())!;
      await plot.click({ position: { x: (12.5 / 40) * box.width, y: box.height / 2 } });
      await expect.poll(time).toBeCloseTo(12, 2);
      await expect
        .poll(() => page.locator('.attention-card [data-testid=heatmap-selection]').first().getAttribute('data-start'))
        .toBe('10');
      // Playing moves the cursor on every lane, as on the heatmap.
      await player.evaluate((v: HTMLVideoElement) => {
        v.currentTime = 25.3;
      });
      await expect.poll(() => lane.locator('[data-testid=timeline-cursor]').getAttribute('data-t')).toBe('25');
      expect(await page.locator('[data-testid=timeline-cursor]').count()).toBe(await page.locator('[data-testid=timeline-lane]').count());
      // Keyboard: Enter on a lane's window seeks to its start; a rated segment or a peak seeks too.
      await plot.focus();
      await page.keyboard.press('Home');
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Enter');
      await expect.poll(time).toBeCloseTo(15, 2);
      await lane.locator('[data-testid=timeline-peak]').click();
      const peak = /peak (\d+):(\d\d)/.exec((await lane.locator('[data-testid=timeline-peak]').textContent()) ?? '')!;
      await expect.poll(time).toBeCloseTo(Number(peak[1]) * 60 + Number(peak[2]), 2);

      // Zoom along time: the timeline follows the heatmap at every level, each second under the same column.
      const heatTrack = page.locator('[data-testid=heatmap-rgb] .hm-track').first();
      const laneTrack = lane.locator('.tl-track');
      const aligned = async () => {
        const [h, l] = [(await heatTrack.boundingBox())!, (await laneTrack.boundingBox())!];
        return [Math.round(h.x - l.x), Math.round(h.width - l.width)];
      };
      expect(await aligned()).toEqual([0, 0]);
      for (const level of ['2', '4', '8']) {
        await page.getByRole('button', { name: /^Zoom in along time/ }).click();
        await expect.poll(() => page.locator('[data-testid=timeline-lanes]').getAttribute('data-zoom')).toBe(level);
        expect(await page.locator('.attention-card [data-testid=heatmap]').getAttribute('data-zoom')).toBe(level);
        expect(await aligned()).toEqual([0, 0]);
      }
      // Scrolled sideways, either one, the other follows, and the cursors stay in one column.
      await page
        .locator('.attention-card .hm-scroll')
        .first()
        .evaluate((el) => {
          el.scrollLeft = 400;
        });
      await expect.poll(() => page.locator('[data-testid=timeline-scroll]').evaluate((el) => Math.round(el.scrollLeft))).toBe(400);
      await page.locator('[data-testid=timeline-scroll]').evaluate((el) => {
        el.scrollLeft = 700;
      });
      await expect
        .poll(() =>
          page
            .locator('.attention-card .hm-scroll')
            .first()
            .evaluate((el) => Math.round(el.scrollLeft)),
        )
        .toBe(700);
      await page.locator('[data-testid=timeline-scroll]').evaluate((el) => {
        el.scrollLeft = 0;
      });
      await player.evaluate((v: HTMLVideoElement) => {
        v.currentTime = 6.2;
      });
      await expect.poll(() => lane.locator('[data-testid=timeline-cursor]').getAttribute('data-t')).toBe('6');
      const x = async (sel: string) => {
        const b = (await page.locator(sel).first().boundingBox())!;
        return Math.round(b.x + b.width / 2);
      };
      expect(await x('[data-testid=heatmap-rgb] [data-testid=heatmap-cursor]')).toBe(
        await x('[data-testid=timeline-lane] [data-testid=timeline-cursor]'),
      );
      // Playing past the part in view brings both along: the cursor stays in sight.
      await player.evaluate((v: HTMLVideoElement) => {
        v.currentTime = 36.5;
      });
      await expect.poll(() => page.locator('[data-testid=timeline-scroll]').evaluate((el) => el.scrollLeft)).toBeGreaterThan(1000);
      const inView = async (sel: string) => {
        const [s, c] = [
          (await page.locator(sel).first().boundingBox())!,
          await x(`${sel} [data-testid=${sel.includes('timeline') ? 'timeline' : 'heatmap'}-cursor]`),
        ];
        return c > s.x && c < s.x + s.width;
      };
      await expect.poll(() => inView('.attention-card .hm-scroll')).toBe(true);
      expect(await inView('[data-testid=timeline-scroll]')).toBe(true);
      expect(await x('[data-testid=heatmap-rgb] [data-testid=heatmap-cursor]')).toBe(
        await x('[data-testid=timeline-lane] [data-testid=timeline-cursor]'),
      );
      await page.getByRole('button', { name: /^Zoom out along time/ }).click();
      await expect.poll(() => page.locator('[data-testid=timeline-lanes]').getAttribute('data-zoom')).toBe('4');
      expect(await aligned()).toEqual([0, 0]);

      await page.addStyleTag({ content: '.header { position: static !important; }' });
      // The card whole in the viewport: a screenshot of an element taller than it is re-rendered with its inner scrollers at 0.
      await page.setViewportSize({ width: page.viewportSize()!.width, height: 1400 });
      await expect.poll(() => inView('.attention-card .hm-scroll')).toBe(true);
      await screenshot(page, 'timeline-player-light', '.attention-card');
      expect(await axeViolations(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, 'timeline-player-dark', '.attention-card');
      expect(await axeViolations(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'light' });
      await page.setViewportSize({ width: 390, height: 1800 });
      await expect.poll(aligned).toEqual([0, 0]);
      await screenshot(page, 'timeline-player-phone', '.attention-card');
      expect((await horizontalOverflow(page)).past).toEqual([]);
      expect(errors).toEqual([]);
      expect(foreign).toEqual([]);
    } finally {
      await page.close();
    }
  }, 900_000);

  it('a labels CSV dropped with the videos labels those it names (the typed labels the rest); Cancel stops one video halfway, and the others and their results stay', async () => {
    const { page, errors } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      await extract(page, ['clip0.webm', 'long.webm', 'clip1.webm', 'videos.csv'], '1', async () => {
        await expect
          .poll(() => page.locator('[data-testid=labels-csv]').textContent())
          .toMatch(/videos\.csv labels 2 of the 3 videos by file name; the labels typed above label the others/);
      });
      expect(await finished(page, 'clip0.webm')).toBe('done');
      const long = page.locator('[data-testid=extraction-item][data-name="long.webm"]');
      await expect.poll(() => long.getAttribute('data-state'), { timeout: 300_000, interval: 200 }).toBe('decoding');
      await expect
        .poll(async () => /frame ([1-9]\d*) of 300/.test((await long.textContent()) ?? ''), { timeout: 300_000, interval: 200 })
        .toBe(true);
      await long.getByRole('button', { name: 'Cancel long.webm' }).click();
      expect(await finished(page, 'long.webm')).toBe('cancelled');
      expect(await long.locator('.extraction-status').textContent()).toBe('cancelled');
      // The queue goes on after the cancelled video.
      expect(await finished(page, 'clip1.webm')).toBe('done');
      await waitForDone(page, 2);
      expect(await page.locator('[data-testid=video-row]').count()).toBe(2);
      expect(await page.locator('[data-testid=video-row] .video-id').allTextContents()).toEqual(expect.arrayContaining(['clip0', 'clip1']));
      // Each listed with its labels: clip0 by its row, clip1 by its file name under another folder.
      for (const [id, labels] of [
        ['clip0', [2]],
        ['clip1', [4, 5]],
      ] as const) {
        await selectVideo(page, id, `${id}.webm`);
        const [v] = readFeatureFile(await downloadTfRecord(page, `${id}-csv.tfrecord`), `${id}.tfrecord`).videos;
        expect(v.labels).toEqual(labels);
      }
      expect(await page.locator('[data-testid=extraction-item][data-name="clip0.webm"]').getAttribute('data-state')).toBe('done');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 900_000);

  it('fine-tunes on clips extracted in the page, labelled at drop time by class name', async () => {
    const { page, errors } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      await extract(page, ['clip0.webm', 'clip1.webm', 'clip2.webm'], 'lightning');
      await extract(page, ['clip3.webm', 'clip4.webm', 'clip5.webm'], 'Applause');
      for (let i = 0; i < 6; i++) expect(await finished(page, `clip${i}.webm`)).toBe('done');
      await waitForDone(page, 6);
      const card = page.locator('[data-testid=training]');
      await expect
        .poll(() => card.locator('[data-testid=training-cost]').textContent(), { timeout: 60_000 })
        .toMatch(/6 labeled videos of 6/);
      await page.getByLabel('Epochs').fill('3');
      await card.getByRole('button', { name: 'Start' }).click();
      await card
        .locator('[data-state=done]')
        .or(page.locator('[data-testid=training][data-state=done]'))
        .first()
        .waitFor({ timeout: 300_000 });
      const losses = await card
        .locator('[data-testid=epoch-table] tbody tr')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-train-loss'))));
      expect(losses).toHaveLength(3);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 900_000);

  it('bad extractor files: another graph, a PCA of other shapes, each one sentence naming the file', async () => {
    const { page } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=wasm`);
      await waitUntilReady(page);
      await page.evaluate(
        () =>
          new Promise((r) => {
            const q = indexedDB.deleteDatabase('attention-lstm-extractor');
            q.onsuccess = q.onerror = q.onblocked = r;
          }),
      );
      await page.reload();
      await waitUntilReady(page);
      await dropFiles(page, [await bytesOf('cat.webm')]);
      await page.locator('[data-testid=extractor-files]').waitFor();
      await page.locator('[data-testid=extractor-input]').setInputFiles([p('classify_image_graph_def.pb'), p('yt8m_pca.tgz')]);
      await expect
        .poll(() => page.locator('[data-testid=notices] .notice').allTextContents(), { timeout: 60_000 })
        .toContainEqual(expect.stringMatching(/classify_image_graph_def\.pb/));
      await page.locator('[data-testid=extractor-input]').setInputFiles([p('inception-2015-12-05.tgz'), p('small_pca.tgz')]);
      await expect
        .poll(() => page.locator('[data-testid=notices] .notice').allTextContents(), { timeout: 60_000 })
        .toContainEqual(expect.stringMatching(/small_pca\.tgz/));
      expect(await page.locator('[data-testid=extract-start]:not([disabled])').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 600_000);

  it("webgpu: the page's features match the reference on the browser's frames; the command line's features for the same video agree within the README's tolerance", async () => {
    const { page } = await newPage(browser, app.origin);
    try {
      await page.goto(`${app.origin}/?backend=webgpu&testhooks=1`);
      await waitUntilReady(page, 600_000);
      await extract(page, ['dog.mp4']);
      expect(await finished(page, 'dog.mp4', 600_000)).toBe('done');
      await page.locator('[data-testid=video-media]').waitFor();
      const [v] = readFeatureFile(await downloadTfRecord(page, 'dog-webgpu.tfrecord'), 'dog.tfrecord').videos;
      const decoded = await browserFrames(page, 'dog.mp4');
      expect(decoded.times.length).toBe(v.frames);
      expect(worstLevels(v.rgb, decoded.frames, decoded.width, decoded.height)).toBeLessThanOrEqual(1);

      // The command line on the same files: ffmpeg converts colour its own way (docs/extractor.md states the tolerance).
      for (const name of ['dog.mp4', 'smooth.mp4']) {
        const { mean, worst, pixels } = await pageAgainstCli(page, name);
        process.stderr.write(
          `page (webgpu) vs command line, ${name}: features differ by ${mean.toFixed(2)} levels on average (worst ${worst}); frame pixels by ${pixels.toFixed(2)} levels on average\n`,
        );
        // The tolerance docs/extractor.md and the README state: frames within 3 levels a channel on average, features within 10 quantization levels a value on average.
        expect(pixels).toBeLessThanOrEqual(3);
        expect(mean).toBeLessThanOrEqual(10);
      }
    } finally {
      await page.close();
    }
  }, 900_000);
});
