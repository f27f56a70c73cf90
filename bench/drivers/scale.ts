/**
 * Whole YouTube-8M shards, as a researcher loads them: seeded shards of 1,000
 * videos (150-300 frames, about 260 MB each), 1 and 3 at once, with the demo
 * model,
 * - on the command line: `npm run evaluate` (its wall time and peak resident size);
 *   and on a segment-rated shard of the same shape, `npm run evaluate` at
 *   video level against `npm run evaluate -- --segments` (windows alone, hop
 *   5; with the video figures too; windows alone at hop 1), interleaved
 *   --segment-reps times, medians and ratios to the video-level run;
 * - in the page (production build, headless Chromium) on wasm and on WebGPU:
 *   the time from picking the files to every video predicted, the browser's
 *   memory (Pss of all its processes) at rest and at its peak, the longest
 *   main-thread task (PerformanceObserver 'longtask') and how long clicks on
 *   the video list take to be answered (Event Timing: input to next paint),
 *   clicking a row every 700 ms while the shards load and predict;
 * - the page `npm start` opens (the vite dev server: unbundled modules,
 *   React's development build) with a second process keeping one core busy
 *   (a busy-loop child), one shard (--dev-videos of it for a shorter run):
 *   the same long tasks and clicks, the rows "dev page, one core busy"
 *   (--dev-runs of them). The targets: no task over 200 ms, every click
 *   answered within 200 ms.
 * Every page run is traced (bench/helpers/longTaskTrace.ts): each row keeps its
 * longest main-thread tasks with what started them, their time by kind (script,
 * GC, style and layout, paint), their own CPU time (on a loaded machine much of
 * a task's wall time is waiting for a core), and in the first dev run (sampled
 * by V8's profiler, which lengthens every task) our functions and React
 * components in them. LONG_TASK_TRACE=<prefix> keeps the raw traces;
 * bench/drivers/longTasks.ts attributes a saved one again.
 * And the full-size model (random weights, bench/helpers/fullSizeFixture.ts)
 * on 32 videos of 300 down to 60 frames, as users run it and in-process, at
 * 1 thread: `npm run evaluate` (whole process) against its engine loaded once
 * (bench/helpers/simdServe.ts); the page (production build, wasm, the model
 * loaded by ?model= and ready) from picking the file to all 32 predicted,
 * against the page's engine in-process (the kernel harness's wasm page, as the
 * playground's worker starts it: tools/kernelHarness/wasmPage.ts, the same
 * videos' lengths, one batch), each `--fullsize-runs` times, interleaved.
 * - in the page on the segment-rated shard: the time until every rated video's
 *   windows are ranked (the segment MAP complete, hop 5) against the page's
 *   video-level run on the plain shard, then hop 1 chosen on the timeline;
 * Writes bench/results/results-scale.json (and the segment rows, when run,
 * bench/results/results-segments.json) and prints them; `--videos N` (a
 * smaller shard) smoke-tests the drivers and writes nothing.
 *
 *   npm run bench:scale [-- --backends wasm,webgpu --shards 1,3 --page-timeout 900 --segment-reps 3 --fullsize-runs 3
 *                          --skip-cli --skip-page --skip-segments --skip-fullsize --skip-dev --dev-videos 1000 --videos 1000]
 *   npm run bench:scale -- --fullsize-only     (the full-size rows alone, merged into results-scale.json)
 *   npm run bench:scale -- --dev-only          (the dev page's rows alone, merged into results-scale.json)
 *   npm run bench:scale -- --page-only --backends wasm --shards 1   (those production page rows alone, merged)
 */
