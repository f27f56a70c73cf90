/**
 * The command line against the native peer, as users run them: whole
 * processes, model load included, on the full-size model (random weights,
 * bench/helpers/fullSizeFixture.ts: the converted folder, 435 MB, and the
 * project's ONNX export of the same weights), YouTube-8M TFRecords on disk:
 *
 *   cli       `npm run evaluate -- --model <dir> --threads N <file>` (the bundle scripts/cli.mjs starts,
 *             `--engine auto`: onnxruntime-node on the model's ONNX graph built in memory for the 32 videos,
 *             the project's SIMD engine for the one; src/cli/loadPredictor.ts);
 *   ort-node  `node build-bench/ortNodePeer.mjs --model model.onnx --threads N <file>`: onnxruntime-node's CPU
 *             provider on the project's ONNX export, reading the same file (bench/helpers/ortNodePeer.ts);
 *   in-process  the engine the command line picks for the file, in a process that stays, the model loaded
 *             once, timing only the prediction of the file's videos (bench/helpers/simdServe.ts): what the
 *             whole process is held to.
 *
 * For 32 videos (300 down to 60 frames) and one 300-frame video, at 1 and 2
 * threads; every round runs each case of each engine once, interleaved (the
 * order alternating between rounds), so that all see the same load on a
 * shared machine; medians of the rounds after a warm-up round. Before timing,
 * the peer's probabilities are held to the command line's (`npm run predict
 * -- --jsonl`) within 1e-5, and the command line's two engines to each other
 * within 1e-6 (`--engine own` against the default).
 *
 *   npm run bench:cli-speed [-- --rounds 5]
 *
 * Writes its section (`cli_vs_ortnode`, and the ratios cli_over_ortnode_*)
 * into bench/results/results.json and re-renders RESULTS.md; `npm run bench`
 * runs it as one of its parts (BENCH_ONLY=cli for this part alone).
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { fullSizeFixture } from '../helpers/fullSizeFixture';
import { median } from '../helpers/stats';
import { autoEngine } from '../../src/cli/loadPredictor';
import { onnxRuntime } from '../../src/node/ortModel';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
const log = (s: string) => process.stderr.write(s + '\n');
const round = (x: number, d = 3) => Number(x.toPrecision(d + 1));
/** The largest difference of a probability the peer may show before it is timed. */
const PEER_TOLERANCE = 1e-5;
/** The largest difference of a probability between the command line's two engines (the issue's 1e-6). */
const ENGINE_TOLERANCE = 1e-6;

export type CliEngine = 'cli' | 'ort-node' | 'in-process';

export interface CliRow {
  engine: CliEngine;
  /** The command line's engine for this file (`--engine auto`): cli and in-process rows. */
  cli_engine?: 'own' | 'ort';
  threads: number;
  videos: number;
  frames: number;
  runs: number;
  ms_median: number;
  ms_min: number;
  ms_max: number;
  videos_per_s: number;
  /** CPU seconds of the whole process (user + system), median; not for in-process. */
  cpu_s_median?: number;
  max_rss_mb?: number;
}

export interface CliSpeedResult {
  date: string;
  machine: { cpu: string; cores: number; memory_gb: number; node: string; onnxruntime_node: string };
  load_average_start: number[];
  load_average_end: number[];
  model: string;
  commands: Record<CliEngine, string>;
  rounds: number;
  rows: CliRow[];
  ratios: Record<string, number | null>;
  checks: { max_probability_difference: number | null; max_engine_difference: number | null; failures: string[] };
}

interface Timed {
  ms: number;
  cpuS: number;
  rssMb: number;
  stdout: string;
}

/** A whole process, under /usr/bin/time for its CPU time and peak memory; its wall time measured here. */
export async function timed(cmd: string, args: string[]): Promise<Timed> {
  const t0 = performance.now();
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'TIME %U %S %M', cmd, ...args], { cwd: root, maxBuffer: 256 << 20 });
  const ms = performance.now() - t0;
  const m = /TIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(stderr);
  if (!m) throw new Error(`${cmd} ${args.join(' ')}: no timing in ${stderr.slice(-300)}`);
  return { ms, cpuS: Number(m[1]) + Number(m[2]), rssMb: Number(m[3]) / 1024, stdout };
}

