/**
 * The extractor's rows of `npm run bench` (also alone: `npm run bench:extractor`,
 * which writes bench/results/results-extractor.json and EXTRACTOR.md): the
 * full-size Inception stand-in (the published graph's layer shapes, 299x299,
 * random weights) on 360x640 frames, frames per second
 *   - on wasm in Node (the command line), 1 and 2 threads, batches of 1, 2, 4;
 *   - on WebGPU in Chromium (SwiftShader here: about a minute a frame), batch 1;
 * each through the project's GraphDef interpreter and through the same
 * network written directly with tfjs ops, in turns on the same frames
 * (interleaved: the machine is shared), held to each other's outputs.
 * Medians; the ratio interpreter over direct (target: at most 1.1).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type HarnessSession, openHarness } from '../../tools/kernelHarness/browser';
import { median } from '../helpers/stats';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

export interface ExtractorRow {
  engine: 'wasm (Node)' | 'webgpu (page)';
  threads: number | null;
  batch: number;
  runs: number;
  interpreter_ms_per_frame: number;
  direct_ms_per_frame: number;
  interpreter_frames_per_s: number;
  /** Interpreter over direct, medians (target: at most 1.1). */
  ratio: number;
  max_difference: number;
  load_average: number;
}

export interface ExtractorBench {
  model: { graph_bytes: number; parameters: number; frame: number[]; input: number[] };
  rows: ExtractorRow[];
  failures: string[];
}

const r3 = (x: number) => Number(x.toPrecision(3));

function rowOf(
  engine: ExtractorRow['engine'],
  threads: number | null,
  batch: number,
  interp: number[],
  direct: number[],
  diff: number,
  load: number,
): ExtractorRow {
  const i = median(interp) / batch;
  const d = median(direct) / batch;
  return {
    engine,
    threads,
    batch,
    runs: interp.length,
    interpreter_ms_per_frame: r3(i),
    direct_ms_per_frame: r3(d),
    interpreter_frames_per_s: r3(1000 / i),
    ratio: r3(i / d),
    max_difference: Number(diff.toPrecision(2)),
    load_average: r3(load),
  };
}

export async function extractorBench(
  s: HarnessSession,
  opts: { quick?: boolean; log?: (s: string) => void } = {},
): Promise<ExtractorBench> {
  const log = opts.log ?? (() => {});
  const rounds = opts.quick ? 1 : 5;
  const rows: ExtractorRow[] = [];
  const failures: string[] = [];
  let model: ExtractorBench['model'] = { graph_bytes: 0, parameters: 0, frame: [360, 640], input: [299, 299] };
  for (const threads of [1, 2]) {
    log(`extractor, wasm in Node, ${threads} thread(s): interpreter and direct network in turns ...`);
    try {
      const child = run(
        path.join(root, 'node_modules/.bin/tsx'),
        [
          'bench/helpers/extractorCases.ts',
          JSON.stringify({ threads, rounds, batches: opts.quick ? [1, 2] : [1, 2, 4], size: opts.quick ? 'small' : 'full' }),
        ],
        { cwd: root, maxBuffer: 16 << 20 },
      );
      child.child.stderr?.on('data', (d) => process.stderr.write(d));
      const out = JSON.parse((await child).stdout.trim().split('\n').pop()!);
      model = { graph_bytes: out.graphBytes, parameters: out.parameters, frame: out.frame, input: [299, 299] };
      if (out.threads !== threads) failures.push(`wasm ran ${out.threads} thread(s), not ${threads}`);
      for (const c of out.cases) rows.push(rowOf('wasm (Node)', out.threads, c.batch, c.interpreter, c.direct, c.diff, loadavg()[0]));
    } catch (e) {
      failures.push(`extractor wasm ${threads} thread(s): ${String((e as Error).message).split('\n')[0]}`);
    }
  }
  log('extractor, WebGPU in Chromium: interpreter and direct network in turns ...');
  let page: Awaited<ReturnType<HarnessSession['openExtractor']>> | null = null;
  try {
    page = await s.openExtractor({ backend: 'webgpu' });
    if (page.info.backend !== 'webgpu') throw new Error(`the page runs ${page.info.backend}, not webgpu`);
    await page.call('build', { seed: 1, size: opts.quick ? 'small' : 'full' });
    // A full-size frame takes about a minute on SwiftShader: batch 1, a warm-up (which compiles the shaders) and two rounds.
    for (const batch of opts.quick ? [1, 2] : [1]) {
      const interp: number[] = [];
      const direct: number[] = [];
      let diff = 0;
      const n = opts.quick ? 1 : 2;
      for (let i = 0; i <= n; i++) {
        const t = await page.call('timeRound', { batch, height: 360, width: 640, seed: 5, directFirst: i % 2 === 1 });
        if (t.errors.length) throw new Error(`WebGPU errors: ${t.errors.join('; ')}`);
        diff = Math.max(diff, t.diff);
        log(
          `  webgpu, batch ${batch}${i === 0 ? ' (warm-up)' : ''}: interpreter ${t.interpreterMs.toFixed(0)} ms, direct ${t.directMs.toFixed(0)} ms`,
        );
        if (i > 0) {
          interp.push(t.interpreterMs);
          direct.push(t.directMs);
        }
      }
      rows.push(rowOf('webgpu (page)', null, batch, interp, direct, diff, loadavg()[0]));
    }
  } catch (e) {
    failures.push(`extractor webgpu: ${String((e as Error).message).split('\n')[0]}`);
  } finally {
    await page?.close();
  }
  for (const r of rows)
    if (!(r.max_difference < 1e-3))
      failures.push(`${r.engine} batch ${r.batch}: interpreter and direct network differ by ${r.max_difference}`);
  return { model, rows, failures };
}