import { execFile, spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { buildAndServe, launchChromium, OUTPUT, ROOT, type ServedApp, waitUntilReady } from '../../e2e/support/app';
import { openHarness } from '../../tools/kernelHarness/browser';
import { fullSizeFixture } from '../helpers/fullSizeFixture';
import { inProcess, timed } from './cliSpeed';
import { chromiumMemoryBytes, samplePeak } from '../helpers/processMemory';
import { createServer } from 'vite';
import { SHARD_VIDEOS, segmentShards, shardOf, shards } from '../helpers/shards';
import { median } from '../helpers/stats';
import { type LongTask, startTrace, stopTrace, summarize, WINDOW_MARK } from '../helpers/longTaskTrace';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'wasm,webgpu' },
    shards: { type: 'string', default: '1,3' },
    'page-timeout': { type: 'string', default: '900' },
    'skip-cli': { type: 'boolean', default: false },
    'skip-page': { type: 'boolean', default: false },
    'skip-segments': { type: 'boolean', default: false },
    'segment-reps': { type: 'string', default: '3' },
    'fullsize-runs': { type: 'string', default: '3' },
    'skip-fullsize': { type: 'boolean', default: false },
    'fullsize-only': { type: 'boolean', default: false },
    'skip-dev': { type: 'boolean', default: false },
    'dev-only': { type: 'boolean', default: false },
    /** The production page's rows alone (--backends, --shards): they replace those of the same backend and shards. */
    'page-only': { type: 'boolean', default: false },
    'dev-videos': { type: 'string', default: String(SHARD_VIDEOS) },
    /**
     * Dev-page runs. Each is traced (bench/helpers/longTaskTrace.ts): the first with V8's sampling profiler (what
     * each long task ran: our functions, React's components; its cost lengthens every task), the others with the
     * timeline alone (what started each long task, and its time by kind: script, GC, style and layout, paint).
     */
    'dev-runs': { type: 'string', default: '3' },
    /** How many of the dev runs (the first ones) are sampled. */
    'dev-sampled': { type: 'string', default: '1' },
    /** The production page's runs with V8's sampling profiler (their counts then taken under its cost); else the timeline alone. */
    'page-trace': { type: 'boolean', default: false },
    /** Videos a shard (1,000 by default): a smaller number smoke-tests the drivers; its results are not written. */
    videos: { type: 'string', default: String(SHARD_VIDEOS) },
  },
});
const log = (s: string) => process.stderr.write(s + '\n');
const run = promisify(execFile);
const DEV_ONLY = values['dev-only']!;
const FULL_ONLY = values['fullsize-only']!;
const PAGE_ONLY = values['page-only']!;
/** One part alone: its rows replace those of the last run in results-scale.json, which keeps its others. */
const ONE_PART = FULL_ONLY || DEV_ONLY || PAGE_ONLY;
if (DEV_ONLY) Object.assign(values, { 'skip-cli': true, 'skip-page': true, 'skip-fullsize': true });
if (PAGE_ONLY) Object.assign(values, { 'skip-cli': true, 'skip-dev': true, 'skip-fullsize': true, 'skip-segments': true });
// The full-size rows alone: no command-line shard or segment rows (they would overwrite results-segments.json with theirs alone).
if (FULL_ONLY) Object.assign(values, { 'skip-dev': true, 'skip-cli': true, 'skip-page': true, 'skip-segments': true });
const VIDEOS = Number(values.videos);
const SMOKE = VIDEOS !== SHARD_VIDEOS;
const counts = ONE_PART && !PAGE_ONLY ? [] : values.shards!.split(',').map(Number);
const files = ONE_PART && !PAGE_ONLY ? [] : await shards(Math.max(...counts), log, VIDEOS);
const MB = 2 ** 20;

interface CliRun {
  where: 'cli';
  command: string;
  shards: number;
  videos: number;
  seconds: number;
  peakMB: number;
}
/** One segment row: the runs of one command on the segment-rated shard, interleaved with the others'. */
interface SegmentRow {
  where: 'cli-segments';
  command: string;
  shards: number;
  videos: number;
  windows: number | null;
  seconds: number[];
  medianSeconds: number;
  peakMB: number[];
  medianPeakMB: number;
  /** Median time over the video-level run's median on the same shard. */
  ratioToVideoLevel: number;
  /** CPU seconds (user + system) of each run, and the ratio of medians: steadier than the time on a shared machine. */
  cpuSeconds: number[];
  medianCpuSeconds: number;
  cpuRatioToVideoLevel: number;
}
/** What a page did while files loaded: its longest main-thread tasks and how long clicks took to be answered. */
interface Responsiveness {
  longestTaskMs: number;
  longTasksOver100: number;
  longTasksOver200: number;
  longTasksOver50: number;
  clicks: number;
  clickMedianMs: number | null;
  clickMaxMs: number | null;
  clicksOver200: number;
  /**
   * How the run was traced: 'sampled' (V8's sampling profiler: functions and components; its cost lengthens every
   * task), 'timeline' (what started each task and its time by kind, at little cost), or not at all.
   */
  traced: 'sampled' | 'timeline' | false;
  longTasks?: LongTask[];
}
/** The page `npm start` opens, with a busy-loop child process on one core. */
interface DevPageRun extends Responsiveness {
  where: 'dev page, one core busy';
  backend: string;
  videos: number;
  expected: number;
  finished: boolean;
  seconds: number;
  /** The one-minute load average per core before and after (the machine may be shared). */
  loadPerCore: [number, number];
}
interface PageRun {
  where: 'page';
  backend: string;
  shards: number;
  videos: number;
  finished: boolean;
  seconds: number;
  /** The backend running when all were predicted: a run that fell back (WebGPU failed) measured something else. */
  backendAtEnd: string;
  restMB: number;
  peakMB: number;
  growthMB: number;
  longestTaskMs: number;
  longTasksOver100: number;
  clicks: number;
  clickMedianMs: number | null;
  clickMaxMs: number | null;
  longTasksOver50?: number;
  longTasksOver200?: number;
  clicksOver200?: number;
  traced?: 'sampled' | 'timeline' | false;
  longTasks?: LongTask[];
}
/**
 * The page on the segment-rated shard: from picking the file, the time until
 * every video is predicted (video level) and until every rated video's
 * windows are ranked (hop 5: the segment MAP complete), against the page's
 * video-level run on the unrated shard of the same shape (`plainSeconds`);
 * then hop 1 chosen on the timeline, the time to rank every window again.
 */