/** bench/helpers/simdServe.ts: the engine loaded once, one prediction per request. */
export async function inProcess(model: string, threads: number) {
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['bench/helpers/simdServe.ts', model, String(threads)], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('the in-process engine exited');
    return JSON.parse(value as string);
  };
  const ready = await next();
  if (ready.threads !== threads) throw new Error(`the in-process engine runs ${ready.threads} threads, not ${threads}`);
  return {
    time: async (file: string): Promise<number> => {
      child.stdin!.write(JSON.stringify({ file }) + '\n');
      return (await next()).ms as number;
    },
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end(JSON.stringify({ quit: true }) + '\n');
      await exited;
    },
  };
}

export async function cliSpeed(opts: { rounds?: number } = {}): Promise<CliSpeedResult> {
  const rounds = opts.rounds ?? 5;
  const load0 = loadavg();
  const fx = await fullSizeFixture(log);
  log("building the command line's bundle and the peer's program ...");
  await run(process.execPath, ['scripts/cli.mjs', '--build'], { cwd: root });
  await run(
    path.join(root, 'node_modules/.bin/esbuild'),
    [
      'bench/helpers/ortNodePeer.ts',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node20',
      '--external:onnxruntime-node',
      '--outfile=build-bench/ortNodePeer.mjs',
      '--log-level=warning',
    ],
    { cwd: root },
  );
  const ortInstalled = (await onnxRuntime()) !== null;
  const ortVersion = JSON.parse(await readFile(path.join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version as string;
  const files = [
    { file: fx.videos32, videos: 32, frames: fx.lengths32.reduce((a, b) => a + b, 0) },
    { file: fx.video1, videos: 1, frames: 300 },
  ];
  const cli = (threads: number, file: string, command = 'evaluate', extra: string[] = []) =>
    timed('npm', ['run', '--silent', command, '--', '--model', fx.model, '--threads', String(threads), ...extra, file]);
  const peer = (threads: number, file: string) =>
    timed(process.execPath, ['build-bench/ortNodePeer.mjs', '--model', fx.onnx, '--threads', String(threads), file]);
  const failures: string[] = [];

  // The peer held to the command line's probabilities, video by video (this also warms the page cache).
  let maxDiff: number | null = null;
  for (const threads of [1, 2]) {
    const mine = (await cli(threads, fx.videos32, 'predict', ['--jsonl'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; probabilities: number[] });
    const theirs = new Map(
      (await peer(threads, fx.videos32)).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; probabilities: number[] })
        .map((v) => [v.id, v.probabilities]),
    );
    for (const v of mine) {
      const p = theirs.get(v.id);
      if (!p) throw new Error(`the peer has no video ${v.id}`);
      maxDiff = Math.max(maxDiff ?? 0, ...v.probabilities.map((x, c) => Math.abs(x - p[c])));
    }
  }
  log(`peer against the command line: probabilities within ${maxDiff?.toExponential(2)}`);
  // The command line's engines held to each other: `--engine own` against what `auto` runs for the 32 videos.
  const jsonl = (stdout: string) =>
    new Map(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; probabilities: number[] })
        .map((v) => [v.id, v.probabilities]),
    );
  const auto = jsonl((await cli(1, fx.videos32, 'predict', ['--jsonl'])).stdout);
  const own = jsonl((await cli(1, fx.videos32, 'predict', ['--jsonl', '--engine', 'own'])).stdout);
  let engineDiff = 0;
  for (const [id, p] of own) engineDiff = Math.max(engineDiff, ...p.map((x, c) => Math.abs(x - auto.get(id)![c])));
  log(`the command line's engines against each other: probabilities within ${engineDiff.toExponential(2)}`);
  if (!(engineDiff <= ENGINE_TOLERANCE))
    failures.push(`the command line's engines differ by ${engineDiff} (more than ${ENGINE_TOLERANCE})`);
  if (!(maxDiff! <= PEER_TOLERANCE))
    failures.push(`onnxruntime-node differs from the command line by ${maxDiff} (more than ${PEER_TOLERANCE})`);

  const samples = new Map<string, Timed[]>();
  const inproc = new Map<string, number[]>();
  const key = (engine: CliEngine, threads: number, videos: number) => `${engine} t${threads} ${videos}`;
  const engines = await Promise.all([1, 2].map((t) => inProcess(fx.model, t)));
  try {
    for (let r = 0; r <= rounds; r++) {
      for (const threads of [1, 2]) {
        for (const f of files) {
          const pair = r % 2 === 0 ? (['cli', 'ort-node'] as const) : (['ort-node', 'cli'] as const);
          for (const engine of pair) {
            const t = engine === 'cli' ? await cli(threads, f.file) : await peer(threads, f.file);
            if (r > 0) samples.set(key(engine, threads, f.videos), [...(samples.get(key(engine, threads, f.videos)) ?? []), t]);
            log(
              `${r === 0 ? 'warm-up' : `round ${r}`}: ${engine}, ${threads} thread(s), ${f.videos} video(s): ${(t.ms / 1000).toFixed(2)} s (CPU ${t.cpuS.toFixed(2)} s, ${t.rssMb.toFixed(0)} MB)`,
            );
          }
          const ms = await engines[threads - 1].time(f.file);
          if (r > 0) inproc.set(key('in-process', threads, f.videos), [...(inproc.get(key('in-process', threads, f.videos)) ?? []), ms]);
        }
      }
    }
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }

  const rows: CliRow[] = [];
  for (const threads of [1, 2]) {
    for (const f of files) {
      for (const engine of ['cli', 'ort-node', 'in-process'] as const) {
        const k = key(engine, threads, f.videos);
        const ts = engine === 'in-process' ? inproc.get(k)! : samples.get(k)!.map((s) => s.ms);
        const ms = median(ts);
        const row: CliRow = {
          engine,
          ...(engine !== 'ort-node' ? { cli_engine: autoEngine([f.file]) } : {}),
          threads,
          videos: f.videos,
          frames: f.frames,
          runs: ts.length,
          ms_median: round(ms, 4),
          ms_min: round(Math.min(...ts), 4),
          ms_max: round(Math.max(...ts), 4),
          videos_per_s: round((1000 * f.videos) / ms),
        };
        if (engine !== 'in-process') {
          row.cpu_s_median = round(median(samples.get(k)!.map((s) => s.cpuS)));
          row.max_rss_mb = Math.round(Math.max(...samples.get(k)!.map((s) => s.rssMb)));
        }
        rows.push(row);
      }
    }
  }
  const find = (engine: CliEngine, threads: number, videos: number) =>
    rows.find((r) => r.engine === engine && r.threads === threads && r.videos === videos)!;
  const ratio = (a: CliRow, b: CliRow) => round(a.ms_median / b.ms_median);
  const ratios: Record<string, number | null> = {};
  for (const threads of [1, 2]) {
    for (const videos of [32, 1])
      ratios[`cli_over_ortnode_t${threads}_${videos}`] = ratio(find('cli', threads, videos), find('ort-node', threads, videos));
  }
  for (const threads of [1, 2]) {
    for (const videos of [32, 1])
      ratios[`cli_over_inprocess_t${threads}_${videos}`] = ratio(find('cli', threads, videos), find('in-process', threads, videos));
  }
  const c = cpus();
  return {
    date: new Date().toISOString(),
    machine: {
      cpu: c[0]?.model ?? 'unknown',
      cores: c.length,
      memory_gb: round(totalmem() / 2 ** 30),
      node: process.version,
      onnxruntime_node: ortVersion,
    },
    load_average_start: load0.map((x) => round(x)),
    load_average_end: loadavg().map((x) => round(x)),
    model: 'fluid1, full size (108.7 M parameters, 435 MB float32), random weights; the ONNX export of the same weights for the peer',
    commands: {
      cli: `npm run evaluate -- --model <dir> --threads N <file.tfrecord> (--engine auto: ${ortInstalled ? 'onnxruntime-node for files of 1 MB or more, the own SIMD engine below' : 'the own SIMD engine (onnxruntime-node is not installed)'})`,
      'ort-node': `node build-bench/ortNodePeer.mjs --model model.onnx --threads N <file.tfrecord> (onnxruntime-node ${ortVersion}, CPU provider, intra-op threads N, graph optimizations all, all videos in one padded batch)`,
      'in-process':
        "the engine the command line picks for the file, loaded once in a process that stays (bench/helpers/simdServe.ts), the prediction of the file's videos alone",
    },
    rounds,
    rows,
    ratios,
    checks: { max_probability_difference: maxDiff, max_engine_difference: engineDiff, failures },
  };
}

