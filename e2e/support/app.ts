/**
 * What the page's end-to-end tests (and bench/drivers/page.ts) share: a production
 * build of the page served by `vite preview` on a free localhost port, Debian's
 * Chromium driven by playwright-core, and helpers to drop files, download
 * exports and run `npm run predict` for the numbers to compare with.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import type { PredictionDocument } from '../../src/core/predictionDocument';
import { ISOLATION_HEADERS } from '../../vite.config';
import { maxDiff } from '../../tools/testing/compare';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Screenshots and downloads land here (git-ignored). */
export const OUTPUT = path.join(ROOT, 'e2e/output');
export const SAMPLES = path.join(ROOT, 'public/samples');
export const DEMO_MODEL = path.join(ROOT, 'public/models/demo');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags the project runs Chromium with; WebGPU (SwiftShader without a GPU) only when asked. */
export function chromiumArgs(webgpu: boolean): string[] {
  return [
    '--no-sandbox',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    ...(webgpu ? ['--enable-unsafe-webgpu'] : []),
  ];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface ServedApp {
  /** The page's origin, e.g. http://127.0.0.1:41234 */
  origin: string;
  close(): Promise<void>;
}

/** Builds the page (minified, as shipped) into e2e/output/<name> and serves it. */
export async function buildAndServe(name: string): Promise<ServedApp> {
  const outDir = path.join(OUTPUT, name);
  // vitest sets NODE_ENV=test, which would give React's development build: test what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: ROOT, logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const port = await freePort();
  const server: PreviewServer = await preview({
    // Cross-origin isolated as `npm start` and any host should serve it (vite.config.ts): wasm runs threaded.
    root: ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { port, strictPort: true, host: '127.0.0.1', open: false, headers: ISOLATION_HEADERS },
  });
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

export async function launchChromium(opts: { webgpu: boolean }): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (never a browser download)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: chromiumArgs(opts.webgpu) });
}