interface PageSegmentRun {
  where: 'page-segments';
  backend: string;
  videos: number;
  finished: boolean;
  videoLevelSeconds: number;
  rankedSeconds: number;
  plainSeconds: number | null;
  ratio: number | null;
  hop1Seconds: number | null;
  restMB: number;
  /** The peak over the whole run, hop 1 included. */
  peakMB: number;
  growthMB: number;
  /** Growth until every window was ranked at hop 5, and the plain shard's run's growth, to compare with. */
  hop5GrowthMB: number;
  plainGrowthMB: number | null;
  backendAtEnd: string;
}

/** The full-size model on 32 videos: as users run it (whole process, or the page from picking the file) and in-process. */
interface FullSizeRun {
  where: 'fullsize';
  what: 'npm run evaluate' | 'cli engine in-process' | 'page, wasm' | 'page engine in-process';
  threads: number;
  videos: number;
  runs: number;
  secondsMedian: number;
  seconds: number[];
  note: string;
}
const results: (CliRun | PageRun | FullSizeRun | DevPageRun)[] = [];
const segmentRows: (SegmentRow | PageSegmentRun)[] = [];

// ---------------------------------------------------------------- command line

// The command line starts from its bundle, as `npm run evaluate` does; built once here so that no run times the build.
if (!values['skip-cli']) await run(process.execPath, ['scripts/cli.mjs', '--build'], { cwd: ROOT });

if (!values['skip-cli']) {
  for (const n of counts) {
    const args = [process.execPath, 'scripts/cli.mjs', 'evaluate', '--model', 'public/models/demo', ...files.slice(0, n)];
    const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'TIME %e %M', ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
    const [, seconds, kb] = /TIME ([\d.]+) (\d+)/.exec(stderr)!;
    const metrics = JSON.parse(stdout);
    const r: CliRun = {
      where: 'cli',
      command: 'npm run evaluate',
      shards: n,
      videos: metrics.videos,
      seconds: Number(seconds),
      peakMB: Number(kb) / 1024,
    };
    log(`cli evaluate, ${n} shard(s): ${r.videos} videos in ${r.seconds} s, peak ${r.peakMB.toFixed(0)} MB`);
    results.push(r);
  }
}

// ---------------------------------------------------------------- command line, segments