export function extractorTable(rows: readonly ExtractorRow[]): string {
  const head = [
    'engine',
    'threads',
    'batch',
    'runs',
    'interpreter ms/frame',
    'direct ms/frame',
    'frames/s',
    'interpreter / direct',
    'max diff',
    'load',
  ];
  const body = rows.map((r) =>
    [
      r.engine,
      r.threads ?? 'GPU',
      r.batch,
      r.runs,
      r.interpreter_ms_per_frame,
      r.direct_ms_per_frame,
      r.interpreter_frames_per_s,
      `${r.ratio}x`,
      r.max_difference,
      r.load_average,
    ].map(String),
  );
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => `| ${c.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join(' | ')} |`;
  return [
    line(head),
    `|${w.map((n, i) => (i === 0 ? ':' : '') + '-'.repeat(n + 1) + (i === 0 ? '' : ':')).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

export function extractorMarkdown(e: ExtractorBench, conditions: string): string {
  return `## The extractor: Inception-v3 from a frozen GraphDef

The published extractor's network as the full-size stand-in (the published graph's ops, wiring and layer shapes,
${(e.model.parameters / 1e6).toFixed(1)} M parameters on the path, a ${(e.model.graph_bytes / 1e6).toFixed(1)} MB GraphDef, random weights), fed ${e.model.frame.join('x')} frames that
the graph resizes to 299x299. "interpreter" is the project's GraphDef interpreter (src/core/tfgraph: the file's
nodes from DecodeJpeg:0 to pool_3/_reshape:0, convolutions fused with their batch norms and Relus); "direct" is
the same network written by hand with tfjs ops and the same folded weights (tools/testing/directInception.ts).
Both run in turns on the same frames, first one then the other, alternating; medians per frame. ${conditions}

${extractorTable(e.rows)}
${e.failures.length ? `\nFailed: ${e.failures.join('; ')}\n` : ''}`;
}

async function main(): Promise<void> {
  const quick = process.env.BENCH_QUICK === '1';
  const load0 = loadavg();
  const s = await openHarness({
    log: (m) => {
      if (/error/i.test(m) && !/404|favicon/.test(m)) process.stderr.write(m + '\n');
    },
  });
  let e: ExtractorBench;
  try {
    e = await extractorBench(s, { quick, log: (m) => process.stderr.write(m + '\n') });
  } finally {
    await s.close();
  }
  const conditions = `Measured ${new Date().toISOString().slice(0, 10)} on the shared 2-core machine, load average ${load0.map((x) => x.toFixed(1)).join(' ')} at the start and ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at the end; Chromium ${s.version} headless, WebGPU on SwiftShader.`;
  const md = `# Benchmark: the extractor\n\n\`npm run bench:extractor\` (the same rows are part of \`npm run bench\`).\n\n${extractorMarkdown(e, conditions)}`;
  const dir = quick ? (await import('node:os')).tmpdir() : path.join(root, 'bench/results');
  await writeFile(
    path.join(dir, 'results-extractor.json'),
    JSON.stringify({ date: new Date().toISOString(), conditions, ...e }, null, 2) + '\n',
  );
  await writeFile(path.join(dir, 'EXTRACTOR.md'), md);
  process.stdout.write(extractorTable(e.rows) + '\n');
  if (e.failures.length) process.stderr.write(`failed: ${e.failures.join('; ')}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