/** Every request of the context that leaves `origin` (blob: and data: URLs stay in the page). */
export function watchForeignRequests(context: BrowserContext, origin: string): string[] {
  const foreign: string[] = [];
  context.on('request', (r) => {
    const url = r.url();
    if (url.startsWith('blob:') || url.startsWith('data:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return foreign;
}

/** Collects the page's console errors and uncaught exceptions, for failing tests to show. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export async function newPage(browser: Browser, origin: string, opts: { dark?: boolean } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
    colorScheme: opts.dark ? 'dark' : 'light',
    reducedMotion: 'reduce',
  });
  // Playwright waits forever for an element by default: a step that cannot happen fails within a minute, naming its locator.
  context.setDefaultTimeout(60_000);
  const foreign = watchForeignRequests(context, origin);
  const page = await context.newPage();
  const errors = watchErrors(page);
  return { context, page, foreign, errors };
}

/** Waits until the backend is ready (WebGPU's warm-up included) and the model is loaded. */
export async function waitUntilReady(page: Page, timeout = 180_000): Promise<void> {
  await page.locator('[data-testid=backend-status][data-state=ready]').waitFor({ timeout });
  await page.locator('[data-testid=model-info]').waitFor({ timeout });
}

/** Drops files on the page as a user's drag and drop does (dragenter, dragover, drop with a DataTransfer). */
export async function dropFiles(page: Page, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') }));
  await page.evaluate((items) => {
    const dt = new DataTransfer();
    for (const f of items) {
      const bin = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bin], f.name));
    }
    const target = document.querySelector('main') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, payload);
}

export function sampleFile(name: string): { name: string; bytes: Uint8Array } {
  return { name, bytes: new Uint8Array(readFileSync(path.join(SAMPLES, name))) };
}

/** Clicks a button that downloads a file and returns the file's text. */
export async function download(page: Page, button: string, saveAs?: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  const file = path.join(OUTPUT, 'downloads', saveAs ?? dl.suggestedFilename());
  mkdirSync(path.dirname(file), { recursive: true });
  await dl.saveAs(file);
  return readFileSync(file, 'utf8');
}

/**
 * Waits until `n` videos are predicted, as the list's summary says ("N videos ·
 * M predicted"): the list is virtualized, so its rows in the page are only
 * those in view.
 */
export async function waitForDone(page: Page, n: number, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    (count) => {
      const m = /· ([\d,]+) predicted/.exec(document.querySelector('[data-testid=list-summary]')?.textContent ?? '');
      return m !== null && Number(m[1].replace(/,/g, '')) >= count;
    },
    n,
    { timeout },
  );
}

/** The probabilities the page shows for the selected video: from the value table, as numbers and as text. */
export async function shownProbabilities(page: Page): Promise<{ cls: number; value: number; text: number }[]> {
  return page.locator('[data-testid=prob-table] tbody tr').evaluateAll((rows) =>
    rows.map((r) => ({
      cls: Number(r.getAttribute('data-class')),
      value: Number(r.getAttribute('data-probability')),
      text: Number(r.querySelector('td:last-child')?.textContent),
    })),
  );
}

/** The title of the video the detail shows (it renders deferred: it can still be the one selected before). */
export async function selectedId(page: Page): Promise<string> {
  return (await page.locator('#detail-title').textContent()) ?? '';
}

/**
 * Waits until the detail has caught up with the selection (not marked stale),
 * shows video `id` when one is given, and its table has at least `rows` rows:
 * what a test reads right after a click or a load must wait for this, since
 * the detail renders deferred, a frame or more later on a loaded machine.
 */
export async function waitForDetail(page: Page, opts: { id?: string; rows?: number; timeout?: number } = {}): Promise<void> {
  await page.waitForFunction(
    ([want, rows]) => {
      const detail = document.querySelector('[data-testid=video-detail]');
      if (!detail || detail.hasAttribute('data-stale')) return false;
      if (want !== null && document.querySelector('#detail-title')?.textContent !== want) return false;
      return document.querySelectorAll('[data-testid=prob-table] tbody tr').length >= rows;
    },
    [opts.id ?? null, opts.rows ?? 1] as const,
    { timeout: opts.timeout ?? 30_000 },
  );
}

/** Clicks row `n` and waits until the detail shows that video, title and numbers together. */
export async function selectRow(page: Page, n: number): Promise<void> {
  const row = page.locator('[data-testid=video-row]').nth(n);
  const id = (await row.locator('.video-id').textContent()) ?? '';
  await row.click();
  await waitForDetail(page, { id });
}

/** The selected video's probabilities once the detail has settled with at least `rows` of them. */
export async function settledProbabilities(page: Page, rows: number): Promise<{ cls: number; value: number; text: number }[]> {
  await waitForDetail(page, { rows });
  return shownProbabilities(page);
}

/** The list's summary as numbers: videos, predicted and failed. */
export async function listCounts(page: Page): Promise<{ videos: number; predicted: number; failed: number }> {
  const text = (await page.locator('[data-testid=list-summary]').textContent()) ?? '';
  const num = (re: RegExp) => Number((re.exec(text)?.[1] ?? '0').replace(/,/g, ''));
  return { videos: num(/^([\d,]+) videos?/), predicted: num(/· ([\d,]+) predicted/), failed: num(/· ([\d,]+) failed/) };
}

export async function screenshot(page: Page, name: string, locator?: string): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true });
  const file = path.join(OUTPUT, `${name}.png`);
  if (locator) await page.locator(locator).first().screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

const run = promisify(execFile);

/** `npm run predict` (wasm, in Node) on files, as the JSON document it prints. */
export async function cliPredict(files: string[], model = DEMO_MODEL, topK = 10): Promise<PredictionDocument> {
  const { stdout } = await run(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      path.join(ROOT, 'src/cli/predict.ts'),
      '--model',
      model,
      '--backend',
      'wasm',
      '--top-k',
      String(topK),
      ...files,
    ],
    { cwd: ROOT, maxBuffer: 256 << 20 },
  );
  return JSON.parse(stdout) as PredictionDocument;
}

/** `npm run convert` of a weight file into a folder. */
export async function cliConvert(file: string, out: string): Promise<void> {
  await run(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'src/cli/convert.ts'), file, '--out', out],
    { cwd: ROOT },
  );
}

export { maxDiff };

/**
 * Breaks WebGPU in the page's inference worker as a driver would (the worker's
 * test hooks, installed with ?testhooks=1); false when it is not on WebGPU.
 */
export async function breakWebGpu(page: Page, how: 'lose-device' | 'validation-error'): Promise<boolean> {
  const worker = page.workers().find((w) => w.url().includes('worker'));
  if (!worker) throw new Error('the page has no inference worker');
  type Hooks = { playgroundTestHooks?: { breakWebGpu(how: string): Promise<boolean> } };
  return worker.evaluate(async (h) => {
    const hooks = (self as unknown as Hooks).playgroundTestHooks;
    if (!hooks) throw new Error('the worker was started without ?testhooks=1');
    return hooks.breakWebGpu(h);
  }, how);
}