if (!values['skip-cli'] && !values['skip-segments']) {
  const [rated] = await segmentShards(1, log, VIDEOS);
  const variants = [
    { command: 'npm run evaluate', args: [] as string[] },
    { command: 'npm run evaluate -- --segments --segments-only (hop 5)', args: ['--segments', '--segments-only'] },
    { command: 'npm run evaluate -- --segments (hop 5, video figures too)', args: ['--segments'] },
    { command: 'npm run evaluate -- --segments --segments-only --hop 1', args: ['--segments', '--segments-only', '--hop', '1'] },
  ];
  const runs = variants.map(() => ({
    seconds: [] as number[],
    cpuSeconds: [] as number[],
    peakMB: [] as number[],
    videos: 0,
    windows: null as number | null,
  }));
  const reps = Number(values['segment-reps']);
  // Interleaved: each repetition runs every variant once, so a noisy minute touches them all alike.
  for (let rep = 0; rep < reps; rep++) {
    for (const [i, v] of variants.entries()) {
      const args = [process.execPath, 'scripts/cli.mjs', 'evaluate', '--model', 'public/models/demo', ...v.args, rated];
      const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'TIME %e %M %U %S', ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
      const [, seconds, kb, user, system] = /TIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr)!;
      const out = JSON.parse(stdout);
      runs[i].seconds.push(Number(seconds));
      runs[i].cpuSeconds.push(Number(user) + Number(system));
      runs[i].peakMB.push(Number(kb) / 1024);
      runs[i].videos = out.videos ?? out.segments.videos;
      runs[i].windows = out.segments?.windows ?? null;
      log(
        `cli segments, rep ${rep + 1}/${reps}: ${v.command}: ${seconds} s (${(Number(user) + Number(system)).toFixed(2)} s CPU), peak ${(Number(kb) / 1024).toFixed(0)} MB`,
      );
    }
  }
  const base = median(runs[0].seconds);
  const cpuBase = median(runs[0].cpuSeconds);
  variants.forEach((v, i) => {
    const r: SegmentRow = {
      where: 'cli-segments',
      command: v.command,
      shards: 1,
      videos: runs[i].videos,
      windows: runs[i].windows,
      seconds: runs[i].seconds,
      medianSeconds: median(runs[i].seconds),
      peakMB: runs[i].peakMB,
      medianPeakMB: median(runs[i].peakMB),
      ratioToVideoLevel: median(runs[i].seconds) / base,
      cpuSeconds: runs[i].cpuSeconds,
      medianCpuSeconds: median(runs[i].cpuSeconds),
      cpuRatioToVideoLevel: median(runs[i].cpuSeconds) / cpuBase,
    };
    log(
      `${v.command}: median ${r.medianSeconds.toFixed(1)} s (${r.ratioToVideoLevel.toFixed(2)}x video level; CPU ${r.medianCpuSeconds.toFixed(2)} s, ${r.cpuRatioToVideoLevel.toFixed(2)}x), peak ${r.medianPeakMB.toFixed(0)} MB`,
    );
    segmentRows.push(r);
  });
}

// ---------------------------------------------------------------- page

/** Installed before the page's own scripts: long tasks and the timing of clicks, kept on window. */
const OBSERVE = `
  window.__longTasks = [];
  window.__clicks = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'click') window.__clicks.push(e.duration); })
    .observe({ type: 'event', durationThreshold: 16, buffered: true });
`;

async function predicted(page: Page): Promise<{ total: number; done: number }> {
  const text =
    (await page
      .locator('[data-testid=list-summary]')
      .textContent()
      .catch(() => null)) ?? '';
  const m = /^([\d,]+) videos? · ([\d,]+) predicted/.exec(text);
  const num = (s: string) => Number(s.replace(/,/g, ''));
  return m ? { total: num(m[1]), done: num(m[2]) } : { total: 0, done: 0 };
}

const app = values['skip-page'] && values['skip-fullsize'] ? null : await buildAndServe('dist-bench-scale');
const browser = values['skip-page'] && values['skip-fullsize'] && values['skip-dev'] ? null : await launchChromium({ webgpu: true });
try {
  for (let i = 0; !values['skip-dev'] && browser && i < Number(values['dev-runs']); i++)
    results.push(await devPage(browser, Number(values['dev-videos']), i < Number(values['dev-sampled'])));
  for (const backend of app && browser && (!ONE_PART || PAGE_ONLY) && !values['skip-page'] ? values.backends!.split(',') : []) {
    for (const n of counts) {
      const context = await browser!.newContext({ viewport: { width: 1440, height: 1000 } });
      await context.addInitScript(OBSERVE);
      const page = await context.newPage();
      await page.goto(`${app!.origin}/?backend=${backend}`);
      await waitUntilReady(page, 300_000);
      await page.waitForTimeout(1500);
      const restMB = chromiumMemoryBytes() / MB;
      const peak = samplePeak(chromiumMemoryBytes);
      const expected = n * VIDEOS;
      const m = await loadAndClick(page, files.slice(0, n), expected, { browser: browser!, sampled: values['page-trace']! });
      const { seconds } = m;
      const peakMB = peak.stop() / MB;
      const backendAtEnd = (await page.locator('[data-testid=active-backend]').getAttribute('data-backend')) ?? '';
      const r: PageRun = {
        where: 'page',
        backend,
        shards: n,
        videos: m.done,
        finished: m.done >= expected,
        seconds,
        backendAtEnd,
        restMB,
        peakMB,
        growthMB: peakMB - restMB,
        longestTaskMs: m.longestTaskMs,
        longTasksOver100: m.longTasksOver100,
        clicks: m.clicks,
        clickMedianMs: m.clickMedianMs,
        clickMaxMs: m.clickMaxMs,
        longTasksOver50: m.longTasksOver50,
        longTasksOver200: m.longTasksOver200,
        clicksOver200: m.clicksOver200,
        traced: m.traced,
        ...(m.longTasks ? { longTasks: m.longTasks } : {}),
      };
      if (backendAtEnd !== backend)
        log(`page ${backend}: the page ended on ${backendAtEnd || 'no backend'}, so this run does not measure ${backend}`);
      log(
        `page ${backend}, ${n} shard(s): ${r.videos}/${expected} in ${seconds.toFixed(1)} s, memory ${restMB.toFixed(0)} -> ${peakMB.toFixed(0)} MB (+${r.growthMB.toFixed(0)}), ` +
          `longest task ${r.longestTaskMs.toFixed(0)} ms (${r.longTasksOver50} over 50, ${r.longTasksOver100} over 100), clicks ${m.clicks}, median ${r.clickMedianMs ?? '-'} max ${r.clickMaxMs ?? '-'} ms`,
      );
      results.push(r);
      await context.close();
    }
  }
  if (!values['skip-segments'] && app && browser && !FULL_ONLY) {
    const [rated] = await segmentShards(1, log, VIDEOS);
    for (const backend of values.backends!.split(',')) segmentRows.push(await pageSegments(app, browser, backend, rated));
  }
  if (!values['skip-fullsize'] && app && browser) results.push(...(await fullSize(app, browser, Number(values['fullsize-runs']))));
} finally {
  await browser?.close();
  await app?.close();
}