/** The section of RESULTS.md (bench/drivers/kernels.ts renders the page). */
export function cliSpeedMarkdown(r: CliSpeedResult | undefined): string {
  if (!r) return '';
  const x = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v}x`);
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const row = (threads: number, videos: number) => {
    const f = (e: CliEngine) => r.rows.find((q) => q.engine === e && q.threads === threads && q.videos === videos)!;
    const [a, b, c] = [f('cli'), f('ort-node'), f('in-process')];
    const on = a.cli_engine === 'ort' ? ', on onnxruntime-node' : a.cli_engine === 'own' ? ', own engine' : '';
    return `| ${videos === 32 ? '32 videos (300 down to 60 frames)' : 'one 300-frame video'}, ${threads} thread${threads > 1 ? 's' : ''} | ${s(a.ms_median)} s${on} (${a.videos_per_s} videos/s; CPU ${a.cpu_s_median} s, ${a.max_rss_mb} MB) | ${s(b.ms_median)} s (${b.videos_per_s} videos/s; CPU ${b.cpu_s_median} s, ${b.max_rss_mb} MB) | **${x(r.ratios[`cli_over_ortnode_t${threads}_${videos}`])}** | ${s(c.ms_median)} s | ${x(r.ratios[`cli_over_inprocess_t${threads}_${videos}`])} |`;
  };
  return `## The command line against onnxruntime-node, whole processes