/**
 * Compares the page's export with the CLI's document video by video (matched
 * by id): probabilities and attention within `tol`, same schema, same labels.
 */
export function comparePredictions(
  page: PredictionDocument,
  cli: PredictionDocument,
  tol = 1e-4,
): { worstProbability: number; worstAttention: number; problems: string[] } {
  const problems: string[] = [];
  let worstProbability = 0;
  let worstAttention = 0;
  const byId = new Map(cli.videos.map((v) => [`${path.basename(v.file)}#${v.index}`, v]));
  if (page.videos.length !== cli.videos.length)
    problems.push(`${page.videos.length} videos on the page, ${cli.videos.length} from the CLI`);
  const keys = (o: object) => Object.keys(o).sort().join(',');
  // `adapter` is there when the page ran on WebGPU (the CLI runs on wasm, without one).
  const docKeys = (o: object) =>
    Object.keys(o)
      .filter((k) => k !== 'adapter')
      .sort()
      .join(',');
  if (docKeys(page) !== docKeys(cli)) problems.push(`document keys differ: ${keys(page)} vs ${keys(cli)}`);
  for (const v of page.videos) {
    const c = byId.get(`${v.file}#${v.index}`);
    if (!c) {
      problems.push(`${v.file}#${v.index} is not in the CLI's output`);
      continue;
    }
    if (keys(v) !== keys(c)) problems.push(`${v.id}: keys ${keys(v)} vs ${keys(c)}`);
    if (v.id !== c.id || v.frames !== c.frames || JSON.stringify(v.labels) !== JSON.stringify(c.labels))
      problems.push(`${v.id}: id, frames or labels differ`);
    const dp = maxDiff(v.probabilities, c.probabilities);
    const da = Math.max(maxDiff(v.attention.rgb, c.attention.rgb), maxDiff(v.attention.audio, c.attention.audio));
    worstProbability = Math.max(worstProbability, dp);
    worstAttention = Math.max(worstAttention, da);
    if (!(dp <= tol)) problems.push(`${v.id}: probabilities differ by ${dp}`);
    if (!(da <= tol)) problems.push(`${v.id}: attention differs by ${da}`);
    if (v.top[0]?.class !== c.top[0]?.class && Math.abs(v.top[0].probability - c.top[0].probability) > tol)
      problems.push(`${v.id}: top class ${v.top[0]?.name} vs ${c.top[0]?.name}`);
  }
  return { worstProbability, worstAttention, problems };
}

/** Every focusable control without an accessible name (approximating the accessible-name computation). */
export async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const focusable = document.querySelectorAll<HTMLElement>(
      'button, a[href], input, select, textarea, summary, [tabindex]:not([tabindex="-1"]), [role=option], [role=gridcell][tabindex="0"]',
    );
    const nameOf = (el: HTMLElement): string => {
      const aria = el.getAttribute('aria-label');
      if (aria) return aria;
      const by = el.getAttribute('aria-labelledby');
      if (by)
        return by
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ');
      const labels = (el as HTMLInputElement).labels;
      if (labels && labels.length)
        return Array.from(labels)
          .map((l) => l.textContent ?? '')
          .join(' ');
      if (el.tagName === 'INPUT' || el.tagName === 'SELECT') return el.getAttribute('title') ?? el.getAttribute('placeholder') ?? '';
      return (el.textContent ?? '').trim() || el.getAttribute('title') || '';
    };
    return Array.from(focusable)
      .filter((el) => !el.closest('[aria-hidden=true]') && !(el as HTMLButtonElement).disabled)
      .filter((el) => !nameOf(el).trim())
      .map((el) => el.outerHTML.slice(0, 160));
  });
}

/** The rules the page is held to: WCAG 2.1 A and AA, and axe's best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  /** The nodes: a CSS path and axe's summary of what fails there. */
  nodes: { target: string; summary: string }[];
}

/** axe-core's violations on the page as it is now (WCAG 2.1 A/AA and best practice). */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  const { default: AxeBuilder } = await import('@axe-core/playwright');
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact ?? null,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: (n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 240) })),
  }));
}

