/**
 * `npm run bench`: the full-size AttentionLSTM (random weights) side by side,
 * one 300-frame video and a batch of 32 videos of mixed lengths, on
 *   webgpu-fused  one WGSL dispatch per time step for all four LSTMs (src/kernels/),
 *   webgpu-ops    the op-by-op tfjs path, in the same Chromium session,
 *   wasm          the command line's engine in Node (SimdModel: the whole forward
 *                 pass on the project's SIMD kernels), on 1 and on 2 threads;
 *   wasm-page     the same engine in a Chromium page, started as the playground's
 *                 worker starts it (tools/kernelHarness/wasmPage.ts), 1 and 2 threads;
 *   cpu           tfjs's cpu backend in Node, with the packed kernel;
 * and a peer: ONNX Runtime Web running the project's ONNX export of the same
 * model on the same videos, in the same Chromium session, on wasm with 1 and 2
 * threads and on WebGPU, each held to the project's probabilities (within
 * 1e-5) before it is timed (tools/kernelHarness/ortPeer.ts). The project's
 * wasm (Node and page) and the peer's wasm run interleaved, run for run, at
 * the same thread count (the machine is shared: all see the same load); the
 * ratios to the peer are the page's, the same browser and engine as the peer's.
 * Then the command line as users run it (whole processes, model load
 * included) against onnxruntime-node, the native peer (bench/drivers/cliSpeed.ts,
 * also `npm run bench:cli-speed` alone).
 * The extractor's rows (bench/drivers/extractor.ts): the Inception stand-in through the
 * GraphDef interpreter against the same network written with tfjs ops, frames per second on
 * wasm (1 and 2 threads) and WebGPU.
 * Medians of several runs after a warm-up. Prints a table, writes
 * bench/results/results.json and bench/results/RESULTS.md.
 *
 * Cases that would take many minutes (the op path on WebGPU and the cpu backend
 * for 32 videos) run on shorter videos and fewer times; their rows say so
 * (`frames`, `runs`, `note`). BENCH_QUICK=1 runs everything on short videos
 * (a smoke test of the benchmark itself; its numbers mean little), and writes
 * its results to the system's temporary folder, not to bench/results/.
 * BENCH_ONLY=wasm (or cpu, webgpu, cli, extractor, and lists of them) runs only those parts, also
 * to the temporary folder (the wasm part needs the WebGPU fused outputs as the
 * peer's reference: it runs the fused cases without timing them). `--render`
 * rewrites RESULTS.md from results.json without measuring.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FULL_SIZES, multiplyAdds, parameterCount } from '../../src/core/model/architecture';
import { type HarnessSession, chromiumCpuSeconds, openHarness } from '../../tools/kernelHarness/browser';
import type { OrtEngine } from '../../tools/kernelHarness/ortPeer';
import type { KernelHarness } from '../../tools/kernelHarness/harness';
import { mixedLengths } from '../../tools/kernelHarness/benchModel';
import type { NodeCase, NodeResult, ServeReply, ServeRequest } from '../helpers/nodeCases';
import { STEP_WEIGHTS, probeBuffers, probes } from '../helpers/probeKernels';
import { median } from '../helpers/stats';
import { maxDiff } from '../../tools/testing/compare';
import { type CliSpeedResult, cliSpeed, cliSpeedMarkdown } from './cliSpeed';
import { type ExtractorBench, extractorBench, extractorMarkdown, extractorTable } from './extractor';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
const log = (s: string) => process.stderr.write(s + '\n');
const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : null;
const part = (name: 'webgpu' | 'wasm' | 'cpu' | 'cli' | 'extractor') => !ONLY || ONLY.has(name);
/** Results of a partial or quick run go to the temporary folder. */
const SCRATCH = QUICK || ONLY !== null;

type PathName = 'webgpu-fused' | 'webgpu-ops' | 'wasm' | 'wasm-page' | 'cpu';

interface Plan {
  path: PathName;
  lengths: number[];
  runs: number;
  warmup: number;
  note?: string;
}

export interface CaseRow {
  path: PathName;
  /**
   * Threads the engine computes with: tfjs-wasm's thread count (1 in Node), 1 for the cpu
   * backend (plain JavaScript); null for WebGPU, whose work runs on the GPU (here on
   * SwiftShader's own CPU threads).
   */
  threads: number | null;
  videos: number;
  /** Frames in the case, all videos together. */
  frames: number;
  /** Time steps the recurrence takes: the longest video. */
  steps: number;
  runs: number;
  ms_median: number;
  ms_min: number;
  ms_max: number;
  videos_per_s: number;
  ms_per_step: number;
  /** Multiply-adds of the case (architecture.ts multiplyAdds, summed over the videos) per second. */
  gmacs_per_s: number;
  /** That, over the backend's measured peak (a large matMul on the same backend). */
  fraction_of_peak: number;
  /** CPU seconds Chromium used per run (WebGPU runs on the CPU here), median. */
  cpu_s_per_run?: number;
  note?: string;
}

const round = (x: number, d = 3) => Number(x.toPrecision(d + 1));

function scaled(lengths: number[], longest: number): number[] {
  const max = Math.max(...lengths);
  return lengths.map((n) => Math.max(1, Math.round((n * longest) / max)));
}

const ONE = [300];
const BATCH = mixedLengths(32, 300);
const q = (lengths: number[]) => (QUICK ? scaled(lengths, 12) : lengths);

/** The peer's engines and cases: its wasm build with 1 and 2 threads, its WebGPU build. */
interface PeerPlan {
  engine: OrtEngine;
  threads: number;
  cases: { lengths: number[]; runs: number; note?: string }[];
}
const peerPlan: PeerPlan[] = [
  // ORT-web's WebGPU LSTM takes about 1.1 s per time step on SwiftShader (measured in a quick run): one
  // 300-frame video is 5 to 6 minutes, so one timed run after the equivalence run, and no batch of 32.
  {
    engine: 'webgpu',
    threads: 1,
    cases: [
      {
        lengths: q(ONE),
        runs: 1,
        note: "one run after the equivalence run (ORT-web's WebGPU LSTM takes about 1.1 s per time step on SwiftShader)",
      },
    ],
  },
];
/**
 * The project's wasm (Node, packed kernel) and ORT-web's wasm (Chromium), interleaved run for run,
 * at 1 and at 2 threads each.
 */
const wasmPlan: { threads: number; cases: { lengths: number[]; runs: number }[] }[] = [1, 2].map((threads) => ({
  threads,
  cases: [
    { lengths: q(ONE), runs: QUICK ? 1 : 5 },
    { lengths: q(BATCH), runs: QUICK ? 1 : 3 },
  ],
}));
/** The largest difference of a probability (and of an attention weight) the peer may show before it is timed. */
const PEER_TOLERANCE = 1e-5;

export interface PeerRow {
  engine: 'ort-web-wasm' | 'ort-web-webgpu';
  /** ONNX Runtime's wasm threads (env.wasm.numThreads; its WebGPU build runs its few CPU nodes on 1). */
  threads: number;
  videos: number;
  frames: number;
  steps: number;
  runs: number;
  ms_median: number;
  ms_min: number;
  ms_max: number;
  ms_per_step: number;
  gmacs_per_s: number;
  /** Against the project's probabilities and attention (WebGPU, fused path) for the same videos. */
  max_probability_difference: number;
  max_attention_difference: number | null;
  /** Nodes ONNX Runtime's WebGPU provider has no kernel for, run on its CPU provider. */
  nodes_on_cpu?: string[];
  note?: string;
}

