/**
 * The command line on the full-size architecture (random weights, 435 MB):
 * how long converting the combined file takes against reading it once, the
 * converter's peak memory against the file's size, and how long `predict` takes
 * for one 300-frame video on wasm, each started as `npm run` starts it (the
 * bundle, scripts/cli.mjs). Writes bench/results/results-cli.json.
 *
 *   npm run bench:cli
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { FULL_SIZES } from '../../src/core/model/architecture';
import { fluid1CombinedOrder, paddleTensorSpecs } from '../../src/core/model/paddleLayout';
import { encodeCombinedRecord } from '../../src/core/paddle/combined';
import { writeTfRecordFeatures } from '../../src/core/features/tfrecordFeatures';
import { seededRandom } from '../../src/core/training/seeded';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (s: string) => process.stderr.write(s + '\n');

async function writeFullSizeCombined(file: string): Promise<void> {
  const rand = seededRandom(1);
  const specs = new Map(paddleTensorSpecs('fluid1', FULL_SIZES).map((s) => [s.name, s]));
  const out = createWriteStream(file);
  for (const name of fluid1CombinedOrder()) {
    const spec = specs.get(name)!;
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    // Small weights keep the LSTM out of saturation, as trained weights are.
    const scale = 1 / Math.sqrt(spec.shape[0]);
    for (let i = 0; i < n; i++) data[i] = (rand() * 2 - 1) * scale;
    for (const part of encodeCombinedRecord({ dtype: 'float32', shape: spec.shape, data })) {
      if (!out.write(part)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
}

async function readOnce(file: string): Promise<number> {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    createReadStream(file, { highWaterMark: 16 << 20 })
      .on('data', () => {})
      .on('end', resolve)
      .on('error', reject);
  });
  return (performance.now() - t0) / 1000;
}

/** Runs a command of the CLI as `npm run <command>` starts it (its bundle: scripts/cli.mjs) under /usr/bin/time, for its wall time and peak resident memory. */
async function timed(args: string[]): Promise<{ seconds: number; maxRssMb: number; stdout: string }> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, 'scripts/cli.mjs', ...args], {
    cwd: root,
    maxBuffer: 256 << 20,
  });
  const m = /TIME ([\d.]+) (\d+)/.exec(stderr);
  if (!m) throw new Error(`no timing in: ${stderr.slice(-500)}`);
  return { seconds: Number(m[1]), maxRssMb: Number(m[2]) / 1024, stdout };
}

const dir = await mkdtemp(path.join(tmpdir(), 'alstm-bench-'));
try {
  const weights = path.join(dir, 'AttentionLSTM_final.pdparams');
  log('writing a full-size combined file with random weights ...');
  await writeFullSizeCombined(weights);
  const bytes = (await stat(weights)).size;
  const reads = [await readOnce(weights), await readOnce(weights), await readOnce(weights)].sort((a, b) => a - b);
  log(`read once: ${reads[1].toFixed(2)} s (median of 3)`);
  // The floor of any conversion: the same bytes read and written once (cp), and starting the CLI at all.
  const copies: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await run('cp', [weights, path.join(dir, 'copy.bin')]);
    copies.push((performance.now() - t0) / 1000);
  }
  copies.sort((a, b) => a - b);
  // Starting at all: Node and the launcher's check that the bundle is current (built once first).
  await run(process.execPath, ['scripts/cli.mjs', '--build'], { cwd: root });
  const starts = [];
  for (let i = 0; i < 3; i++) starts.push((await timed(['--build'])).seconds);
  starts.sort((a, b) => a - b);
  log(`copy (read + write once): ${copies[1].toFixed(2)} s; starting the CLI: ${starts[1].toFixed(2)} s`);
  const conversions = [];
  for (let i = 0; i < 3; i++) conversions.push(await timed(['convert', weights, '--out', path.join(dir, 'model')]));
  conversions.sort((a, b) => a.seconds - b.seconds);
  const conv = conversions[1];
  log(`convert: ${conv.seconds.toFixed(2)} s, peak RSS ${conv.maxRssMb.toFixed(0)} MB`);

  const rand = seededRandom(2);
  const frame = (dim: number) => Uint8Array.from({ length: dim }, () => Math.floor(rand() * 256));
  const video = {
    id: 'full-300',
    labels: [0],
    rgb: Array.from({ length: 300 }, () => frame(1024)),
    audio: Array.from({ length: 300 }, () => frame(128)),
  };
  await writeFile(path.join(dir, 'video.tfrecord'), writeTfRecordFeatures([video]));
  const predictions = [];
  for (let i = 0; i < 3; i++)
    predictions.push(await timed(['predict', '--model', path.join(dir, 'model'), path.join(dir, 'video.tfrecord')]));
  predictions.sort((a, b) => a.seconds - b.seconds);
  const pred = predictions[1];
  const doc = JSON.parse(pred.stdout);
  if (doc.videos[0].probabilities.length !== FULL_SIZES.classes) throw new Error('predict returned the wrong class count');
  log(`predict (one 300-frame video, wasm, model load included): ${pred.seconds.toFixed(2)} s, peak RSS ${pred.maxRssMb.toFixed(0)} MB`);

  const results = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    file: { bytes },
    readOnceSeconds: reads[1],
    copyOnceSeconds: copies[1],
    cliStartSeconds: starts[1],
    convert: {
      seconds: conv.seconds,
      maxRssMb: Math.round(conv.maxRssMb),
      secondsVsReadOnce: conv.seconds / reads[1],
      secondsVsCopy: conv.seconds / copies[1],
      rssVsFile: (conv.maxRssMb * 2 ** 20) / bytes,
    },
    predict300: { seconds: pred.seconds, maxRssMb: Math.round(pred.maxRssMb) },
  };
  await writeFile(path.join(root, 'bench/results/results-cli.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
} finally {
  await rm(dir, { recursive: true, force: true });
}