/**
 * How wide the page lays out against the viewport, and the elements that
 * reach past its right edge without a clipping or scrolling box around them.
 */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; viewport: number; past: string[] }> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const clipped = (el: Element): boolean => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o !== 'visible') return true;
      }
      return false;
    };
    const past = Array.from(document.body.querySelectorAll('*'))
      .filter((e) => e.getBoundingClientRect().right > vw + 0.5 && e.getBoundingClientRect().width > 0 && !clipped(e))
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${(e.getAttribute('class') ?? '').trim().replace(/\s+/g, '.')}`)
      .slice(0, 12);
    return { scrollWidth: document.documentElement.scrollWidth, viewport: window.innerWidth, past };
  });
}

/**
 * The visible, enabled controls that a tap at their centre would not reach
 * (another element lies on top), each scrolled to the middle of the screen
 * first. A file input counts by its label, which takes its taps.
 */
export async function untappableControls(page: Page): Promise<string[]> {
  // The detail's cards mount a frame or two apart (StagedMount): until the last one is in, the page below them still moves.
  await page.waitForFunction(() => document.querySelector('[data-staged-pending]') === null, null, { timeout: 30_000 });
  // Results still arriving (the selected video's timeline, the segment figures) grow the page: check it once it holds still.
  await page.evaluate(async () => {
    let last = -1;
    for (let same = 0, tries = 0; same < 5 && tries < 150; tries++) {
      const h = document.documentElement.scrollHeight;
      same = h === last ? same + 1 : 0;
      last = h;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  return page.evaluate(async () => {
    const controls = Array.from(
      document.querySelectorAll<HTMLElement>(
        'button, a[href], input, select, textarea, summary, label.btn, [role=tab], [role=listbox], [role=option], [role=gridcell][tabindex="0"]',
      ),
    );
    const bad: string[] = [];
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}.${(el.getAttribute('class') ?? '').trim().replace(/\s+/g, '.')} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}"`;
    for (const el of controls) {
      // Skip links show only when focused; what a closed <details> holds is not on screen.
      if ((el as HTMLButtonElement).disabled || el.closest('[aria-hidden=true], .sr-only, [inert], .skip-links')) continue;
      if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;
      if (el instanceof HTMLInputElement && el.type === 'file') continue;
      if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox') && el.labels?.length) {
        // A radio or checkbox drawn small (or hidden behind its styled label) is tapped through its label.
        const r = el.getBoundingClientRect();
        if (r.width < 2 || r.height < 2) continue;
      }
      const box = el.getBoundingClientRect();
      if (box.width < 2 || box.height < 2 || getComputedStyle(el).visibility === 'hidden') continue;
      el.scrollIntoView({ block: 'center', inline: 'center' });
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      const b = el.getBoundingClientRect();
      const x = b.left + b.width / 2;
      const y = b.top + b.height / 2;
      if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) {
        bad.push(`${describe(el)} (off screen)`);
        continue;
      }
      const hit = document.elementFromPoint(x, y);
      const forLabel = hit?.closest('label') ?? null;
      const ok =
        hit !== null &&
        (el.contains(hit) || (hit.contains(el) && hit === el) || (forLabel !== null && (forLabel.control === el || forLabel.contains(el))));
      if (!ok) bad.push(`${describe(el)} is under ${hit ? describe(hit) : 'nothing'}`);
    }
    window.scrollTo(0, 0);
    return bad;
  });
}

/** Focusable controls that share an accessible name with another control (approximating the accessible-name computation). */
export async function sharedNames(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const focusable = document.querySelectorAll<HTMLElement>(
      'button, a[href], input, select, textarea, summary, [tabindex]:not([tabindex="-1"])',
    );
    const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const nameOf = (el: HTMLElement): string => {
      const aria = el.getAttribute('aria-label');
      if (aria) return aria;
      const by = el.getAttribute('aria-labelledby');
      if (by)
        return by
          .split(/\s+/)
          .map((id) => text(document.getElementById(id)))
          .join(' ');
      const labels = (el as HTMLInputElement).labels;
      if (labels && labels.length) return Array.from(labels).map(text).join(' ');
      if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox')) return '';
      return text(el) || el.getAttribute('title') || '';
    };
    const byName = new Map<string, number>();
    const named = Array.from(focusable)
      .filter(
        (el) => !el.closest('[aria-hidden=true]') && !(el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'hidden')),
      )
      .map((el) => nameOf(el).trim())
      .filter(Boolean);
    for (const n of named) byName.set(n, (byName.get(n) ?? 0) + 1);
    return [...byName].filter(([, n]) => n > 1).map(([name, n]) => `${name} (${n})`);
  });
}