/** Picks the files, clicks a row every 700 ms until `expected` are predicted, and reads what the page measured (OBSERVE). */
async function loadAndClick(
  page: Page,
  inputFiles: string[],
  expected: number,
  trace?: { browser: Browser; sampled: boolean },
): Promise<{ done: number; seconds: number } & Responsiveness> {
  // Traced from here. Starting V8's profiler is a long task of its own (it walks the heap), once the page's thread
  // next runs script after the trace reached its process: given a second and some script here, before the measured load.
  if (trace) {
    await startTrace(trace.browser, page, trace.sampled);
    await page.waitForTimeout(1000);
    await page.evaluate(() => {
      for (const end = performance.now() + 20; performance.now() < end;);
    });
  }
  // Playwright's own scripts, injected into the page when it first evaluates, finds an element or sets a file input's
  // files, are long tasks of their own (the harness's, not the page's): each used once here, before the measured load,
  // on an input of its own.
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), { type: 'file', id: 'bench-warm-up', hidden: true });
    document.body.append(input);
  });
  await page.locator('#bench-warm-up').setInputFiles([]);
  await page.locator('#bench-warm-up').evaluate((input) => input.remove());
  await page.locator('[data-testid=video-row]').count();
  await page.locator('h1').first().textContent();
  await page.waitForTimeout(500);
  await page.evaluate((mark) => {
    const w = window as unknown as { __longTasks: number[]; __clicks: number[] };
    w.__longTasks.length = 0;
    w.__clicks.length = 0;
    // The trace's tasks count from here too, as the page's own count does.
    console.timeStamp(mark);
  }, WINDOW_MARK);
  const t0 = Date.now();
  await page.locator('[data-testid=feature-input]').first().setInputFiles(inputFiles);
  const deadline = t0 + Number(values['page-timeout']) * 1000;
  let clicks = 0;
  let state = await predicted(page);
  // A click on a row of the list every 700 ms: what a user does while it loads.
  while (state.done < expected && Date.now() < deadline) {
    await page.waitForTimeout(700);
    const rows = page.locator('[data-testid=video-row]');
    if ((await rows.count()) > 1) {
      await rows
        .nth(clicks % 5)
        .click({ timeout: 5000 })
        .catch(() => {});
      clicks++;
    }
    state = await predicted(page);
  }
  const seconds = (Date.now() - t0) / 1000;
  // The last click's timing comes with the next paint.
  await page.waitForTimeout(500);
  const { longTasks, clickTimes } = await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[]; __clicks: number[] };
    return { longTasks: w.__longTasks, clickTimes: w.__clicks };
  });
  const traced = trace ? await stopTrace(trace.browser) : undefined;
  if (traced) log(`long tasks, what ran in them (traced; ${traced.length} over 50 ms):\n${summarize(traced)}`);
  return {
    traced: trace ? (trace.sampled ? 'sampled' : 'timeline') : false,
    ...(traced ? { longTasks: [...traced].sort((a, b) => b.ms - a.ms).slice(0, 20) } : {}),
    done: state.done,
    seconds,
    longestTaskMs: Math.max(0, ...longTasks),
    longTasksOver50: longTasks.length,
    longTasksOver100: longTasks.filter((d) => d > 100).length,
    longTasksOver200: longTasks.filter((d) => d > 200).length,
    clicks,
    clickMedianMs: clickTimes.length ? median(clickTimes) : null,
    clickMaxMs: clickTimes.length ? Math.max(...clickTimes) : null,
    clicksOver200: clickTimes.filter((d) => d > 200).length,
  };
}

