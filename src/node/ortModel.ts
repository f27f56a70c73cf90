/**
 * The command line's second engine: onnxruntime-node (ONNX Runtime's native
 * CPU library, AVX2/AVX-512 kernels) running the project's own ONNX graph of
 * the converted model (core/export/onnx.ts), built in memory at load: no file
 * is written, and the weights are copied once, from the shards into the buffer
 * ONNX Runtime reads (onnxInPlace). Used when it is installed (a dependency of
 * the project's development install; `npm install onnxruntime-node
 * --ignore-scripts` elsewhere: its CPU binaries ship inside the package) and
 * the run is large enough to pay for its longer start (loadPredictor.ts).
 *
 * Batches: ONNX's LSTM computes every step of the batch's longest video for
 * every video of the batch (padding), so videos are sorted by length and cut
 * into batches of similar lengths (lengthBatches: the cut that costs fewest
 * padded steps, each step of a batch counted with a fixed cost besides its
 * rows), not padded to the longest of a whole window.
 *
 * Numerics: float32, ONNX Runtime's order of summation and its own sigmoid
 * and tanh; fluid1's clamp of the gates' sigmoid input to [-40, 13] is not in
 * ONNX's LSTM (docs/onnx.md): within 1e-6 of the own engine on the tests'
 * models (src/node/ortModel.test.ts).
 */
import type * as Ort from 'onnxruntime-node';
import { type ModelJson, firstNonFinite, nonFiniteWeight, storedBytes } from '../core/convert/modelFormat';
import { InputError } from '../core/errors';
import { type OnnxWeightSource, onnxInPlace } from '../core/export/onnx';
import type { VideoFeatures } from '../core/features/featureTypes';
import { paddedFrames } from '../core/features/padded';
import { fixedBatches } from '../core/model/batching';
import { checkVideos, type PredictOptions, type VideoPrediction, type VideoPredictor } from '../core/model/prediction';
import { widenHalf } from '../core/ndarray';
import { type ModelShards, openModelShards } from './simdModel';
import { wasmThreadsWanted } from './threads';

type OrtModule = typeof Ort;

/** onnxruntime-node if it is installed (and its native library loads), else null. */
export async function onnxRuntime(): Promise<OrtModule | null> {
  try {
    const ort = (await import('onnxruntime-node')) as OrtModule & { default?: OrtModule };
    return ort.InferenceSession ? ort : (ort.default ?? null);
  } catch {
    return null;
  }
}

/**
 * Videos (their frame counts, longest first) cut into runs of consecutive
 * videos, each a batch padded to its first (longest) video: the cut with the
 * least cost, a batch costing its padded steps times (its videos +
 * `stepCost`), the fixed part of a step (reading the recurrent weights,
 * whatever the rows). At most `maxVideos` videos and `maxRows` padded frames
 * a batch (at least one video). Dynamic programming over the cut points.
 */
export function lengthBatches(framesLongestFirst: readonly number[], maxRows: number, stepCost = 4, maxVideos = 64): number[][] {
  const n = framesLongestFirst.length;
  const best = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    for (let i = j - 1; i >= 0 && j - i <= maxVideos; i--) {
      const T = framesLongestFirst[i];
      if (j - i > 1 && (j - i) * T > maxRows) break;
      const cost = best[i] + T * (j - i + stepCost);
      if (cost < best[j]) {
        best[j] = cost;
        from[j] = i;
      }
    }
  }
  const out: number[][] = [];
  for (let j = n; j > 0; j = from[j]) out.unshift(Array.from({ length: j - from[j] }, (_, k) => from[j] + k));
  return out;
}

/** Padded frames a batch may hold (its features, LSTM gates and outputs: about 40 KB a frame at full size). */
const MAX_BATCH_ROWS = 12_000;

export class OrtModel implements VideoPredictor {
  private constructor(
    readonly meta: ModelJson['attentionLstm'],
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    readonly threads: number,
  ) {}