const webgpuPlan: Plan[] = [
  { path: 'webgpu-fused', lengths: q(ONE), runs: QUICK ? 1 : 5, warmup: 1 },
  { path: 'webgpu-ops', lengths: q(ONE), runs: QUICK ? 1 : 3, warmup: 1 },
  { path: 'webgpu-fused', lengths: q(BATCH), runs: QUICK ? 1 : 3, warmup: 1 },
  {
    path: 'webgpu-ops',
    lengths: scaled(BATCH, QUICK ? 6 : 12),
    runs: 1,
    warmup: 1,
    note: 'shortened: 32 videos of 12..2 frames, one run (the op path on SwiftShader needs about 5 s per step for 32 videos)',
  },
];
const cpuPlan: (NodeCase & { note?: string })[] = [
  { lengths: q(ONE), runs: QUICK ? 1 : 2, warmup: 1, note: 'two runs (the cpu backend, plain JavaScript, takes seconds per video)' },
  { lengths: scaled(BATCH, QUICK ? 6 : 20), runs: 1, warmup: 1, note: 'shortened: 32 videos of 20..4 frames, one run' },
];

function row(
  p: { path: PathName; lengths: number[]; runs: number; note?: string },
  times: number[],
  peakGmacs: number,
  threads: number | null,
  cpuS?: number[],
): CaseRow {
  const ms = median(times);
  const macs = p.lengths.reduce((n, f) => n + multiplyAdds(FULL_SIZES, f), 0);
  const steps = Math.max(...p.lengths);
  const gmacs = macs / (ms * 1e6);
  const r: CaseRow = {
    path: p.path,
    threads,
    videos: p.lengths.length,
    frames: p.lengths.reduce((a, b) => a + b, 0),
    steps,
    runs: times.length,
    ms_median: round(ms, 4),
    ms_min: round(Math.min(...times), 4),
    ms_max: round(Math.max(...times), 4),
    videos_per_s: round((1000 * p.lengths.length) / ms),
    ms_per_step: round(ms / steps),
    gmacs_per_s: round(gmacs),
    fraction_of_peak: round(gmacs / peakGmacs),
  };
  if (cpuS) r.cpu_s_per_run = round(median(cpuS));
  if (p.note) r.note = p.note;
  return r;
}

async function nodeCases(backend: 'wasm' | 'cpu', cases: NodeCase[], peakN: number): Promise<NodeResult> {
  const tsx = path.join(root, 'node_modules/.bin/tsx');
  const arg = JSON.stringify({ cases: cases.map(({ lengths, runs, warmup }) => ({ lengths, runs, warmup })), peakN, threads: 1 });
  const child = run(tsx, ['bench/helpers/nodeCases.ts', backend, arg], { cwd: root, maxBuffer: 64 << 20 });
  child.child.stderr?.on('data', (d) => process.stderr.write(d));
  const { stdout } = await child;
  return JSON.parse(stdout.trim().split('\n').pop()!) as NodeResult;
}

/** bench/helpers/nodeCases.ts in serve mode: the project's model loaded once in a Node process, one run per request. */
class NodeServer {
  private readonly replies: ((r: ServeReply) => void)[] = [];
  private constructor(
    private readonly child: ChildProcess,
    readonly threads: number,
  ) {}