/**
 * The row "dev page, one core busy": the vite dev server as `npm start` runs
 * it, a child process spinning on one core for the whole run, one shard (or
 * its first `videos` videos) picked in the page, which runs as it chooses
 * (auto: wasm on a machine without a GPU).
 */
async function devPage(browser: Browser, videos: number, sampled: boolean): Promise<DevPageRun> {
  const file = await shardOf(videos, log);
  const server = await createServer({ root: ROOT, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, open: false } });
  await server.listen();
  const origin = `http://127.0.0.1:${(server.httpServer!.address() as { port: number }).port}`;
  const busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const perCore = () => os.loadavg()[0] / os.cpus().length;
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  try {
    await context.addInitScript(OBSERVE);
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await waitUntilReady(page, 300_000);
    await page.waitForTimeout(1500);
    const loadBefore = perCore();
    const m = await loadAndClick(page, [file], videos, { browser, sampled });
    const backend = (await page.locator('[data-testid=active-backend]').getAttribute('data-backend')) ?? '';
    const r: DevPageRun = {
      where: 'dev page, one core busy',
      backend,
      videos: m.done,
      expected: videos,
      finished: m.done >= videos,
      loadPerCore: [loadBefore, perCore()],
      ...m,
    };
    log(
      `dev page, one core busy (${backend}, traced: ${m.traced}): ${m.done}/${videos} in ${m.seconds.toFixed(1)} s, longest task ${m.longestTaskMs.toFixed(0)} ms ` +
        `(${m.longTasksOver50} over 50, ${m.longTasksOver100} over 100, ${m.longTasksOver200} over 200), clicks ${m.clicks} (median ${m.clickMedianMs ?? '-'}, max ${m.clickMaxMs ?? '-'} ms, ` +
        `${m.clicksOver200} over 200); load per core ${r.loadPerCore.map((x) => x.toFixed(2)).join(' -> ')}`,
    );
    return r;
  } finally {
    busy.kill();
    await context.close();
    await server.close();
  }
}

/**
 * The full-size rows: the command line and the page as users run them, each
 * against its engine in-process, `runs` rounds interleaved (one of each per round).
 */