  /**
   * A converted model folder on onnxruntime-node: the shards read into one
   * buffer, the graph written around them, the session made from the bytes.
   * `threads`: as --threads (ALSTM_WASM_THREADS, else 1), at most the cores.
   */
  static async load(ort: OrtModule, dir: string, opts: { threads?: number } = {}): Promise<{ model: OrtModel; json: ModelJson }> {
    const threads = wasmThreadsWanted(opts);
    const shards = await openModelShards(dir);
    let bytes: Uint8Array;
    // With a second core to use, the weights ONNX takes unchanged (the head's, three quarters of the bytes) are read
    // on libuv's thread pool while this thread transposes the LSTMs' (measured, full size: the build 0.46 s to 0.35 s).
    const source = shardWeights(shards, threads > 1);
    try {
      bytes = onnxInPlace(shards.json.attentionLstm, source, { logits: true, unpackedHead: true });
      await source.settled();
    } finally {
      await source.settled().catch(() => undefined);
      shards.close();
    }
    const { json } = shards;
    const session = await ort.InferenceSession.create(bytes, {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Its threads sleep between parallel sections instead of spinning: on a shared machine (a cluster node, this
      // project's 2 cores under load) a spinning thread takes the core the other needs; measured, 2 threads, 32
      // videos, load 8: 3.8 s of user CPU against 4.3 s spinning, and shorter runs.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      // Errors only: the unpacked head's weights are graph inputs on purpose (onnxInPlace), which ONNX Runtime warns of.
      logSeverityLevel: 3,
    });
    return { model: new OrtModel(json.attentionLstm, ort, session, threads), json };
  }

  async predict(videos: readonly VideoFeatures[], opts: PredictOptions = {}): Promise<VideoPrediction[]> {
    checkVideos(videos, this.meta);
    const order = videos.map((_, i) => i).sort((a, b) => videos[b].frames - videos[a].frames);
    const frames = order.map((i) => videos[i].frames);
    const batches = opts.batchSize ? fixedBatches(order.length, opts.batchSize) : lengthBatches(frames, MAX_BATCH_ROWS);
    const results: VideoPrediction[] = new Array(videos.length);
    const s = this.meta.sizes;
    for (const batch of batches) {
      const vs = batch.map((j) => videos[order[j]]);
      const B = vs.length;
      const T = vs[0].frames;
      const { Tensor } = this.ort;
      const out = await this.session.run({
        rgb: new Tensor('float32', paddedFrames(vs, 'rgb', T), [B, T, s.rgbDim]),
        audio: new Tensor('float32', paddedFrames(vs, 'audio', T), [B, T, s.audioDim]),
        lengths: new Tensor(
          'int32',
          Int32Array.from(vs, (v) => v.frames),
          [B],
        ),
      });
      const C = s.classes;
      const p = out.probabilities.data as Float32Array;
      const lg = out.logits.data as Float32Array;
      const ar = out.attention_rgb.data as Float32Array;
      const aa = out.attention_audio.data as Float32Array;
      batch.forEach((j, b) => {
        const n = vs[b].frames;
        results[order[j]] = {
          probabilities: p.slice(b * C, (b + 1) * C),
          logits: lg.slice(b * C, (b + 1) * C),
          attention: { rgb: ar.slice(b * T, b * T + n), audio: aa.slice(b * T, b * T + n) },
        };
      });
    }
    return results;
  }

  dispose(): void {
    void this.session.release();
  }
}

/**
 * A converted model folder's weights for onnxInPlace, read from the shards
 * where they are wanted: the large ones straight into the ONNX buffer, those
 * the graph transposes (the LSTMs') into arrays of their own; float16 widened;
 * each checked for NaN and infinity as it is read, as the own engine checks.
 * `background`: the ones read straight into the buffer are handed to libuv's
 * thread pool, and checked once all are in (`settled`).
 */
function shardWeights(shards: ModelShards, background: boolean): OnnxWeightSource & { settled(): Promise<void> } {
  const where = new Map<string, { at: number; n: number; half: boolean }>();
  let at = 0;
  for (const e of shards.entries) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    where.set(e.name, { at, n, half: e.quantization?.dtype === 'float16' });
    at += storedBytes(e);
  }
  const starts: number[] = [];
  at = 0;
  for (const h of shards.handles) {
    starts.push(at);
    at += h.size;
  }
  /** The pieces of the shards' bytes [from, from + length): each within one shard. */
  function* pieces(from: number, length: number) {
    let i = 0;
    while (i + 1 < starts.length && starts[i + 1] <= from) i++;
    for (let done = 0; done < length; i++) {
      const h = shards.handles[i];
      const pos = from + done - starts[i];
      const n = Math.min(h.size - pos, length - done);
      yield { h, pos, done, n };
      done += n;
    }
  }
  const early = (h: ModelShards['handles'][number], pos: number) =>
    new InputError(`${h.file}: the shard ended early (read ${pos} of ${h.size} bytes)`);
  /** The shards' bytes [from, from + into.length) into `into`. */
  const readBytes = (from: number, into: Uint8Array) => {
    for (const { h, pos, done, n } of pieces(from, into.length)) {
      for (let k = 0; k < n;) {
        const got = h.read(into.subarray(done + k, done + n), pos + k);
        if (got === 0) throw early(h, pos + k);
        k += got;
      }
    }
  };
  const checked = (name: string, w: Float32Array) => {
    const bad = firstNonFinite(w);
    if (bad >= 0) throw new InputError(`${shards.jsonPath}: ${nonFiniteWeight(name, w[bad], bad)}`);
    return w;
  };
  const get = (name: string): Float32Array => {
    const { at, n, half } = where.get(name)!;
    if (half) {
      const raw = new Uint16Array(n);
      readBytes(at, new Uint8Array(raw.buffer));
      return checked(name, widenHalf(raw));
    }
    const w = new Float32Array(n);
    readBytes(at, new Uint8Array(w.buffer));
    return checked(name, w);
  };
  // Every read is handed to the pool at once: a chain would wait for this thread, busy transposing, between reads.
  const reads: Promise<void>[] = [];
  const later: [string, Float32Array][] = [];
  const inBackground = (name: string, out: Float32Array) => {
    const into = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    for (const { h, pos, done, n } of pieces(where.get(name)!.at, into.length)) {
      const piece = into.subarray(done, done + n);
      reads.push(
        h.readInBackground(piece, pos).then(async (got) => {
          // A short read (rare for a local file): the rest, one read at a time.
          for (let k = got; k < n; k += got) {
            if (got === 0) throw early(h, pos + k);
            got = await h.readInBackground(piece.subarray(k), pos + k);
          }
        }),
      );
    }
    later.push([name, out]);
  };
  return {
    size: (name) => where.get(name)?.n,
    get,
    writeInto: (name, out) => {
      if (where.get(name)!.half) out.set(get(name));
      else if (background) inBackground(name, out);
      else {
        readBytes(where.get(name)!.at, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
        checked(name, out);
      }
    },
    settled: async () => {
      // Every read ended (the shards are closed next), whatever one of them says.
      const failed = (await Promise.allSettled(reads.splice(0))).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      for (const [name, out] of later.splice(0)) checked(name, out);
    },
  };
}
