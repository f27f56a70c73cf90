/**
 * The page's speed, as a user meets it: from dropping a demo sample on the page
 * to seeing its probabilities, on wasm and on WebGPU, in headless Chromium
 * (WebGPU runs on SwiftShader on a machine without a GPU). A production build
 * is served on localhost; each backend gets its own page, which is made ready
 * (model loaded, WebGPU kernels compiled) before the clock starts; then the
 * sample file is dropped `--runs` times (the list cleared in between) and the
 * median is reported. Results go to stdout and bench/results/results-page.json.
 *
 *   npm run bench:page [-- --runs 7 --file demo-samples-a.tfrecord]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildAndServe, launchChromium, ROOT, SAMPLES, waitUntilReady } from '../../e2e/support/app';
import { median } from '../helpers/stats';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, file: { type: 'string', default: 'demo-samples-a.tfrecord' } },
});
const runs = Number(values.runs);
const file = values.file!;
const bytes = readFileSync(path.join(SAMPLES, file));

/**
 * Runs in the page (a string, so that tsx's helpers do not leak into it): drops the
 * file, then polls each animation frame until the selected video's probabilities are
 * in the DOM ("seen", painted by that frame), and until every video is done.
 */
const MEASURE_DROP = `new Promise((resolve) => {
  const dt = new DataTransfer();
  dt.items.add(window.benchFile);
  const start = performance.now();
  let firstAt = 0;
  const target = document.querySelector('main');
  for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  function poll() {
    const now = performance.now();
    if (!firstAt && document.querySelector('[data-testid=prob-table] tbody tr')) firstAt = now;
    const rows = document.querySelectorAll('[data-testid=video-row]').length;
    const done = document.querySelectorAll('[data-testid=video-row][data-status=done]').length;
    if (firstAt && rows > 0 && done === rows) resolve({ first: firstAt - start, all: now - start });
    else requestAnimationFrame(poll);
  }
  requestAnimationFrame(poll);
})`;

const app = await buildAndServe('dist-bench');
const browser = await launchChromium({ webgpu: true });
const results: Record<string, unknown>[] = [];
try {
  for (const backend of ['wasm', 'webgpu'] as const) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 } });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${app.origin}/?backend=${backend}`);
    await waitUntilReady(page, 300_000);
    const readyMs = Date.now() - t0;
    const active = await page.locator('[data-testid=active-backend]').textContent();
    if (active !== backend) throw new Error(`asked for ${backend}, the page runs on ${active}`);
    // The file is handed to the page once; each run drops the same File.
    await page.evaluate(
      `window.benchFile = new File([Uint8Array.from(atob(${JSON.stringify(bytes.toString('base64'))}), (c) => c.charCodeAt(0))], ${JSON.stringify(file)})`,
    );

    const first: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < runs; i++) {
      if (await page.getByRole('button', { name: 'Clear' }).count()) {
        await page.getByRole('button', { name: 'Clear' }).click();
        await page.getByRole('heading', { name: 'Drop YouTube-8M frame features here' }).waitFor();
      }
      const t = (await page.evaluate(MEASURE_DROP)) as { first: number; all: number };
      first.push(t.first);
      all.push(t.all);
    }
    const videos = await page.locator('[data-testid=video-row]').count();
    const r = {
      backend,
      adapter: backend === 'webgpu' ? await page.locator('[data-testid=adapter]').textContent() : null,
      file,
      videos,
      readyMs,
      firstMedianMs: Math.round(median(first)),
      allMedianMs: Math.round(median(all)),
      firstMs: first.map(Math.round),
      allMs: all.map(Math.round),
    };
    results.push(r);
    process.stdout.write(
      `${backend.padEnd(6)} drop → first probabilities: median ${r.firstMedianMs} ms (runs ${r.firstMs.join(', ')}); all ${videos} videos: median ${r.allMedianMs} ms; page ready after ${readyMs} ms\n`,
    );
    await context.close();
  }
} finally {
  await browser.close();
  await app.close();
}
const out = {
  machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  chromium: browser.version(),
  runs,
  results,
};
writeFileSync(path.join(ROOT, 'bench/results/results-page.json'), JSON.stringify(out, null, 1) + '\n');