async function fullSize(app: ServedApp, browser: Browser, runs: number): Promise<FullSizeRun[]> {
  const fx = await fullSizeFixture(log);
  const videos = fx.lengths32.length;
  await run(process.execPath, ['scripts/cli.mjs', '--build'], { cwd: ROOT });
  // The page serves the model from its own origin, as a user's host would.
  const models = path.join(OUTPUT, 'dist-bench-scale', 'models');
  mkdirSync(models, { recursive: true });
  if (!existsSync(path.join(models, 'fullsize'))) symlinkSync(fx.model, path.join(models, 'fullsize'));
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  log('page: loading the full-size model (?model=) ...');
  await page.goto(`${app.origin}/?backend=wasm&model=${encodeURIComponent('/models/fullsize/model.json')}`);
  await waitUntilReady(page, 3600_000);
  const shown = page.locator('[data-testid=wasm-threads]');
  const threads = (await shown.count()) ? Number(await shown.getAttribute('data-threads')) || 1 : 1;
  const harness = await openHarness({
    log: (m) => {
      if (/error/i.test(m)) log(m);
    },
  });
  const engine = await harness.openProjectWasm({ threads });
  await engine.call('buildModel', { variant: 'fluid1', seed: 1 });
  await engine.call('timeRun', { lengths: fx.lengths32, seed: 5 });
  const cliEngine = await inProcess(fx.model, 1);
  await cliEngine.time(fx.videos32);
  const t = { cli: [] as number[], cliIn: [] as number[], page: [] as number[], pageIn: [] as number[] };
  try {
    for (let i = 0; i < runs; i++) {
      t.cli.push((await timed('npm', ['run', '--silent', 'evaluate', '--', '--model', fx.model, '--threads', '1', fx.videos32])).ms / 1000);
      t.cliIn.push((await cliEngine.time(fx.videos32)) / 1000);
      if (await page.getByRole('button', { name: 'Clear' }).count()) {
        await page.getByRole('button', { name: 'Clear' }).click();
        await page.getByRole('heading', { name: 'Drop YouTube-8M frame features here' }).waitFor();
      }
      const t0 = Date.now();
      await page.locator('[data-testid=feature-input]').first().setInputFiles([fx.videos32]);
      for (let state = await predicted(page); state.done < videos; state = await predicted(page)) await page.waitForTimeout(50);
      t.page.push((Date.now() - t0) / 1000);
      t.pageIn.push(((await engine.call('timeRun', { lengths: fx.lengths32, seed: 5 })) as { ms: number }).ms / 1000);
      log(
        `full size, round ${i + 1}: npm run evaluate ${t.cli[i].toFixed(2)} s (in-process ${t.cliIn[i].toFixed(2)} s); page ${t.page[i].toFixed(2)} s (in-process ${t.pageIn[i].toFixed(2)} s)`,
      );
    }
  } finally {
    await cliEngine.close();
    await harness.close();
    await context.close();
  }
  const row = (what: FullSizeRun['what'], seconds: number[], th: number, note: string): FullSizeRun => ({
    where: 'fullsize',
    what,
    threads: th,
    videos,
    runs: seconds.length,
    secondsMedian: Number(median(seconds).toFixed(3)),
    seconds: seconds.map((x) => Number(x.toFixed(3))),
    note,
  });
  return [
    row(
      'npm run evaluate',
      t.cli,
      1,
      'whole process: Node, the model read from disk (page cache warm), the file read, predicted, the metrics printed',
    ),
    row('cli engine in-process', t.cliIn, 1, 'the same engine loaded once (bench/helpers/simdServe.ts): the prediction alone'),
    row(
      'page, wasm',
      t.page,
      threads,
      'production build, the model loaded and ready: from picking the file to all 32 predicted (list summary)',
    ),
    row(
      'page engine in-process',
      t.pageIn,
      threads,
      "the page's engine as the worker starts it, in a page of the same browser (tools/kernelHarness/wasmPage.ts), one batch of the same lengths",
    ),
  ];
}

const file = path.join(ROOT, 'bench/results/results-scale.json');
/** The segment-map line's counts: rated videos ranked of those loaded, and the hop they were ranked at. */
async function ranked(page: Page): Promise<{ ranked: number; rated: number; hop: number | null }> {
  const text =
    (await page
      .locator('[data-testid=segment-map-counts]')
      .textContent()
      .catch(() => null)) ?? '';
  const m = /^([\d,]+) of ([\d,]+) segment-rated/.exec(text);
  const hop = /every (\d+) s/.exec(text);
  const num = (x: string) => Number(x.replace(/,/g, ''));
  return m && !/waiting/.test(text)
    ? { ranked: num(m[1]), rated: num(m[2]), hop: hop ? Number(hop[1]) : null }
    : { ranked: 0, rated: 0, hop: hop ? Number(hop[1]) : null };
}