  static async start(backend: 'wasm' | 'cpu', threads: number): Promise<NodeServer> {
    const child = spawn(
      path.join(root, 'node_modules/.bin/tsx'),
      ['bench/helpers/nodeCases.ts', 'serve', backend, JSON.stringify({ threads })],
      { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    child.stderr?.on('data', (d) => process.stderr.write(d));
    const lines = createInterface({ input: child.stdout! });
    let server: NodeServer | null = null;
    const ready = new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the Node ${backend} process exited (${code})`)));
      lines.on('line', (line) => {
        const r = JSON.parse(line) as ServeReply;
        if (!server) {
          if (r.ok && 'ready' in r) resolve(r.threads);
          else reject(new Error(`the Node ${backend} process: ${JSON.stringify(r)}`));
        } else {
          server.replies.shift()?.(r);
        }
      });
    });
    const actual = await ready;
    server = new NodeServer(child, actual);
    return server;
  }

  private request(req: ServeRequest): Promise<ServeReply> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.child.stdin!.write(JSON.stringify(req) + '\n');
    });
  }

  async run(lengths: number[], seed: number, outputs = false) {
    const r = await this.request({ cmd: 'run', lengths, seed, outputs });
    if (!r.ok) throw new Error(r.error);
    if (!('ms' in r)) throw new Error('the Node process answered something else');
    return r;
  }

  async peak(n: number, runs: number) {
    const r = await this.request({ cmd: 'peak', n, runs });
    if (!r.ok || !('peak' in r)) throw new Error(`peak: ${JSON.stringify(r)}`);
    return r.peak;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.write(JSON.stringify({ cmd: 'quit' }) + '\n');
    this.child.stdin!.end();
    await exited;
  }
}

/**
 * The project's wasm (Node, the packed kernel, as the command line runs it;
 * and the same engine in a Chromium page, as the playground runs it) and
 * ORT-web's wasm (Chromium), at the same thread count, interleaved run for
 * run: Node, page, peer, Node, page, peer, ... after a warm-up run of each, so
 * that all see the same load on the shared machine. The page and ORT-web are
 * held to the Node outputs within PEER_TOLERANCE before they are timed; the
 * Node outputs are held to the WebGPU fused path's when those exist.
 */
async function wasmInterleaved(s: HarnessSession, webgpuReferences: Map<string, Reference>, failures: string[]) {
  const rows: CaseRow[] = [];
  const peers: PeerRow[] = [];
  const peaks: Record<string, { n: number; gmacs_per_s: number }> = {};
  let version: string | null = null;
  let crossOriginIsolated: boolean | null = null;
  let projectVsWebgpu: number | null = null;
  const gm = (p: { macs: number; times: number[] }) => p.macs / (median(p.times) * 1e6);
  for (const plan of wasmPlan) {
    const label = `wasm, ${plan.threads} thread(s)`;
    let node: NodeServer | null = null;
    let page: Awaited<ReturnType<HarnessSession['openProjectWasm']>> | null = null;
    let peer: Awaited<ReturnType<HarnessSession['openOrtPeer']>> | null = null;
    try {
      log(`${label}: the project's model in Node and in a Chromium page, ONNX Runtime Web in Chromium ...`);
      node = await NodeServer.start('wasm', plan.threads);
      if (node.threads !== plan.threads) throw new Error(`the project's wasm runs ${node.threads} thread(s), not ${plan.threads}`);
      page = await s.openProjectWasm({ threads: plan.threads });
      if (page.info.threads !== plan.threads || page.info.recurrenceThreads !== plan.threads) {
        throw new Error(
          `the project's wasm page runs ${page.info.threads} thread(s), its recurrence ${page.info.recurrenceThreads}, not ${plan.threads}`,
        );
      }
      await page.call('buildModel', { variant: 'fluid1', seed: 1 });
      peer = await s.openOrtPeer({ engine: 'wasm', threads: plan.threads });
      version = peer.info.version ?? null;
      crossOriginIsolated = peer.info.crossOriginIsolated;
      if (plan.threads > 1 && !peer.info.crossOriginIsolated)
        throw new Error('the page is not cross-origin isolated: ONNX Runtime would run 1 thread');
      const built = await peer.call('buildModel', { variant: 'fluid1', seed: 1 });
      if (built.threads !== plan.threads) throw new Error(`ONNX Runtime runs ${built.threads} threads, not ${plan.threads}`);
      const p = await node.peak(QUICK ? 256 : 2048, 2);
      peaks[`t${plan.threads}`] = { n: p.n, gmacs_per_s: round(gm(p)) };
      for (const c of plan.cases) {
        const key = c.lengths.join(',');
        log(
          `  ${c.lengths.length} video(s), ${Math.max(...c.lengths)} steps: warm-up and equivalence, then ${c.runs} runs each, interleaved ...`,
        );
        const first = await node.run(c.lengths, 5, true);
        const ref: Reference = {
          probabilities: first.outputs!.map((v) => v.probabilities),
          attention: first.outputs!.map((v) => v.attention),
        };
        const gpu = webgpuReferences.get(key);
        if (gpu) {
          const d = Math.max(...gpu.probabilities.map((pr, i) => maxDiff(pr, ref.probabilities[i])));
          projectVsWebgpu = Math.max(projectVsWebgpu ?? 0, d);
          if (!(d <= PEER_TOLERANCE))
            failures.push(`${label}, ${c.lengths.length} video(s): the project's wasm differs from its WebGPU path by ${d}`);
        }
        const pageFirst = await page.call('timeRun', { lengths: c.lengths, seed: 5, outputs: true });
        const pageDiff = Math.max(
          ...pageFirst.outputs!.map((v, i) =>
            Math.max(
              maxDiff(v.probabilities, ref.probabilities[i]),
              maxDiff(v.attention.rgb, ref.attention[i].rgb),
              maxDiff(v.attention.audio, ref.attention[i].audio),
            ),
          ),
        );
        const pageEquivalent = pageDiff <= PEER_TOLERANCE;
        if (!pageEquivalent)
          failures.push(
            `${label}, ${c.lengths.length} video(s): the project's wasm page differs from its Node run by ${pageDiff}, not timed`,
          );
        const eq = await peer.call('timeCase', {
          lengths: c.lengths,
          seed: 5,
          runs: 0,
          warmup: 0,
          reference: ref.probabilities,
          referenceAttention: ref.attention,
          tolerance: PEER_TOLERANCE,
        });
        log(
          `  warm-up: project ${first.ms.toFixed(0)} ms, page ${pageFirst.ms.toFixed(0)} ms (against Node ${pageDiff.toExponential(2)}), peer ${eq.firstMs.toFixed(0)} ms; peer against project: probabilities ${eq.probDiff.toExponential(2)}, attention ${eq.attDiff?.toExponential(2)}`,
        );
        const mine: number[] = [];
        const inPage: number[] = [];
        const theirs: number[] = [];
        const load: number[] = [];
        for (let i = 0; i < c.runs; i++) {
          mine.push((await node.run(c.lengths, 5)).ms);
          if (pageEquivalent) inPage.push((await page.call('timeRun', { lengths: c.lengths, seed: 5 })).ms);
          if (eq.equivalent) theirs.push((await peer.call('timeRun', { lengths: c.lengths, seed: 5 })).ms);
          load.push(loadavg()[0]);
          log(
            `    project ${mine[i].toFixed(0)} ms${pageEquivalent ? `, page ${inPage[i].toFixed(0)} ms` : ''}${eq.equivalent ? `, peer ${theirs[i].toFixed(0)} ms` : ''} (load ${load[i].toFixed(2)})`,
          );
        }
        const peakGmacs = gm(p);
        rows.push({
          ...row({ path: 'wasm', lengths: c.lengths, runs: c.runs }, mine, peakGmacs, node.threads),
          note: `Node; interleaved with the page and ORT-web wasm, ${plan.threads} thread(s); load average ${median(load).toFixed(2)}`,
        });
        if (pageEquivalent) {
          rows.push({
            ...row({ path: 'wasm-page', lengths: c.lengths, runs: c.runs }, inPage, peakGmacs, page.info.threads),
            note: `Chromium page, as the playground's worker runs it (recurrence on ${page.info.recurrenceThreads} thread(s)); interleaved with Node and ORT-web wasm; outputs within ${pageDiff.toExponential(1)} of Node's`,
          });
        }
        if (!eq.equivalent) {
          failures.push(
            `ort-web-wasm, ${plan.threads} thread(s), ${c.lengths.length} video(s): not equivalent (probabilities ${eq.probDiff}, attention ${eq.attDiff}), not timed`,
          );
          continue;
        }
        const ms = median(theirs);
        const steps = Math.max(...c.lengths);
        peers.push({
          engine: 'ort-web-wasm',
          threads: plan.threads,
          videos: c.lengths.length,
          frames: c.lengths.reduce((a, b) => a + b, 0),
          steps,
          runs: theirs.length,
          ms_median: round(ms, 4),
          ms_min: round(Math.min(...theirs), 4),
          ms_max: round(Math.max(...theirs), 4),
          ms_per_step: round(ms / steps),
          gmacs_per_s: round(first.macs / (ms * 1e6)),
          max_probability_difference: Number(eq.probDiff.toPrecision(3)),
          max_attention_difference: eq.attDiff === null ? null : Number(eq.attDiff.toPrecision(3)),
          note: "interleaved with the project's wasm; held to the project's wasm outputs",
        });
      }
    } catch (e) {
      failures.push(`${label}: ${String((e as Error).message ?? e).split('\n')[0]}`);
      log(`${label} failed: ${(e as Error).message?.slice(0, 500)}`);
    } finally {
      await peer?.close();
      await page?.close();
      await node?.close();
    }
  }
  return { rows, peers, peaks, version, crossOriginIsolated, projectVsWebgpu };
}

interface Reference {
  probabilities: number[][];
  attention: { rgb: number[]; audio: number[] }[];
}

function findPeer(rows: PeerRow[], engine: PeerRow['engine'], threads: number, videos: number): PeerRow | undefined {
  return rows.find((r) => r.engine === engine && r.threads === threads && r.videos === videos);
}

/**
 * ONNX Runtime Web, one page per engine and thread count in the harness's
 * browser: the full-size random model (the same seed as the project's cases)
 * through the project's ONNX exporter, the same videos, held to the project's
 * probabilities and attention before it is timed. A peer that differs, or
 * fails, is recorded in `failures` and has no row.
 */
async function peerCases(s: HarnessSession, references: Map<string, Reference>, failures: string[]) {
  const rows: PeerRow[] = [];
  let version: string | null = null;
  let crossOriginIsolated: boolean | null = null;
  for (const plan of peerPlan) {
    const engine = plan.engine === 'webgpu' ? 'ort-web-webgpu' : 'ort-web-wasm';
    const label = `${engine}, ${plan.threads} thread(s)`;
    let peer: Awaited<ReturnType<HarnessSession['openOrtPeer']>> | null = null;
    try {
      log(`${label}: loading ONNX Runtime Web ...`);
      peer = await s.openOrtPeer({ engine: plan.engine, threads: plan.threads });
      version = peer.info.version ?? null;
      crossOriginIsolated = peer.info.crossOriginIsolated;
      if (plan.threads > 1 && !peer.info.crossOriginIsolated)
        throw new Error('the page is not cross-origin isolated: ONNX Runtime would run 1 thread');
      const built = await peer.call('buildModel', { variant: 'fluid1', seed: 1 });
      log(
        `  ONNX export ${(built.onnxBytes / 1e6).toFixed(1)} MB in ${(built.exportMs / 1000).toFixed(1)} s, session in ${(built.sessionMs / 1000).toFixed(1)} s` +
          (built.nodesOnCpu.length ? `; on the CPU provider: ${built.nodesOnCpu.join(', ')}` : ''),
      );
      if (built.threads !== plan.threads) throw new Error(`ONNX Runtime runs ${built.threads} threads, not ${plan.threads}`);
      for (const c of plan.cases) {
        const ref = references.get(c.lengths.join(','));
        if (!ref) throw new Error(`no project outputs for ${c.lengths.length} video(s) to hold the peer to`);
        log(`  ${c.lengths.length} video(s), ${Math.max(...c.lengths)} steps: equivalence run + ${c.runs} runs ...`);
        const r = await peer.call('timeCase', {
          lengths: c.lengths,
          seed: 5,
          runs: c.runs,
          warmup: 0,
          reference: ref.probabilities,
          referenceAttention: ref.attention,
          tolerance: PEER_TOLERANCE,
        });
        log(
          `  equivalence: probabilities ${r.probDiff.toExponential(2)}, attention ${r.attDiff?.toExponential(2)} (${r.firstMs.toFixed(0)} ms); runs ${r.times.map((t) => t.toFixed(0)).join(', ')} ms`,
        );
        if (!r.equivalent) {
          failures.push(
            `${label}, ${c.lengths.length} video(s): not equivalent (probabilities ${r.probDiff}, attention ${r.attDiff}), not timed`,
          );
          continue;
        }
        const ms = median(r.times);
        const steps = Math.max(...c.lengths);
        rows.push({
          engine,
          threads: built.threads ?? plan.threads,
          videos: c.lengths.length,
          frames: c.lengths.reduce((a, b) => a + b, 0),
          steps,
          runs: r.times.length,
          ms_median: round(ms, 4),
          ms_min: round(Math.min(...r.times), 4),
          ms_max: round(Math.max(...r.times), 4),
          ms_per_step: round(ms / steps),
          gmacs_per_s: round(r.macs / (ms * 1e6)),
          max_probability_difference: Number(r.probDiff.toPrecision(3)),
          max_attention_difference: r.attDiff === null ? null : Number(r.attDiff.toPrecision(3)),
          ...(plan.engine === 'webgpu' ? { nodes_on_cpu: built.nodesOnCpu } : {}),
          ...(c.note ? { note: c.note } : {}),
        });
      }
    } catch (e) {
      failures.push(`${label}: ${String((e as Error).message ?? e).split('\n')[0]}`);
      log(`${label} failed: ${(e as Error).message?.slice(0, 500)}`);
    } finally {
      await peer?.close();
    }
  }
  return { rows, version, crossOriginIsolated };
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = loadavg();
  const rows: CaseRow[] = [];

  // ---- WebGPU, one Chromium session
  log('Chromium: starting WebGPU ...');
  const s = await openHarness({
    log: (m) => {
      if (/error|warn/i.test(m) && !/404|favicon/.test(m)) log(m);
    },
  });
  const gm = (p: { macs: number; times: number[] }) => p.macs / (median(p.times) * 1e6);
  const failures: string[] = [];
  let info: Awaited<ReturnType<KernelHarness['init']>> | null = null;
  let webgpuPeaks: { tfjs: { n: number; gmacs: number }; custom: { n: number; gmacs: number }; peak: number } | null = null;
  const probeResults: Record<string, { ms: number; g_per_s: number }> = {};
  const recurrence: Record<string, number> = {};
  let fusedVsOpsDiff: number | null = null;
  /** The project's outputs (fused path) per case, which the WebGPU peer is held to. */
  const references = new Map<string, Reference>();
  if (part('webgpu')) {
    info = await s.call('init');
    if (!info.setBackend || info.backend !== 'webgpu') throw new Error(`WebGPU did not start: ${JSON.stringify(info)}`);
    log(`adapter: ${JSON.stringify(info.adapter)}`);
    const built = await s.call('buildModel', { variant: 'fluid1', seed: 1 });
    log(`model: ${built.parameters} parameters`);

    const peakTfjs = await s.call('peak', { n: QUICK ? 256 : 1024, runs: 2, impl: 'tfjs' });
    const peakCustom = await s.call('peak', { n: QUICK ? 256 : 2048, runs: 2, impl: 'custom' });
    webgpuPeaks = {
      tfjs: { n: peakTfjs.n, gmacs: gm(peakTfjs) },
      custom: { n: peakCustom.n, gmacs: gm(peakCustom) },
      peak: Math.max(gm(peakTfjs), gm(peakCustom)),
    };
    log(
      `WebGPU peak: tfjs matMul ${gm(peakTfjs).toFixed(3)} GMAC/s (${peakTfjs.n}^3), register-tiled program ${gm(peakCustom).toFixed(3)} GMAC/s (${peakCustom.n}^3)`,
    );

    // What this WebGPU implementation charges for the step's loads and multiply-adds (bench/drivers/probes.ts).
    for (const p of probes.filter((x) => x.id === 'multiply_adds_only' || x.id === 'weight_loads_tiled')) {
      const r = await s.call('micro', { code: p.code, dispatch: p.dispatch, buffers: probeBuffers, runs: 3, perRun: 5 });
      if (r.error) throw new Error(`probe ${p.id}: ${r.error}`);
      const best = Math.min(...r.times);
      probeResults[p.id] = { ms: round(best), g_per_s: round(STEP_WEIGHTS / (best * 1e6)) };
      log(`probe ${p.name}: ${best.toFixed(1)} ms`);
    }
    // The recurrence alone (random gate inputs, 20 steps): ms per step, fused and op path, one video and 32.
    for (const [key, c] of [
      ['webgpu_fused_1', { path: 'webgpu-fused', lengths: [20] }],
      ['webgpu_ops_1', { path: 'webgpu-ops', lengths: [20] }],
      ['webgpu_fused_32', { path: 'webgpu-fused', lengths: mixedLengths(32, 20) }],
    ] as const) {
      await s.call('prepareLstm', { variant: 'fluid1', D: FULL_SIZES.lstm, path: c.path, lengths: [...c.lengths] });
      await s.call('timeLstm', { runs: 1 });
      const r = await s.call('timeLstm', { runs: QUICK ? 1 : 3 });
      await s.call('disposeLstm');
      recurrence[key] = round(median(r.msPerStep));
      log(`recurrence alone, ${key}: ${recurrence[key]} ms per step`);
    }

    for (const p of webgpuPlan) {
      log(`${p.path}: ${p.lengths.length} video(s), ${Math.max(...p.lengths)} steps, ${p.warmup} warm-up + ${p.runs} runs ...`);
      const times: number[] = [];
      const cpuS: number[] = [];
      for (let i = 0; i < p.warmup + p.runs; i++) {
        const c0 = chromiumCpuSeconds();
        const last = i === p.warmup + p.runs - 1;
        const r = await s.call('timeCase', {
          path: p.path as 'webgpu-fused' | 'webgpu-ops',
          lengths: p.lengths,
          runs: 1,
          warmup: 0,
          seed: 5,
          outputs: last && p.path === 'webgpu-fused',
        });
        if (r.outputs)
          references.set(p.lengths.join(','), {
            probabilities: r.outputs.map((v) => v.probabilities),
            attention: r.outputs.map((v) => v.attention),
          });
        const cpu = chromiumCpuSeconds() - c0;
        if (r.errors.length) throw new Error(`WebGPU errors: ${r.errors.join('; ')}`);
        log(`  ${r.times[0].toFixed(0)} ms${i < p.warmup ? ' (warm-up)' : ''}, Chromium CPU ${cpu.toFixed(1)} s`);
        if (i >= p.warmup) {
          times.push(r.times[0]);
          cpuS.push(cpu);
        }
        if (r.diffVsOtherPath !== null && p.lengths.length === 1) fusedVsOpsDiff = Math.max(fusedVsOpsDiff ?? 0, r.diffVsOtherPath);
      }
      rows.push(row(p, times, webgpuPeaks.peak, null, cpuS));
    }
    await s.call('disposeModel');
  }

  // ---- wasm: the project (Node) and the peer (ORT-web in the same Chromium), interleaved, 1 and 2 threads
  const wasm = part('wasm') ? await wasmInterleaved(s, references, failures) : null;
  if (wasm) rows.push(...wasm.rows);

  // ---- The WebGPU peer, ONNX Runtime Web, in the same Chromium session (its own page), on the same model and videos
  const peers = part('webgpu')
    ? await peerCases(s, references, failures)
    : { rows: [] as PeerRow[], version: null, crossOriginIsolated: null };
  peers.rows.unshift(...(wasm?.peers ?? []));
  const ortVersion = wasm?.version ?? peers.version;
  // ---- The extractor: its Inception network, interpreter against direct, wasm in Node and WebGPU in the same Chromium
  const extractor: ExtractorBench | null = part('extractor') ? await extractorBench(s, { quick: QUICK, log }) : null;
  if (extractor) failures.push(...extractor.failures);
  const foreign = s.foreignRequests();
  if (foreign.length) failures.push(`requests left localhost: ${foreign.slice(0, 5).join(', ')}`);
  const chromium = s.version;
  await s.close();

  // ---- Node: cpu (a failure is recorded, not fatal)
  let cpu: { result: NodeResult; peakGmacs: number } | null = null;
  if (part('cpu')) {
    try {
      const r = await nodeCases('cpu', cpuPlan, QUICK ? 128 : 1024);
      const peakGmacs = gm(r.peak);
      r.cases.forEach((c, i) => rows.push(row({ path: 'cpu', ...c, note: cpuPlan[i].note }, c.times, peakGmacs, r.threads)));
      cpu = { result: r, peakGmacs };
    } catch (e) {
      failures.push(`cpu: ${String((e as Error).message ?? e).split('\n')[0]}`);
      log(`cpu failed: ${(e as Error).message?.slice(0, 500)}`);
    }
  }

  // ---- The command line against onnxruntime-node, whole processes (bench/drivers/cliSpeed.ts)
  let cli: CliSpeedResult | null = null;
  if (part('cli')) {
    try {
      cli = await cliSpeed({ rounds: QUICK ? 1 : 5 });
      failures.push(...cli.checks.failures);
    } catch (e) {
      failures.push(`cli: ${String((e as Error).message ?? e).split('\n')[0]}`);
      log(`cli failed: ${(e as Error).message?.slice(0, 500)}`);
    }
  }

  const find = (p: PathName, videos: number, threads?: number) =>
    rows.find((r) => r.path === p && r.videos === videos && (threads === undefined || r.threads === threads));
  const ratio = (a?: { ms_median: number }, b?: { ms_median: number }) => (a && b ? round(a.ms_median / b.ms_median) : null);
  const fo32 = find('webgpu-ops', 32);
  const ff32 = find('webgpu-fused', 32);
  const ratios = {
    webgpu_fused_vs_ops_1: ratio(find('webgpu-ops', 1), find('webgpu-fused', 1)),
    webgpu_fused_32_vs_1: ratio(ff32, find('webgpu-fused', 1)),
    wasm_32_vs_1: ratio(find('wasm', 32, 1), find('wasm', 1, 1)),
    wasm_32_vs_1_t2: ratio(find('wasm', 32, 2), find('wasm', 1, 2)),
    /** 1 thread over 2, the project's wasm. */
    wasm_t1_vs_t2_1: ratio(find('wasm', 1, 1), find('wasm', 1, 2)),
    wasm_t1_vs_t2_32: ratio(find('wasm', 32, 1), find('wasm', 32, 2)),
    /** Per time step, as the op path's batch case is shortened. */
    webgpu_fused_vs_ops_32_per_step: fo32 && ff32 ? round(fo32.ms_per_step / ff32.ms_per_step) : null,
    webgpu_fused_vs_wasm_1: ratio(find('wasm', 1, 1), find('webgpu-fused', 1)),
    /**
     * The project's median over the peer's, both at the same thread count (1, then 2), measured interleaved:
     * the project's wasm in a Chromium page (the playground's engine), in the same browser as the peer.
     */
    project_over_ortweb_wasm_t1_1: ratio(find('wasm-page', 1, 1), findPeer(peers.rows, 'ort-web-wasm', 1, 1)),
    project_over_ortweb_wasm_t1_32: ratio(find('wasm-page', 32, 1), findPeer(peers.rows, 'ort-web-wasm', 1, 32)),
    project_over_ortweb_wasm_t2_1: ratio(find('wasm-page', 1, 2), findPeer(peers.rows, 'ort-web-wasm', 2, 1)),
    project_over_ortweb_wasm_t2_32: ratio(find('wasm-page', 32, 2), findPeer(peers.rows, 'ort-web-wasm', 2, 32)),
    /** The same with the command line's engine (Node's V8, an older wasm compiler than Chromium's). */
    node_over_ortweb_wasm_t1_1: ratio(find('wasm', 1, 1), findPeer(peers.rows, 'ort-web-wasm', 1, 1)),
    node_over_ortweb_wasm_t1_32: ratio(find('wasm', 32, 1), findPeer(peers.rows, 'ort-web-wasm', 1, 32)),
    node_over_ortweb_wasm_t2_1: ratio(find('wasm', 1, 2), findPeer(peers.rows, 'ort-web-wasm', 2, 1)),
    node_over_ortweb_wasm_t2_32: ratio(find('wasm', 32, 2), findPeer(peers.rows, 'ort-web-wasm', 2, 32)),
    project_over_ortweb_webgpu_1: ratio(find('webgpu-fused', 1), findPeer(peers.rows, 'ort-web-webgpu', 1, 1)),
    /** `npm run evaluate` over onnxruntime-node, whole processes (model load included), 1 and 2 threads, 32 videos and one. */
    cli_over_ortnode_t1_32: cli?.ratios.cli_over_ortnode_t1_32 ?? null,
    cli_over_ortnode_t2_32: cli?.ratios.cli_over_ortnode_t2_32 ?? null,
    cli_over_ortnode_t1_1: cli?.ratios.cli_over_ortnode_t1_1 ?? null,
    cli_over_ortnode_t2_1: cli?.ratios.cli_over_ortnode_t2_1 ?? null,
  };
  const load1 = loadavg();
  const cpuList = cpus();
  const result = {
    machine: {
      cpu: cpuList[0]?.model ?? 'unknown',
      cores: cpuList.length,
      memory_gb: round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
      chromium,
      webgpu_adapter: info?.adapter ?? null,
      gpu:
        info === null
          ? 'not measured (BENCH_ONLY)'
          : info.adapter && (info.adapter as { architecture?: string }).architecture === 'swiftshader'
            ? 'none: WebGPU runs on SwiftShader, a CPU implementation'
            : 'see webgpu_adapter',
      wasm_threads: wasm ? [...new Set(wasm.rows.map((r) => r.threads))] : null,
      onnxruntime_web: ortVersion,
      cross_origin_isolated: wasm?.crossOriginIsolated ?? peers.crossOriginIsolated,
      load_average_start: load0.map((x) => round(x)),
      load_average_end: load1.map((x) => round(x)),
      date: started.toISOString(),
      quick: QUICK,
      only: ONLY ? [...ONLY] : null,
    },
    model: {
      variant: 'fluid1',
      sizes: FULL_SIZES,
      parameters: parameterCount('fluid1', FULL_SIZES),
      multiply_adds_300_frames: multiplyAdds(FULL_SIZES, 300),
      recurrent_multiply_adds_per_step: 4 * FULL_SIZES.lstm * 4 * FULL_SIZES.lstm,
      weights: 'random, uniform in +-1/sqrt(fan-in)',
      batch_lengths: BATCH,
    },
    peaks: {
      webgpu: webgpuPeaks && {
        tfjs_matmul: { n: webgpuPeaks.tfjs.n, gmacs_per_s: round(webgpuPeaks.tfjs.gmacs) },
        register_tiled_matmul: { n: webgpuPeaks.custom.n, gmacs_per_s: round(webgpuPeaks.custom.gmacs) },
        peak_gmacs_per_s: round(webgpuPeaks.peak),
      },
      /** tfjs-wasm's matMul (XNNPACK) in Node, n^3, per thread count. */
      wasm: wasm && { ...wasm.peaks, peak_gmacs_per_s: wasm.peaks.t1?.gmacs_per_s ?? null },
      cpu: cpu && { tfjs_matmul: { n: cpu.result.peak.n, gmacs_per_s: round(cpu.peakGmacs) }, peak_gmacs_per_s: round(cpu.peakGmacs) },
    },
    cases: rows,
    /** The command line (whole processes) against onnxruntime-node, and against its engine in-process. */
    cli_vs_ortnode: cli,
    /** ONNX Runtime Web on the project's ONNX export of the same model, same videos, same Chromium session. */
    peers: peers.rows,
    ratios,
    /** The extractor's Inception stand-in: interpreter and direct network, ms per frame, frames per second. */
    extractor,
    /** Raw WGSL on one step's shapes: loads only (16.8 M weights, tiled layout) and multiply-adds only (16.8 M). */
    probes: probeResults,
    /** The recurrence alone (20 steps, random gate inputs), ms per time step; the 32 videos are 20..4 frames long. */
    recurrence_ms_per_step: recurrence,
    checks: {
      fused_vs_ops_max_probability_difference_1_video: fusedVsOpsDiff,
      /** The project's wasm path (packed kernel) against its WebGPU fused path, same videos. */
      wasm_vs_webgpu_fused_max_probability_difference: wasm?.projectVsWebgpu ?? null,
      targets: {
        fused_at_least_10x_ops_1_video: ratios.webgpu_fused_vs_ops_1 !== null && ratios.webgpu_fused_vs_ops_1 >= 10,
        fused_32_at_most_4x_1: ratios.webgpu_fused_32_vs_1 !== null && ratios.webgpu_fused_32_vs_1 <= 4,
        wasm_at_most_ortweb_t1: [ratios.project_over_ortweb_wasm_t1_1, ratios.project_over_ortweb_wasm_t1_32].every(
          (x) => x !== null && x <= 1,
        ),
        wasm_at_most_ortweb_t2: [ratios.project_over_ortweb_wasm_t2_1, ratios.project_over_ortweb_wasm_t2_32].every(
          (x) => x !== null && x <= 1,
        ),
        cli_at_most_ortnode: [
          ratios.cli_over_ortnode_t1_32,
          ratios.cli_over_ortnode_t2_32,
          ratios.cli_over_ortnode_t1_1,
          ratios.cli_over_ortnode_t2_1,
        ].every((x) => x !== null && x <= 1),
        wasm_t2_one_video_at_most_600_ms:
          (find('wasm', 1, 2)?.ms_median ?? Infinity) <= 600 && (find('wasm-page', 1, 2)?.ms_median ?? Infinity) <= 600,
      },
      failures,
    },
  };
  const md = markdown(result);
  // A quick run's numbers mean little: they go to the temporary folder, for checking the benchmark itself.
  const outDir = SCRATCH ? tmpdir() : path.join(root, 'bench/results');
  const [jsonFile, mdFile] = SCRATCH
    ? ['attention-lstm-bench-quick.json', 'attention-lstm-bench-quick.md']
    : ['results.json', 'RESULTS.md'];
  await writeFile(path.join(outDir, jsonFile), JSON.stringify(result, null, 2) + '\n');
  await writeFile(path.join(outDir, mdFile), md);
  if (extractor) process.stdout.write(extractorTable(extractor.rows) + '\n\n');
  process.stdout.write(table(rows) + '\n\n' + peerTable(peers.rows) + '\n\n' + JSON.stringify(ratios, null, 2) + '\n');
  if (SCRATCH) log(`BENCH_QUICK or BENCH_ONLY: results written to ${path.join(outDir, jsonFile)} and ${mdFile}, not to bench/results/`);
  if (failures.length) log(`failed: ${failures.join('; ')}`);
}

/**
 * Multiply-adds of one batch as it is executed. The packed path (the fused
 * WebGPU kernel, wasm and cpu with the packed kernel) computes the real frames
 * only: embedding, projections, recurrence and attention; the op path
 * (webgpu-ops) computes every frame of the padded [B, T] batch, the masked
 * steps included.
 */
function executedMacs(lengths: number[], path: 'packed' | 'padded'): number {
  const s = FULL_SIZES;
  const D = s.lstm;
  const T = Math.max(...lengths);
  const frames = path === 'packed' ? lengths.reduce((a, b) => a + b, 0) : lengths.length * T;
  const perFrame = (s.rgbDim + s.audioDim) * s.embed + 2 * (2 * s.embed * 4 * D + 2 * D);
  const recurrent = 2 * 2 * D * 4 * D;
  const head = 4 * D * s.head1 + s.head1 * s.head2 + s.head2 * s.classes;
  return frames * (perFrame + recurrent) + lengths.length * head;
}

/** The wasm part of the analysis (packed kernel, page and Node, 1 and 2 threads), from this run's measurements. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function wasmAnalysis(r: any): string {
  const c = (p: PathName, v: number, threads: number) =>
    (r.cases as CaseRow[]).find((x) => x.path === p && x.videos === v && x.threads === threads);
  const [a1, a32, b1, b32] = [c('wasm-page', 1, 1), c('wasm-page', 32, 1), c('wasm-page', 1, 2), c('wasm-page', 32, 2)];
  const [n1, n2] = [c('wasm', 1, 1), c('wasm', 1, 2)];
  if (!a1 || !a32) return '';
  const fmt = (x: number, d = 1) => x.toFixed(d);
  const macs1 = multiplyAdds(FULL_SIZES, 300) / 1e9;
  const packed = executedMacs(r.model.batch_lengths, 'packed') / 1e9;
  const padded = executedMacs(r.model.batch_lengths, 'padded') / 1e9;
  const stepWeightsMb = (4 * FULL_SIZES.lstm * FULL_SIZES.lstm * 4) / 2 ** 20;
  return `
- **wasm** (the packed kernel; in the page): one video ${fmt(a1.ms_median)} ms on 1 thread${b1 ? `, ${fmt(b1.ms_median)} ms on 2` : ''};
  32 videos ${fmt(a32.ms_median / 1000)} s${b32 ? ` and ${fmt(b32.ms_median / 1000)} s` : ''}${n1 ? `; in Node one video ${fmt(n1.ms_median)} ms${n2 ? ` and ${fmt(n2.ms_median)} ms` : ''}` : ''}. The batch is packed:
  ${fmt(packed, 0)} G multiply-adds for its real frames instead of ${fmt(padded, 0)} G padded, ${fmt(packed / macs1)}x one video's work.
  One video's recurrence is 1,200 matrix-vector products (4 LSTMs x ${a1.steps} steps), each over one LSTM's
  ${fmt(stepWeightsMb, 0)} MB of weights: bound by how fast the weights come from the 32 MB last-level cache, where they stay
  because the kernel runs one LSTM at a time through all its steps. The products and the gates are the
  project's own SIMD kernels (src/kernels/lstmSimd/): a 1-row product with eight accumulators, 0.22 ms
  against 0.28 ms for XNNPACK's fully connected operator, which tfjs-wasm's matMul runs. On 2 threads each
  step is split by units between the threads, which meet at every step's end; together they read one
  LSTM's weights per step (two LSTMs at once, 32 MB, ran each 1.7x slower). In the page the embedding and
  the input projections run on the same product, a panel at a time for all the rows (20 ms against
  XNNPACK's 29 for 300 x 512 by 512 x 4096); in Node they stay tfjs's matMul (XNNPACK), as Node 20's V8
  compiles the SIMD kernels about 1.5x slower than Chromium's does.`;
}

/** Why the numbers are what they are, from this run's own measurements. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function analysis(r: any): string {
  const c = (p: PathName, v: number, threads?: number) =>
    (r.cases as CaseRow[]).find((x) => x.path === p && x.videos === v && (threads === undefined || x.threads === threads));
  const f1 = c('webgpu-fused', 1);
  const o1 = c('webgpu-ops', 1);
  const f32 = c('webgpu-fused', 32);
  const rec = r.recurrence_ms_per_step;
  const pr = r.probes;
  const wasmPart = wasmAnalysis(r);
  if (!f1 || !o1 || !f32 || !rec || !pr?.weight_loads_tiled) return wasmPart ? `## What limits these numbers\n${wasmPart}` : '';
  const steps = f1.steps;
  const recF = rec.webgpu_fused_1 * steps;
  const floor = pr.weight_loads_tiled.ms;
  const macs1 = multiplyAdds(FULL_SIZES, 300) / 1e9;
  const macs32 = executedMacs(r.model.batch_lengths, 'packed') / 1e9;
  const peak = r.peaks.webgpu.peak_gmacs_per_s;
  const fmt = (x: number, d = 1) => x.toFixed(d);
  const cpuRatio = o1.cpu_s_per_run && f1.cpu_s_per_run ? fmt(o1.cpu_s_per_run / f1.cpu_s_per_run) : '?';
  return `## What limits these numbers

The WebGPU adapter here is SwiftShader: WebGPU implemented on the CPU, ${r.machine.cores} cores. Its costs are not a GPU's.
The cores are shared with other work (load average above), which stretches wall times; the CPU seconds
Chromium spends per run (last column) do not depend on it: ${o1.cpu_s_per_run} s for the op path against ${f1.cpu_s_per_run} s
for the fused path, one video (${cpuRatio}x).

- **Loads.** A load whose address depends on the invocation is an emulated gather on SwiftShader. Loading the
  16.8 M recurrent weights of one time step once, in the fused kernel's tiled layout and doing nothing else,
  takes ${fmt(floor)} ms (${pr.weight_loads_tiled.g_per_s} G loads/s); the multiply-adds alone take ${fmt(pr.multiply_adds_only.ms)} ms
  (${pr.multiply_adds_only.g_per_s} GMAC/s). The fused step for one video takes ${rec.webgpu_fused_1} ms, ${fmt(rec.webgpu_fused_1 / floor, 2)}x that load floor;
  the op path's step takes ${rec.webgpu_ops_1} ms (recurrence alone, 20 steps, random inputs).
- **One video, fused against op path: ${r.ratios.webgpu_fused_vs_ops_1}x (target 10x).** Of the fused path's ${fmt(f1.ms_median / 1000)} s, about
  ${fmt(recF / 1000)} s is the recurrence (${steps} steps) and the rest the embedding, the input projections (${fmt((4 * steps * FULL_SIZES.embed * 4 * FULL_SIZES.lstm) / 1e9, 2)} G
  multiply-adds, register-tiled program at ~${r.peaks.webgpu.register_tiled_matmul.gmacs_per_s} GMAC/s; tfjs's own matMul runs at
  ${r.peaks.webgpu.tfjs_matmul.gmacs_per_s} GMAC/s here), attention and head. 10x would mean ${fmt(o1.ms_median / 10 / 1000)} s for the video,
  ${fmt(o1.ms_median / 10 / steps)} ms per step for everything: less than loading the weights once per step costs here (${fmt(floor)} ms).
  On a GPU the op path's ~18,000 dispatches per video are the cost and the fused step is a memory-bound
  matrix-vector product; this machine has no GPU to measure that.
- **32 videos against one, fused: ${r.ratios.webgpu_fused_32_vs_1}x (target 4x).** The batch (${r.model.batch_lengths[0]}..${r.model.batch_lengths[r.model.batch_lengths.length - 1]} frames)
  is packed: only its real frames are computed, ${fmt(macs32, 0)} G multiply-adds
  (padded to ${f32.steps} frames it would be ${fmt(executedMacs(r.model.batch_lengths, 'padded') / 1e9, 0)} G):
  ${fmt(macs32 / macs1)}x one video's ${fmt(macs1)} G. At the backend's measured peak (${peak} GMAC/s) that arithmetic alone
  needs ${fmt(macs32 / peak)} s, ${fmt(macs32 / peak / (f1.ms_median / 1000))}x the one-video time; the batch took ${fmt(f32.ms_median / 1000)} s. The fused kernel
  reads each weight once per step per 8 videos; what remains is arithmetic, which a CPU pays in full and a
  GPU would hardly notice. Per step, the fused recurrence costs ${rec.webgpu_fused_32} ms for 32 videos (20..4 frames) against
  ${rec.webgpu_fused_1} ms for one.${wasmPart}
`;
}

function formatTable(head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(' | ')} |`;
  return [
    line(head),
    `|${w.map((n, i) => (i === 0 ? ':' : '') + '-'.repeat(n + 1) + (i === 0 ? '' : ':')).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

function table(rows: CaseRow[]): string {
  const head = [
    'path',
    'threads',
    'videos',
    'frames',
    'steps',
    'runs',
    'median ms',
    'min ms',
    'max ms',
    'videos/s',
    'ms/step',
    'GMAC/s',
    'of peak',
    'CPU s/run',
  ];
  const body = rows.map((r) =>
    [
      r.path,
      r.threads ?? (r.path.startsWith('webgpu') ? 'GPU' : '-'),
      r.videos,
      r.frames,
      r.steps,
      r.runs,
      r.ms_median,
      r.ms_min,
      r.ms_max,
      r.videos_per_s,
      r.ms_per_step,
      r.gmacs_per_s,
      `${(100 * r.fraction_of_peak).toFixed(1)}%`,
      r.cpu_s_per_run ?? '-',
    ].map(String),
  );
  return formatTable(head, body);
}

function peerTable(rows: PeerRow[]): string {
  const head = [
    'peer',
    'threads',
    'videos',
    'frames',
    'steps',
    'runs',
    'median ms',
    'min ms',
    'max ms',
    'ms/step',
    'GMAC/s',
    'max prob. diff',
    'max att. diff',
  ];
  const body = rows.map((r) =>
    [
      r.engine,
      r.threads,
      r.videos,
      r.frames,
      r.steps,
      r.runs,
      r.ms_median,
      r.ms_min,
      r.ms_max,
      r.ms_per_step,
      r.gmacs_per_s,
      r.max_probability_difference.toExponential(1),
      r.max_attention_difference === null ? '-' : r.max_attention_difference.toExponential(1),
    ].map(String),
  );
  return formatTable(head, body);
}

/** The peer's part of RESULTS.md (empty for results measured before the peer existed). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function peerMarkdown(r: any): string {
  const rows = r.peers as PeerRow[] | undefined;
  if (!rows) return '';
  const q = r.ratios;
  const x = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : `${v}x`);
  const cpuNodes = (rows.find((p) => p.nodes_on_cpu)?.nodes_on_cpu ?? []).map((n) => n.split(' ')[0]);
  const one = rows.find((p) => p.videos === 1);
  const notes = rows.filter((p) => p.note).map((p) => `- ${p.engine}, ${p.threads} thread(s), ${p.videos} video(s): ${p.note}.`);
  return `## The peer: ONNX Runtime Web

ONNX Runtime Web ${r.machine.onnxruntime_web ?? '?'} runs the project's own ONNX export (\`npm run export -- --format onnx\`,
docs/onnx.md) of the same random model, on the same videos, in the same Chromium session (one page per
engine and thread count; the pages are cross-origin isolated: ${r.machine.cross_origin_isolated}), its
files served from localhost. Before it is timed, each case's probabilities and attention are held to the
project's within ${PEER_TOLERANCE.toExponential(0)} (its wasm to the project's wasm, its WebGPU to the project's fused WebGPU path); the
differences are in the table. The first run is that check and the warm-up; times are \`session.run\` calls
with the batch packed inside, as the project's are \`predictVideos\` calls. ORT-web's wasm and the project's
wasm run interleaved, one run each in turn, at the same thread count.

${rows.length ? peerTable(rows) : '(no peer case ran)'}
${notes.length ? `\n${notes.join('\n')}\n` : ''}
Project over peer (the project's median over the peer's; above 1, the peer is faster; target: at most 1).
The project's side is its wasm engine in a page of the same Chromium, started as the playground's worker
starts it (tfjs-wasm, the threaded SIMD build on 2 threads, the project's packed LSTM kernel with its
recurrence on a helper Web Worker: tools/kernelHarness/wasmPage.ts): the same browser, V8 and wasm compiler
as the peer's. The command line's engine (Node ${r.machine.node}, an older V8) is below it:

| | 1 video x ${one?.frames ?? '?'} frames | 32 videos |
|---|---|---|
| project wasm / ORT-web wasm, 1 thread each | **${x(q.project_over_ortweb_wasm_t1_1)}** | **${x(q.project_over_ortweb_wasm_t1_32)}** |
| project wasm / ORT-web wasm, 2 threads each | **${x(q.project_over_ortweb_wasm_t2_1)}** | **${x(q.project_over_ortweb_wasm_t2_32)}** |
| command line (Node) / ORT-web wasm, 1 thread each | ${x(q.node_over_ortweb_wasm_t1_1)} | ${x(q.node_over_ortweb_wasm_t1_32)} |
| command line (Node) / ORT-web wasm, 2 threads each | ${x(q.node_over_ortweb_wasm_t2_1)} | ${x(q.node_over_ortweb_wasm_t2_32)} |
| project WebGPU (fused) / ORT-web WebGPU | **${x(q.project_over_ortweb_webgpu_1)}** | |
${
  cpuNodes.length
    ? `
ORT-web's WebGPU provider runs every node of the graph, the four LSTMs included, except ${cpuNodes.join(', ')}:
the frame mask's int64 shape arithmetic, which ONNX Runtime places on its CPU provider.`
    : ''
}
On WebGPU both sides run on SwiftShader here; ORT-web's LSTM there costs ${findPeer(rows, 'ort-web-webgpu', 1, 1)?.ms_per_step ?? '?'} ms per time step, the
project's fused kernel ${(r.cases as CaseRow[]).find((c) => c.path === 'webgpu-fused' && c.videos === 1)?.ms_per_step ?? '?'} ms (whole video over its steps).
`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function markdown(r: any): string {
  const m = r.machine;
  const notes = (r.cases as CaseRow[]).filter((c) => c.note).map((c) => `- ${c.path}, ${c.videos} video(s): ${c.note}.`);
  return `# Benchmark: the AttentionLSTM, full size, random weights

\`npm run bench\`, ${m.date.slice(0, 10)}. Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GiB, ${m.os};
Node ${m.node}; Chromium ${m.chromium} headless; WebGPU adapter ${JSON.stringify(m.webgpu_adapter)}
(GPU: ${m.gpu}); wasm threads ${m.wasm_threads}. Load average ${m.load_average_start.join(' ')} at the start,
${m.load_average_end.join(' ')} at the end (the cores are shared).

Model: ${r.model.variant}, ${r.model.parameters.toLocaleString('en')} parameters, ${(r.model.multiply_adds_300_frames / 1e9).toFixed(2)} G multiply-adds
for a 300-frame video, ${(r.model.recurrent_multiply_adds_per_step / 1e6).toFixed(1)} M of them recurrent per time step. The batch: 32 videos of
${r.model.batch_lengths[0]} down to ${r.model.batch_lengths[r.model.batch_lengths.length - 1]} frames. Times are whole \`predictVideos\` calls (upload, forward, read-back), medians after a warm-up.

${table(r.cases)}

${notes.join('\n')}

Ratios: op path over fused path, one video: **${r.ratios.webgpu_fused_vs_ops_1}x**; fused, 32 videos over one: **${r.ratios.webgpu_fused_32_vs_1}x**;
wasm, 32 videos over one: **${r.ratios.wasm_32_vs_1}x** on 1 thread, ${r.ratios.wasm_32_vs_1_t2 ?? 'n/a'}x on 2; wasm, 1 thread over 2: ${r.ratios.wasm_t1_vs_t2_1 ?? 'n/a'}x (one video),
${r.ratios.wasm_t1_vs_t2_32 ?? 'n/a'}x (32); op path over fused per time step for 32 videos: ${r.ratios.webgpu_fused_vs_ops_32_per_step}x;
wasm (1 thread) over fused WebGPU, one video: ${r.ratios.webgpu_fused_vs_wasm_1}x.

Peaks (a large matMul on the same backend): WebGPU ${r.peaks.webgpu?.peak_gmacs_per_s} GMAC/s (tfjs matMul ${r.peaks.webgpu?.tfjs_matmul.gmacs_per_s} at ${r.peaks.webgpu?.tfjs_matmul.n}^3,
the register-tiled program ${r.peaks.webgpu?.register_tiled_matmul.gmacs_per_s} at ${r.peaks.webgpu?.register_tiled_matmul.n}^3); wasm ${r.peaks.wasm?.t1?.gmacs_per_s ?? r.peaks.wasm?.peak_gmacs_per_s} GMAC/s on 1 thread${r.peaks.wasm?.t2 ? `, ${r.peaks.wasm.t2.gmacs_per_s} on 2` : ''} (${r.peaks.wasm?.t1?.n ?? r.peaks.wasm?.tfjs_matmul?.n}^3); cpu ${r.peaks.cpu?.peak_gmacs_per_s} GMAC/s (${r.peaks.cpu?.tfjs_matmul.n}^3).
"GMAC/s" is the case's multiply-adds over its time, "of peak" that over the backend's peak.

Fused against op path, one video, largest difference of a probability: ${r.checks.fused_vs_ops_max_probability_difference_1_video}; the wasm path
(packed kernel) against the fused WebGPU path, same videos: ${r.checks.wasm_vs_webgpu_fused_max_probability_difference ?? 'n/a'}.

${peerMarkdown(r)}
${cliSpeedMarkdown(r.cli_vs_ortnode ?? undefined)}
${r.extractor ? extractorMarkdown(r.extractor, 'Machine and load as above.') : ''}
${analysis(r)}
${r.checks.failures.length ? `\nFailed: ${r.checks.failures.join('; ')}\n` : ''}`;
}

/** `--render`: rewrites bench/results/RESULTS.md from bench/results/results.json (after editing the text, without measuring again). */
async function render(): Promise<void> {
  const r = JSON.parse(await readFile(path.join(root, 'bench/results/results.json'), 'utf8'));
  await writeFile(path.join(root, 'bench/results/RESULTS.md'), markdown(r));
  process.stdout.write(table(r.cases) + '\n');
}

if (process.argv.includes('--render')) await render();
else await main();