\`npm run bench:cli-speed\` (also a part of \`npm run bench\`), ${r.date.slice(0, 10)}: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node},
onnxruntime-node ${r.machine.onnxruntime_node}; load average ${r.load_average_start.join(' ')} at the start, ${r.load_average_end.join(' ')} at the end.
Model: ${r.model}. Each process starts Node, loads the model from disk (page cache warm), reads the TFRecord, predicts
and prints; medians of ${r.rounds} rounds, every case of every engine once per round, interleaved, after a warm-up round.
The peer's probabilities were held to the command line's within ${r.checks.max_probability_difference?.toExponential(1) ?? 'n/a'} before timing, and the command line's
two engines to each other within ${r.checks.max_engine_difference?.toExponential(1) ?? 'n/a'} (\`--engine own\` against the default, 32 videos).

- command line: \`${r.commands.cli}\`
- peer: ${r.commands['ort-node']}
- in-process: ${r.commands['in-process']}

| case | \`npm run evaluate\` | onnxruntime-node | command line / peer (target at most 1) | in-process | command line / in-process |
|---|---|---|---|---|---|
${[row(1, 32), row(2, 32), row(1, 1), row(2, 1)].join('\n')}
${r.checks.failures.length ? `\nFailed: ${r.checks.failures.join('; ')}\n` : ''}`;
}

async function standalone(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
  const result = await cliSpeed({ rounds: Number(values.rounds) });
  const file = path.join(root, 'bench/results/results.json');
  const all = JSON.parse(await readFile(file, 'utf8'));
  all.cli_vs_ortnode = result;
  all.ratios = { ...all.ratios, ...Object.fromEntries(Object.entries(result.ratios).filter(([k]) => k.startsWith('cli_over_ortnode'))) };
  await writeFile(file, JSON.stringify(all, null, 2) + '\n');
  await run(path.join(root, 'node_modules/.bin/tsx'), ['bench/drivers/kernels.ts', '--render'], { cwd: root });
  process.stdout.write(cliSpeedMarkdown(result) + '\n' + JSON.stringify(result.ratios, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await standalone();