async function pageSegments(app: ServedApp, browser: Browser, backend: string, rated: string): Promise<PageSegmentRun> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  await page.goto(`${app.origin}/?backend=${backend}`);
  await waitUntilReady(page, 300_000);
  await page.waitForTimeout(1500);
  const restMB = chromiumMemoryBytes() / MB;
  const peak = samplePeak(chromiumMemoryBytes);
  const t0 = Date.now();
  const deadline = t0 + Number(values['page-timeout']) * 1000;
  await page.locator('[data-testid=feature-input]').first().setInputFiles([rated]);
  let videoLevelSeconds = NaN;
  let state = { ranked: 0, rated: 0, hop: null as number | null };
  while (Date.now() < deadline) {
    await page.waitForTimeout(100);
    // Ranked first: once every video is ranked, the check below sees every video predicted in the same round.
    state = await ranked(page);
    if (Number.isNaN(videoLevelSeconds) && (await predicted(page)).done >= VIDEOS) videoLevelSeconds = (Date.now() - t0) / 1000;
    if (state.rated === VIDEOS && state.ranked === VIDEOS) break;
  }
  const rankedSeconds = (Date.now() - t0) / 1000;
  // The peak up to here is hop 5's alone (the plain shard's run has nothing like hop 1 after it).
  const hop5PeakMB = Math.max(peak.stop(), chromiumMemoryBytes()) / MB;
  const peakAfter = samplePeak(chromiumMemoryBytes);
  const finished = state.ranked === VIDEOS;
  // Hop 1, chosen on the selected video's timeline: every rated video's windows ranked again.
  let hop1Seconds: number | null = null;
  if (finished) {
    const t1 = Date.now();
    await page.locator('[data-testid=timeline-hop]').selectOption('1');
    const end = t1 + Number(values['page-timeout']) * 1000;
    while (Date.now() < end) {
      await page.waitForTimeout(100);
      const s1 = await ranked(page);
      if (s1.hop === 1 && s1.ranked === VIDEOS) {
        hop1Seconds = (Date.now() - t1) / 1000;
        break;
      }
    }
  }
  const peakMB = Math.max(hop5PeakMB, peakAfter.stop() / MB);
  const backendAtEnd = (await page.locator('[data-testid=active-backend]').getAttribute('data-backend')) ?? '';
  await context.close();
  const plain = results.find((r): r is PageRun => r.where === 'page' && r.backend === backend && r.shards === 1 && r.finished);
  const r: PageSegmentRun = {
    where: 'page-segments',
    backend,
    videos: VIDEOS,
    finished,
    videoLevelSeconds,
    rankedSeconds,
    plainSeconds: plain?.seconds ?? null,
    ratio: plain ? rankedSeconds / plain.seconds : null,
    hop1Seconds,
    restMB,
    peakMB,
    growthMB: peakMB - restMB,
    hop5GrowthMB: hop5PeakMB - restMB,
    plainGrowthMB: plain?.growthMB ?? null,
    backendAtEnd,
  };
  log(
    `page ${backend}, segment-rated shard: every video predicted in ${videoLevelSeconds.toFixed(1)} s, every window ranked (hop 5) in ${rankedSeconds.toFixed(1)} s` +
      `${r.ratio !== null ? ` (${r.ratio.toFixed(2)}x the video-level run on the plain shard)` : ''}, hop 1 ${hop1Seconds?.toFixed(1) ?? '-'} s, memory +${r.hop5GrowthMB.toFixed(0)} MB at hop 5 (plain shard +${plain?.growthMB.toFixed(0) ?? '-'}), +${r.growthMB.toFixed(0)} MB with hop 1`,
  );
  return r;
}

// One part's rows replace those of the last run, which keeps its others.
const replaces = (r: { where: string; backend?: string; shards?: number }): boolean =>
  FULL_ONLY
    ? r.where === 'fullsize'
    : PAGE_ONLY
      ? results.some((n) => n.where === 'page' && r.where === 'page' && n.backend === r.backend && n.shards === r.shards)
      : r.where === 'dev page, one core busy';
const kept =
  ONE_PART && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')).results as { where: string }[]).filter((r) => !replaces(r)) : [];
const out = {
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    load: os.loadavg(),
  },
  model: 'demo (public/models/demo: E 32, D 32, 10 classes)',
  shard: `${SHARD_VIDEOS} videos of 150-300 frames, seeded (bench/helpers/shards.ts)`,
  fullsize: 'fluid1, full size (435 MB), random weights; 32 videos of 300 down to 60 frames (bench/helpers/fullSizeFixture.ts)',
  results: [...kept, ...results],
};
// A run without the page (--skip-page) leaves results-scale.json as it was: its rows go together.
if (!SMOKE && results.some((r) => r.where !== 'cli')) writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
console.log(JSON.stringify(out, null, 1));
if (segmentRows.length && !SMOKE) {
  const segFile = path.join(ROOT, 'bench/results/results-segments.json');
  // Each new row says when it ran and under what load; rows of the kind not run this time (the page's with
  // --skip-page, the command line's with --skip-cli) are kept as they were, with their own.
  const load = os.loadavg().map((x) => x.toFixed(2));
  const measured = `${new Date().toISOString().slice(0, 16)}Z, load ${load.join(' ')} (end of run)`;
  const ran = new Set(segmentRows.map((r) => r.where));
  const keptSeg = existsSync(segFile)
    ? (JSON.parse(readFileSync(segFile, 'utf8')).results as { where: SegmentRow['where'] | PageSegmentRun['where'] }[]).filter(
        (r) => !ran.has(r.where),
      )
    : [];
  const seg = {
    ...out,
    shard: `${SHARD_VIDEOS} videos of 150-300 frames with 3-7 rated 5-second segments each, seeded (bench/helpers/shards.ts segmentShards)`,
    results: [...segmentRows.map((r) => ({ ...r, measured })), ...keptSeg],
  };
  writeFileSync(segFile, JSON.stringify(seg, null, 1) + '\n');
  console.log(JSON.stringify(seg, null, 1));
}
