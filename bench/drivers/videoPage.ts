/**
 * A 300-second video extracted in the page (issue 20, item 6): how long the
 * main thread is ever busy while the worker decodes and extracts it
 * (PerformanceObserver 'longtask', every task over 50 ms), the frames a
 * second, and the page's memory. The Inception stand-in (small, random
 * weights) and a 160x120 VP9 video at 2 fps made with ffmpeg (600 frames
 * decoded, 300 taken). Writes bench/results/results-video-page.json and
 * prints a Markdown row; docs/extractor.md quotes it.
 *
 *   npm run bench:video-page [-- --backend wasm|webgpu]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildAndServe, launchChromium, ROOT, waitUntilReady } from '../../e2e/support/app';
import { pcaNpyFiles, standInPca, writeTgz } from '../../tools/testing/extractorFixtures';
import { inceptionStandIn } from '../../tools/testing/inceptionStandIn';
import { referenceRun } from '../../tools/testing/tfGraph';
import { makeVideo } from '../../tools/testing/testVideos';

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' } } });
const log = (m: string) => process.stderr.write(m + '\n');

const OBSERVE = `
  window.__longTasks = [];
  window.__longTaskStarts = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) { window.__longTasks.push(e.duration); window.__longTaskStarts.push(e.startTime); } }).observe({ type: 'longtask', buffered: true });
  // When the video's extraction ends and when its detail shows it: to tell which long task belongs to what.
  window.__marks = {};
  new MutationObserver(() => {
    if (!window.__marks.done && document.querySelector('[data-testid=extraction-item][data-state=done]')) window.__marks.done = performance.now();
    if (!window.__marks.media && document.querySelector('[data-testid=video-media]')) window.__marks.media = performance.now();
    if (!window.__marks.predicted && document.querySelector('[data-testid=video-row][data-status=done]')) window.__marks.predicted = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true });
`;

const dir = await mkdtemp(path.join(tmpdir(), 'alstm-bench-video-'));
const load0 = loadavg();
try {
  const standIn = inceptionStandIn({ size: 'small', seed: 7 });
  await writeFile(
    path.join(dir, 'inception-2015-12-05.tgz'),
    await writeTgz([{ name: 'classify_image_graph_def.pb', bytes: standIn.bytes }]),
  );
  log('making a 300-second video (160x120, 2 fps, VP9) ...');
  const video = await makeVideo(dir, 'long.webm', { width: 160, height: 120, count: 600, rate: '2', seed: 1, codec: 'vp9' });
  const feats = [video.frames[0], video.frames[300]].map(
    (f) => referenceRun(standIn.nodes, 'DecodeJpeg', { shape: [120, 160, 3], data: Float64Array.from(f) }, 'pool_3/_reshape').data,
  );
  await writeFile(path.join(dir, 'yt8m_pca.tgz'), await writeTgz(pcaNpyFiles(standInPca(feats, 11, 1024))));

  const app = await buildAndServe('dist-bench-video');
  const browser = await launchChromium({ webgpu: values.backend === 'webgpu' });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    await context.addInitScript(OBSERVE);
    const page = await context.newPage();
    page.setDefaultTimeout(600_000);
    await page.goto(`${app.origin}/?backend=${values.backend}`);
    await waitUntilReady(page, 600_000);
    await page
      .locator('[data-testid=video-input]')
      .first()
      .setInputFiles([path.join(dir, 'long.webm')]);
    await page
      .locator('[data-testid=extractor-input]')
      .setInputFiles([path.join(dir, 'inception-2015-12-05.tgz'), path.join(dir, 'yt8m_pca.tgz')]);
    const t0 = await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[]; __longTaskStarts: number[] };
      w.__longTasks.length = 0;
      w.__longTaskStarts.length = 0;
      return performance.now();
    });
    const started = Date.now();
    await page.locator('[data-testid=extract-start]:not([disabled])').click();
    const item = page.locator('[data-testid=extraction-item][data-name="long.webm"]');
    await item.and(page.locator('[data-state=done], [data-state=error]')).waitFor({ timeout: 1_800_000 });
    const seconds = (Date.now() - started) / 1000;
    const state = await item.getAttribute('data-state');
    if (state !== 'done') throw new Error(`long.webm: ${await item.textContent()}`);
    const frames = await page.locator('[data-testid=filmstrip] button').count();
    await page.locator('[data-testid=video-row][data-status=done]').waitFor();
    await page.waitForTimeout(2000);
    const { longTasks, starts, marks } = await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[]; __longTaskStarts: number[]; __marks: Record<string, number> };
      return { longTasks: w.__longTasks, starts: w.__longTaskStarts, marks: w.__marks };
    });
    log(
      `long tasks (ms after Extract: duration): ${longTasks.map((d, i) => `${(starts[i] - t0).toFixed(0)}: ${d.toFixed(0)}`).join(', ') || 'none'}`,
    );
    log(
      `marks (ms after Extract): ${Object.entries(marks)
        .map(([k, v]) => `${k} ${(v - t0).toFixed(0)}`)
        .join(', ')}`,
    );
    const heapMB = await page.evaluate(
      () => ((performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0) / 2 ** 20,
    );
    const result = {
      date: new Date().toISOString(),
      backend: values.backend,
      video: '300 s, 160x120, 2 fps, VP9 (600 frames decoded)',
      framesTaken: frames,
      seconds,
      framesPerSecond: frames / seconds,
      longTasks: longTasks.length,
      longestTaskMs: longTasks.length ? Math.max(...longTasks) : 0,
      tasksOver100ms: longTasks.filter((d) => d > 100).length,
      pageHeapMB: heapMB,
      loadAverage: [load0[0], loadavg()[0]],
    };
    log(JSON.stringify(result, null, 2));
    const file = path.join(ROOT, 'bench/results/results-video-page.json');
    const previous = await readFile(file, 'utf8')
      .then((t) => JSON.parse(t) as unknown[])
      .catch(() => []);
    await writeFile(file, JSON.stringify([...previous, result], null, 2) + '\n');
    // Baseline: the same features dropped as a TFRecord on a fresh page, so that the tasks of showing a 300-frame video's detail are told from extraction's.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid=download-tfrecord]').click()]);
    const tfrecord = path.join(dir, 'long.tfrecord');
    await dl.saveAs(tfrecord);
    await page.reload();
    await waitUntilReady(page, 600_000);
    const t1 = await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[]; __longTaskStarts: number[] };
      w.__longTasks.length = 0;
      w.__longTaskStarts.length = 0;
      return performance.now();
    });
    await page.locator('[data-testid=feature-input]').first().setInputFiles([tfrecord]);
    await page.locator('[data-testid=video-row][data-status=done]').waitFor();
    await page.waitForTimeout(2000);
    const base = await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[]; __longTaskStarts: number[] };
      return { longTasks: w.__longTasks, starts: w.__longTaskStarts };
    });
    log(
      `baseline, the same features as a TFRecord: long tasks (ms after the drop: duration): ${base.longTasks.map((d, i) => `${(base.starts[i] - t1).toFixed(0)}: ${d.toFixed(0)}`).join(', ') || 'none'}`,
    );
    Object.assign(result, {
      baselineLongTasks: base.longTasks.length,
      baselineLongestTaskMs: base.longTasks.length ? Math.max(...base.longTasks) : 0,
    });
    await writeFile(file, JSON.stringify([...previous, result], null, 2) + '\n');
    process.stdout.write(
      `| ${result.backend} | ${frames} | ${seconds.toFixed(0)} s | ${result.framesPerSecond.toFixed(2)} | ${result.longTasks} | ${result.longestTaskMs.toFixed(0)} ms | ${result.tasksOver100ms} | ${heapMB.toFixed(0)} MB | ${load0[0].toFixed(1)} |\n`,
    );
    await context.close();
  } finally {
    await browser.close();
    await app.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
