/**
 * The whole AttentionLSTM forward pass on the project's SIMD kernels, in one
 * WebAssembly memory of its own: what the command line predicts with. No tfjs:
 * the weights are read from the model's shards straight into the memory, in
 * the layout the kernels read (every matrix in panels of 32 columns, each LSTM
 * gate padded to Dp units), once; nothing is packed again at the first
 * prediction, and nothing is copied between heaps.
 *
 * A batch of videos is packed as Paddle's LoD batches are (core/model/packedBatch.ts:
 * only the real frames, ranked longest first), and computed one modality at a
 * time: the embedding of every frame; per LSTM, chunks of time steps, each the
 * input projections of just those steps' frames (a matrix product over the
 * chunk's rows) and then the steps of the recurrence (recurrence.ts), whose h
 * goes into the modality's BiLSTM output [N, 2Dp]; the attention over each
 * video's frames. Then the head for the batch. So a batch holds per frame its
 * features, its embedding and its BiLSTM output (14 KB at full size), not the
 * 64 KB of the four LSTMs' projections: 32 full-size videos of 300 down to 60
 * frames are one batch, and the recurrence's products have 32 rows to share
 * each weight's load, not one.
 *
 * Threads: every product split by panels, every step of the recurrence by
 * units (helper.ts); a column or a unit is always computed by one thread in
 * the same order, so the outputs are identical on any number of threads.
 *
 * Numerics: float32 throughout, as the tfjs path, in another order of
 * summation (within float32 rounding of it: src/kernels/lstmSimd/model.test.ts
 * holds it to the float64 reference); the input projection's bias is added to
 * the recurrent bias once (gates add both at each step), sigmoid and tanh are
 * the kernels' own (within 3 ulp), the softmax and the final sigmoid are
 * computed in float64 and rounded.
 */
import { type AttentionLstmMeta, firstNonFinite, type ManifestEntry, nonFiniteWeight } from '../../core/convert/modelFormat';
import { InputError } from '../../core/errors';
import { featuresInto } from '../../core/features/dequantize';
import type { VideoFeatures } from '../../core/features/featureTypes';
import { BEHAVIOUR, DIRECTIONS, MODALITIES, type Modality, canonicalTensors, featureDim } from '../../core/model/architecture';
import { fixedBatches } from '../../core/model/batching';
import { checkVideos, type PredictOptions, type VideoPrediction } from '../../core/model/prediction';
import { packedLayout, packedSteps } from '../../core/model/packedLayout';
import type { VideosWithWindowsOptions, VideoWithWindows, WindowsPredictor } from '../../core/segments/videosWithWindows';
import { type WindowSettings, windowCount, windowSettings, windowStarts } from '../../core/segments/windows';
import { widenHalf } from '../../core/ndarray';
import type { HelperPort } from './helper';
import { LSTM_SIMD_PANEL as PANEL, align, paddedUnits, regions } from './layout';
import { CONTROL_WORDS, type LinearJob, type RecurrenceJob, runLinear, runRecurrence, threadsFor } from './recurrence';
import { SimdTeam } from './team';

const panelCols = (n: number) => Math.ceil(n / PANEL) * PANEL;

/** Frames the windows of a video of `frames` frames hold together (at a hop below the length, a frame is in several). */
function windowFrames(frames: number, ws: WindowSettings): number {
  let sum = 0;
  for (let t = 0; t < frames; t += ws.hop) sum += Math.min(ws.length, frames - t);
  return sum;
}

/** Where a matrix lies: panels [cols / 32][K][32] at `at`, or a plain vector. */
interface Matrix {
  at: number;
  K: number;
  cols: number;
}

interface LstmWeights {
  wx: Matrix;
  wh: Matrix;
  /** The input projection's bias and the recurrent one [4Dp] each, and their sum, which the gates add. */
  bx: number;
  bh: number;
  bias: number;
  /** Peepholes i, f, o [3Dp] (zeros without them). */
  peep: number;
}

interface ModalityWeights {
  dim: number;
  embed: Matrix;
  embedBias: number;
  lstm: Record<'fw' | 'bw', LstmWeights>;
  /** Attention [2Dp] (the forward half at 0, the backward at Dp) and its bias (one float). */
  att: number;
  attBias: number;
}

/** Where each canonical tensor's elements go: rows and columns of a matrix to K rows and panel columns; a vector's elements to floats. */
interface Placement {
  name: string;
  rows: number;
  cols: number;
  /** Row r of the tensor to row k of the panels (matrices), in runs of `rowBlock` rows. */
  rowBlock: number;
  rowPitch: number;
  /** Columns in runs of `colBlock`, run g starting at column g * colPitch. */
  colBlock: number;
  colPitch: number;
  /** Panels (a matrix) or floats (a vector) at this byte offset. */
  matrix: Matrix | null;
  at: number;
}

export interface SimdModelOptions {
  helpers?: readonly HelperPort[];
  /** Working memory of a batch (features, embeddings, BiLSTM outputs), in bytes. Default 128 MiB. */
  budgetBytes?: number;
}

export class SimdModel implements WindowsPredictor {
  private readonly Dp: number;
  private readonly Ep: number;
  private readonly modality: Record<Modality, ModalityWeights>;
  private readonly head: { fc1: Matrix; b1: number; fc2: Matrix; b2: number; logit: Matrix; b3: number };
  private readonly placements: Placement[];
  /** End of the weights: the working memory of a batch starts here. */
  private readonly weightsEnd: number;
  private loaded = false;
  private readonly budgetBytes: number;
  private largestPass = 0;

  private constructor(
    readonly meta: AttentionLstmMeta,
    private readonly team: SimdTeam,
    opts: SimdModelOptions,
  ) {
    const s = meta.sizes;
    const D = s.lstm;
    const Dp = (this.Dp = paddedUnits(D));
    const Ep = (this.Ep = panelCols(s.embed));
    this.budgetBytes = opts.budgetBytes ?? 128 << 20;
    const { take, end } = regions(align(CONTROL_WORDS * 4));
    const matrix = (K: number, cols: number): Matrix => ({ at: take(K * panelCols(cols) * 4), K, cols: panelCols(cols) });
    const placements: Placement[] = [];
    const place = (
      name: string,
      rows: number,
      cols: number,
      where: Matrix | number,
      rowBlock = rows,
      rowPitch = rowBlock,
      colBlock = cols,
      colPitch = colBlock,
    ) =>
      placements.push({
        name,
        rows,
        cols,
        rowBlock,
        rowPitch,
        colBlock,
        colPitch,
        matrix: typeof where === 'number' ? null : where,
        at: typeof where === 'number' ? where : where.at,
      });
    const mod = {} as Record<Modality, ModalityWeights>;
    for (const m of MODALITIES) {
      const dim = featureDim(s, m);
      const w: ModalityWeights = {
        dim,
        embed: matrix(dim, Ep),
        embedBias: take(Ep * 4),
        lstm: {} as ModalityWeights['lstm'],
        att: take(2 * Dp * 4),
        attBias: take(4),
      };
      place(`${m}.embed.w`, dim, s.embed, w.embed);
      place(`${m}.embed.b`, 1, s.embed, w.embedBias);
      for (const d of DIRECTIONS) {
        const l: LstmWeights = {
          wx: matrix(Ep, 4 * Dp),
          wh: matrix(Dp, 4 * Dp),
          bx: take(4 * Dp * 4),
          bh: take(4 * Dp * 4),
          bias: take(4 * Dp * 4),
          peep: take(3 * Dp * 4),
        };
        // Gates i, f, c~, o of D units each, at columns g * Dp.
        place(`${m}.${d}.wx`, s.embed, 4 * D, l.wx, s.embed, s.embed, D, Dp);
        place(`${m}.${d}.bx`, 1, 4 * D, l.bx, 1, 1, D, Dp);
        place(`${m}.${d}.wh`, D, 4 * D, l.wh, D, D, D, Dp);
        place(`${m}.${d}.bh`, 1, 4 * D, l.bh, 1, 1, D, Dp);
        if (BEHAVIOUR[meta.variant].peepholes) place(`${m}.${d}.peep`, 1, 3 * D, l.peep, 1, 1, D, Dp);
        w.lstm[d] = l;
      }
      // [2D, 1]: its rows are the attention's elements, the forward LSTM's D then the backward's.
      place(`${m}.att.w`, 1, 2 * D, w.att, 1, 1, D, Dp);
      place(`${m}.att.b`, 1, 1, w.attBias);
      mod[m] = w;
    }
    this.modality = mod;
    const fc1 = matrix(4 * Dp, s.head1);
    const b1 = take(panelCols(s.head1) * 4);
    const fc2 = matrix(panelCols(s.head1), s.head2);
    const b2 = take(panelCols(s.head2) * 4);
    const logit = matrix(panelCols(s.head2), s.classes);
    const b3 = take(panelCols(s.classes) * 4);
    // fc1's rows are the pooled vector's: rgb fw, rgb bw, audio fw, audio bw, D each, at rows q * Dp.
    place('head.fc1.w', 4 * D, s.head1, fc1, D, Dp);
    place('head.fc1.b', 1, s.head1, b1);
    place('head.fc2.w', s.head1, s.head2, fc2);
    place('head.fc2.b', 1, s.head2, b2);
    place('head.logit.w', s.head2, s.classes, logit);
    place('head.logit.b', 1, s.classes, b3);
    this.head = { fc1, b1, fc2, b2, logit, b3 };
    // Every weight in canonical order (the order converted models store them in).
    const order = new Map(canonicalTensors(meta.variant, s).map((t, i) => [t.name, i]));
    this.placements = placements.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
    this.weightsEnd = end();
  }

  /**
   * An empty model of this architecture, its memory reserved (the weights
   * come through `weightSink`). `helpers`: threads besides this one.
   */
  static async create(meta: AttentionLstmMeta, opts: SimdModelOptions = {}): Promise<SimdModel> {
    const team = await SimdTeam.start({ helpers: opts.helpers });
    const model = new SimdModel(meta, team, opts);
    team.reserve(model.weightsEnd);
    return model;
  }

  /** A model from weights in memory (canonical tensors by name, [in, out]): tests, and models made in this process. */
  static async fromWeights(
    meta: AttentionLstmMeta,
    weights: ReadonlyMap<string, Float32Array>,
    opts: SimdModelOptions = {},
  ): Promise<SimdModel> {
    const model = await SimdModel.create(meta, opts);
    const sink = model.weightSink(
      canonicalTensors(meta.variant, meta.sizes).map(({ name, shape }) => ({ name, shape, dtype: 'float32' as const })),
    );
    for (const { name } of canonicalTensors(meta.variant, meta.sizes)) {
      const w = weights.get(name);
      if (!w) throw new Error(`SimdModel: missing weight ${name}`);
      const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
      for (let at = 0; at < bytes.length;) {
        const space = sink.space(bytes.length - at);
        space.set(bytes.subarray(at, at + space.length));
        sink.wrote(space.length);
        at += space.length;
      }
    }
    sink.finish();
    return model;
  }

  get threads(): number {
    return this.team.threads;
  }

  /** Bytes of the memory (weights and the largest batch's working memory so far). */
  get memoryBytes(): number {
    return this.team.memory.buffer.byteLength;
  }

  /** The working memory of the largest pass of predictWithWindows so far, in bytes (within its budget but for a video alone). */
  get windowsPassBytes(): number {
    return this.largestPass;
  }

  dispose(): void {
    this.team.dispose();
  }

  private f32(): Float32Array {
    return new Float32Array(this.team.memory.buffer);
  }

  /**
   * Where the weights' bytes go, in the manifest's order (a converted model's
   * shards back to back): the caller asks for `space`, writes bytes into it
   * (a file read lands in the model's memory directly) and says how many; each
   * matrix is packed into panels a row at a time as its rows arrive. `finish`
   * checks that every weight came, whole.
   */
  weightSink(entries: readonly ManifestEntry[]): WeightSink {
    if (this.loaded) throw new Error('SimdModel: the weights are loaded once');
    const byName = new Map(this.placements.map((p) => [p.name, p]));
    const items = entries.map((e) => {
      const p = byName.get(e.name);
      if (!p) throw new InputError(`the weight '${e.name}' is not part of a ${this.meta.variant} AttentionLSTM`);
      if (e.shape.reduce((a, b) => a * b, 1) !== p.rows * p.cols)
        throw new InputError(`the weight '${e.name}' has shape [${e.shape}], expected ${p.rows * p.cols} elements`);
      return { p, half: e.quantization?.dtype === 'float16' };
    });
    if (items.length !== this.placements.length)
      throw new InputError(`the model lists ${items.length} weights, a ${this.meta.variant} AttentionLSTM has ${this.placements.length}`);
    const STAGING = 4 << 20;
    // The largest row (or vector) must fit with room for a read.
    const largest = Math.max(...items.map(({ p, half }) => (p.matrix ? p.cols : p.rows * p.cols) * (half ? 2 : 4)));
    const stage = this.weightsEnd;
    const stageBytes = STAGING + align(largest);
    // float16 rows are widened into floats here before they are placed: as many rows as the staging area
    // holds at once, so twice its bytes (one row's worth was too little once a read held several rows).
    const wide = align(stage + stageBytes);
    this.team.reserve(wide + 2 * stageBytes);
    let fill = 0;
    let item = 0;
    let rowsDone = 0;
    const consume = () => {
      let pos = 0;
      const f = this.f32();
      const u8 = new Uint8Array(this.team.memory.buffer);
      while (item < items.length) {
        const { p, half } = items[item];
        const elem = half ? 2 : 4;
        const avail = fill - pos;
        const floatsAt = (count: number, first: number): number => {
          let at = stage + pos;
          if (half) {
            f.set(widenHalf(new Uint16Array(this.team.memory.buffer, stage + pos, count)), wide / 4);
            at = wide;
          }
          // NaN or infinity in a weight makes every probability NaN: refused as it arrives.
          const bad = firstNonFinite(f, at / 4, at / 4 + count);
          if (bad >= 0) throw new InputError(nonFiniteWeight(p.name, f[bad], first + bad - at / 4));
          return at;
        };
        if (p.matrix) {
          const rows = Math.min(Math.floor(avail / (p.cols * elem)), p.rows - rowsDone);
          if (rows === 0) break;
          this.packRows(p, floatsAt(rows * p.cols, rowsDone * p.cols), rowsDone, rows);
          pos += rows * p.cols * elem;
          rowsDone += rows;
          if (rowsDone < p.rows) continue;
        } else {
          const n = p.rows * p.cols;
          if (avail < n * elem) break;
          const src = floatsAt(n, 0) / 4;
          for (let j = 0; j < n; j++) f[p.at / 4 + Math.floor(j / p.colBlock) * p.colPitch + (j % p.colBlock)] = f[src + j];
          pos += n * elem;
        }
        item++;
        rowsDone = 0;
      }
      u8.copyWithin(stage, stage + pos, stage + fill);
      fill -= pos;
    };
    return {
      space: (max) => new Uint8Array(this.team.memory.buffer, stage + fill, Math.min(max, stageBytes - fill)),
      wrote: (n) => {
        fill += n;
        consume();
      },
      finish: () => {
        if (item < items.length) throw new InputError(`the weights end inside '${items[item].p.name}'`);
        if (fill > 0) throw new InputError(`${fill} bytes more than the weights hold`);
        const f = this.f32();
        for (const m of MODALITIES) {
          for (const d of DIRECTIONS) {
            const l = this.modality[m].lstm[d];
            for (let j = 0; j < 4 * this.Dp; j++) f[l.bias / 4 + j] = f[l.bx / 4 + j] + f[l.bh / 4 + j];
          }
        }
        this.loaded = true;
      },
    };
  }

  /** Rows [r0, r0 + rows) of a matrix, floats at byte `src`, into its panels: in runs of whole row and column blocks. */
  private packRows(p: Placement, src: number, r0: number, rows: number): void {
    const m = p.matrix!;
    const lds = p.cols * 4;
    for (let r = r0; r < r0 + rows;) {
      const block = Math.floor(r / p.rowBlock);
      const run = Math.min(r0 + rows, (block + 1) * p.rowBlock) - r;
      const k0 = block * p.rowPitch + (r % p.rowBlock);
      const from = src + (r - r0) * lds;
      for (let g = 0; g * p.colBlock < p.cols; g++) {
        this.team.ex.pack(
          from + g * p.colBlock * 4,
          lds,
          run,
          Math.min(p.colBlock, p.cols - g * p.colBlock),
          m.at,
          m.K,
          k0,
          g * p.colPitch,
        );
      }
      r += run;
    }
  }

  async predict(videos: readonly VideoFeatures[], opts: PredictOptions = {}): Promise<VideoPrediction[]> {
    if (!this.loaded) throw new Error('SimdModel: no weights loaded');
    checkVideos(videos, this.meta);
    const order = videos.map((_, i) => i).sort((a, b) => videos[b].frames - videos[a].frames);
    const results: VideoPrediction[] = new Array(videos.length);
    const batches = opts.batchSize
      ? fixedBatches(order.length, opts.batchSize)
      : this.batches(
          order.map((i) => videos[i].frames),
          opts.budgetBytes,
        );
    for (const batch of batches) {
      const idx = batch.map((j) => order[j]);
      const out = this.forward(idx.map((i) => videos[i]));
      idx.forEach((vi, b) => (results[vi] = out[b]));
    }
    return results;
  }

  /** Bytes a batch holds per frame: its features (one modality at a time), its embedding, its BiLSTM output and score. */
  bytesPerFrame(): number {
    const s = this.meta.sizes;
    return 4 * (Math.max(s.rgbDim, s.audioDim) + this.Ep + 2 * this.Dp + 1);
  }

  /** Videos sorted longest first into batches of at most `budgetBytes` of frames (at least one video each). */
  private batches(framesLongestFirst: readonly number[], budgetBytes = this.budgetBytes): number[][] {
    const maxRows = Math.max(1, Math.floor(budgetBytes / this.bytesPerFrame()));
    const out: number[][] = [];
    let batch: number[] = [];
    let rows = 0;
    framesLongestFirst.forEach((n, i) => {
      if (batch.length > 0 && rows + n > maxRows) {
        out.push(batch);
        batch = [];
        rows = 0;
      }
      batch.push(i);
      rows += n;
    });
    if (batch.length) out.push(batch);
    return out;
  }

  /** Rows of projections computed at once: a chunk of steps (at least one step, whatever its width). */
  private static readonly CHUNK_ROWS = 512;

  private forward(videos: readonly VideoFeatures[]): VideoPrediction[] {
    const s = this.meta.sizes;
    const { Dp, Ep } = this;
    const C4 = 4 * Dp;
    const lengths = videos.map((v) => v.frames);
    const L = packedLayout(lengths, Math.max(...lengths));
    const { B, N } = L;
    const chunkRows = Math.max(SimdModel.CHUNK_ROWS, B);
    const H1 = panelCols(s.head1);
    const H2 = panelCols(s.head2);
    const Cp = panelCols(s.classes);
    // The batch's working memory, after the weights and the loading's staging area (no longer needed).
    const { take, end } = regions(this.weightsEnd);
    const x = take(N * Math.max(s.rgbDim, s.audioDim) * 4);
    const e = take(N * Ep * 4);
    const H = take(N * 2 * Dp * 4);
    const scores = take(N * 4);
    const weights = take(N * 4);
    const rowList = take(N * 4);
    const chunkX = take(chunkRows * Ep * 4);
    const chunkG = take(chunkRows * C4 * 4);
    const c = take(B * Dp * 4);
    const h0 = take(B * Dp * 4);
    const h1 = take(B * Dp * 4);
    const mm = take(B * C4 * 4);
    const zeros = take(B * C4 * 4);
    const rows = take(B * 4);
    const orows = take(B * 4);
    const z = take(B * 4 * Dp * 4);
    const y1 = take(B * H1 * 4);
    const y2 = take(B * H2 * 4);
    const logits = take(B * Cp * 4);
    this.team.reserve(end());
    const mem = this.team.memory;
    let f = this.f32();
    f.fill(0, zeros / 4, zeros / 4 + B * C4);
    const attention = videos.map((v) => ({ rgb: new Float32Array(v.frames), audio: new Float32Array(v.frames) }));
    const { active, offsets, sortedLengths } = L;
    for (const m of MODALITIES) {
      const w = this.modality[m];
      // The features of every real frame, dequantized into its packed row.
      f = this.f32();
      videos.forEach((v, b) => {
        const feats = v[m];
        for (let t = 0; t < v.frames; t++)
          featuresInto(feats.subarray(t * w.dim, (t + 1) * w.dim), w.dim, f, x / 4 + (offsets[t] + L.rank[b]) * w.dim);
      });
      this.linear(w.embed, x, e, N);
      this.team.ex.bias_act(e, Ep * 4, N, Ep, w.embedBias, 1);
      for (const d of DIRECTIONS) {
        const l = w.lstm[d];
        const reverse = d === 'bw';
        f = this.f32();
        f.fill(0, c / 4, c / 4 + B * Dp);
        const T = L.T;
        for (let k0 = 0; k0 < T;) {
          let k1 = k0 + 1;
          while (k1 < T && offsets[k1 + 1] - offsets[k0] <= chunkRows) k1++;
          const R = offsets[k1] - offsets[k0];
          // The chunk's embeddings in step order: forward, rows offsets[k0] .. offsets[k1] as they are; backward, each rank's frame length - 1 - k.
          let src = e + offsets[k0] * Ep * 4;
          if (reverse) {
            const u8 = new Uint8Array(mem.buffer);
            for (let k = k0; k < k1; k++) {
              for (let i = 0; i < active[k]; i++) {
                const from = e + (offsets[sortedLengths[i] - 1 - k] + i) * Ep * 4;
                u8.copyWithin(chunkX + (offsets[k] - offsets[k0] + i) * Ep * 4, from, from + Ep * 4);
              }
            }
            src = chunkX;
          }
          this.linear(l.wx, src, chunkG, R);
          this.recur(
            l,
            reverse,
            { sortedLengths: Array.from(sortedLengths), k0, k1, gRows: 'steps', g: chunkG },
            { H, c, h0, h1, mm, rows, orows, zeros },
            threadsFor(Dp, this.team.threads, PANEL),
          );
          k0 = k1;
        }
      }
      // Attention: a score per frame, a softmax over each video's frames, the pooled vector [2Dp] into z.
      this.team.ex.dots(H, 2 * Dp * 4, N, 2 * Dp, w.att, scores);
      const attend = this.attention(m, { H, scores, weights, rowList, offsets }, L.T);
      for (let b = 0; b < B; b++) attend(L.rank[b], lengths[b], z + b * 4 * Dp * 4, attention[b][m]);
    }
    this.headInto(z, y1, y2, logits, B);
    f = this.f32();
    return videos.map((_, b) => {
      const lg = f.slice(logits / 4 + b * Cp, logits / 4 + b * Cp + s.classes);
      const probabilities = Float32Array.from(lg, (v) => 1 / (1 + Math.exp(-v)));
      return { probabilities, logits: lg, attention: attention[b] };
    });
  }

  /**
   * Videos in a pass of predictWithWindows at most, by default (within the
   * budget). Measured (CPU time, interleaved runs on a loaded machine): with
   * the demo model (300 videos of the segment-rated benchmark shard, 7 runs)
   * passes of 8, 16 or 32 videos, or of 8 MiB, took the same time within 2%
   * at hop 5 and at hop 1, and 60 videos at hop 1 hold 63 MiB; at full size
   * (32 videos of 300 down to 60 frames, hop 5, 2 runs) one video a pass took
   * 15.8-17.1 s, passes of 32 MiB 14.0 s and of 128 MiB (12 videos) 13.2-13.8 s,
   * against 14.9-15.8 s for the video-level pass and the windows' apart.
   */
  private static readonly PASS_VIDEOS = 16;
  /**
   * Sequences (whole videos and windows) in a pass at most, by default: 16
   * videos at hop 1 would hold 3,600 windows (18 MiB with the demo model).
   * With this cap (4 videos a pass at hop 1) the demo model took 1,087 ms of
   * CPU at hop 1 against 1,118 ms for 16 videos a pass (the same 300 videos,
   * 7 interleaved runs), and the same at hop 5, where 16 videos are 736 sequences.
   */
  private static readonly PASS_SEQUENCES = 1024;

  /** Frames dequantized and embedded at a time by predictWithWindows: their features stay in the core's cache for the product. */
  private static readonly EMBED_ROWS = 256;

  /**
   * The working memory predictWithWindows holds, in bytes: per frame (its
   * embedding, one LSTM's input projections at a time, attention scratch),
   * per frame of a sequence (a whole video or a window: its BiLSTM output,
   * score and projection rows of both directions), per sequence (the
   * recurrence's state and products, the pooled vector, the head), and the
   * features being embedded with every buffer's alignment.
   */
  private windowsCosts(): { fixed: number; frame: number; seqFrame: number; seq: number } {
    const s = this.meta.sizes;
    const { Dp, Ep } = this;
    return {
      fixed: SimdModel.EMBED_ROWS * Math.max(s.rgbDim, s.audioDim) * 4 + 24 * 64,
      frame: 4 * (Ep + 4 * Dp + 2),
      seqFrame: 4 * (2 * Dp + 3),
      seq: 4 * (3 * Dp + 3 * 4 * Dp + 2 + panelCols(s.head1) + panelCols(s.head2) + panelCols(s.classes)),
    };
  }

  /**
   * Videos and every window over them (windows.ts: short sequences from a
   * zero state, the backward LSTM from each window's last frame) in shared
   * passes: per frame, the features are dequantized and embedded, and each
   * LSTM's input projections computed, once; the recurrences of the whole
   * videos (those `whole` asks for) and of all their windows then run as one
   * packed batch of sequences that read their frames' projections in place
   * (recurrence.ts, gRows 'table'), then the attention over each sequence's
   * frames and the head for all of them. The outputs are the ones `predict`
   * gives for each video and for each window as a video of its own: every row
   * is computed by the same kernels in the same order.
   *
   * Passes take consecutive videos while their working memory (windowsCosts)
   * fits the budget, by default at most PASS_VIDEOS of them and
   * PASS_SEQUENCES sequences (at least one video each), and are yielded in order.
   */
  *predictWithWindows(
    videos: readonly VideoFeatures[],
    opts: VideosWithWindowsOptions,
  ): Generator<{ first: number; results: VideoWithWindows[] }> {
    if (!this.loaded) throw new Error('SimdModel: no weights loaded');
    checkVideos(videos, this.meta);
    const ws = windowSettings(opts.window);
    const budget = opts.budgetBytes ?? this.budgetBytes;
    const most = opts.batchSize ?? SimdModel.PASS_VIDEOS;
    const cost = this.windowsCosts();
    for (let first = 0; first < videos.length;) {
      let end = first;
      let frames = 0;
      let seqFrames = 0;
      let seqs = 0;
      for (; end < videos.length && end - first < most; end++) {
        const n = videos[end].frames;
        const whole = opts.whole[end] ? 1 : 0;
        const f2 = frames + n;
        const sf2 = seqFrames + windowFrames(n, ws) + whole * n;
        const s2 = seqs + windowCount(n, ws) + whole;
        const over = cost.fixed + cost.frame * f2 + cost.seqFrame * sf2 + cost.seq * s2 > budget;
        if (end > first && (over || (opts.batchSize === undefined && s2 > SimdModel.PASS_SEQUENCES))) break;
        [frames, seqFrames, seqs] = [f2, sf2, s2];
      }
      yield { first, results: this.forwardWithWindows(videos.slice(first, end), opts.whole.slice(first, end), ws) };
      first = end;
    }
  }

  private forwardWithWindows(videos: readonly VideoFeatures[], whole: readonly boolean[], ws: WindowSettings): VideoWithWindows[] {
    const s = this.meta.sizes;
    const { Dp, Ep } = this;
    const C4 = 4 * Dp;
    // The sequences: per video, the whole video (when asked for), then its windows; frames of video b at rows base[b] + t.
    const seqVideo: number[] = [];
    const seqStart: number[] = [];
    const seqLength: number[] = [];
    const base = new Int32Array(videos.length + 1);
    videos.forEach((v, b) => {
      base[b + 1] = base[b] + v.frames;
      const add = (start: number, length: number) => {
        seqVideo.push(b);
        seqStart.push(start);
        seqLength.push(length);
      };
      if (whole[b]) add(-1, v.frames);
      for (const start of windowStarts(v.frames, ws)) add(start, Math.min(ws.length, v.frames - start));
    });
    const S = seqLength.length;
    const F = base[videos.length];
    // Ranked longest first (ties in order), as a packed batch: rank i's frame t at row offsets[t] + i.
    const order = Int32Array.from(seqLength.keys()).sort((a, b) => seqLength[b] - seqLength[a] || a - b);
    const sortedLengths = Array.from(order, (q) => seqLength[q]);
    const { T, offsets, N } = packedSteps(sortedLengths);
    const H1 = panelCols(s.head1);
    const H2 = panelCols(s.head2);
    const Cp = panelCols(s.classes);
    const maxDim = Math.max(s.rgbDim, s.audioDim);
    const { take, end } = regions(this.weightsEnd);
    const x = take(SimdModel.EMBED_ROWS * maxDim * 4);
    const e = take(F * Ep * 4);
    const P = take(F * C4 * 4);
    const weights = take(T * 4);
    const rowList = take(T * 4);
    const H = take(N * 2 * Dp * 4);
    const scores = take(N * 4);
    const tables = { fw: take(N * 4), bw: take(N * 4) };
    const c = take(S * Dp * 4);
    const h0 = take(S * Dp * 4);
    const h1 = take(S * Dp * 4);
    const mm = take(S * C4 * 4);
    const zeros = take(S * C4 * 4);
    const rows = take(S * 4);
    const orows = take(S * 4);
    const z = take(S * C4 * 4);
    const y1 = take(S * H1 * 4);
    const y2 = take(S * H2 * 4);
    const logits = take(S * Cp * 4);
    this.team.reserve(end());
    this.largestPass = Math.max(this.largestPass, end() - this.weightsEnd);
    const mem = this.team.memory;
    let f = this.f32();
    f.fill(0, zeros / 4, zeros / 4 + S * C4);
    // Each step's projection row of each rank: its sequence's frame k (forward) or length - 1 - k (backward).
    const fw = new Int32Array(mem.buffer, tables.fw, N);
    const bw = new Int32Array(mem.buffer, tables.bw, N);
    for (let i = 0; i < S; i++) {
      const q = order[i];
      const first = base[seqVideo[q]] + Math.max(seqStart[q], 0);
      const n = seqLength[q];
      for (let k = 0; k < n; k++) {
        fw[offsets[k] + i] = first + k;
        bw[offsets[k] + i] = first + n - 1 - k;
      }
    }
    const attention = seqStart.map((start, q) =>
      start < 0 ? { rgb: new Float32Array(seqLength[q]), audio: new Float32Array(seqLength[q]) } : null,
    );
    const threads = threadsFor(Dp, this.team.threads, PANEL);
    for (const m of MODALITIES) {
      const w = this.modality[m];
      // The features of every frame, dequantized a few hundred rows at a time, and embedded.
      let fill = 0;
      let done = 0;
      const embed = () => {
        this.linear(w.embed, x, e + done * Ep * 4, fill);
        this.team.ex.bias_act(e + done * Ep * 4, Ep * 4, fill, Ep, w.embedBias, 1);
        done += fill;
        fill = 0;
      };
      f = this.f32();
      for (const v of videos) {
        for (let t = 0; t < v.frames;) {
          const n = Math.min(v.frames - t, SimdModel.EMBED_ROWS - fill);
          featuresInto(v[m].subarray(t * w.dim, (t + n) * w.dim), n * w.dim, f, x / 4 + fill * w.dim);
          fill += n;
          t += n;
          if (fill === SimdModel.EMBED_ROWS) embed();
        }
      }
      if (fill > 0) embed();
      for (const d of DIRECTIONS) {
        const l = w.lstm[d];
        const reverse = d === 'bw';
        this.linear(l.wx, e, P, F);
        f = this.f32();
        f.fill(0, c / 4, c / 4 + S * Dp);
        this.recur(
          l,
          reverse,
          { sortedLengths, k0: 0, k1: T, gRows: 'table', gTable: tables[d], g: P },
          { H, c, h0, h1, mm, rows, orows, zeros },
          threads,
        );
      }
      // Attention over each sequence's frames, as `forward` has it for a video: the pooled vector [2Dp] into z.
      this.team.ex.dots(H, 2 * Dp * 4, N, 2 * Dp, w.att, scores);
      const attend = this.attention(m, { H, scores, weights, rowList, offsets }, T);
      for (let i = 0; i < S; i++) attend(i, sortedLengths[i], z + order[i] * C4 * 4, attention[order[i]]?.[m]);
    }
    this.headInto(z, y1, y2, logits, S);
    f = this.f32();
    const results = videos.map((): VideoWithWindows => ({ prediction: null, windows: [] }));
    for (let q = 0; q < S; q++) {
      const from = logits / 4 + q * Cp;
      const a = attention[q];
      if (a) {
        const lg = f.slice(from, from + s.classes);
        const probabilities = Float32Array.from(lg, (v) => 1 / (1 + Math.exp(-v)));
        results[seqVideo[q]].prediction = { probabilities, logits: lg, attention: a };
      } else {
        const probabilities = new Float32Array(s.classes);
        for (let j = 0; j < s.classes; j++) probabilities[j] = 1 / (1 + Math.exp(-f[from + j]));
        results[seqVideo[q]].windows.push({ start: seqStart[q], frames: seqLength[q], probabilities });
      }
    }
    return results;
  }

  /**
   * A modality's attention over the sequences of a packed batch, once `dots` has put each row's score at `scores`:
   * the returned function takes rank i's n frames (rows offsets[t] + i), their softmax into `weights` (and into
   * `into`, when given), and writes the pooled vector [2Dp] at the modality's half of the pooled row at `zRow`.
   */
  private attention(
    m: Modality,
    at: { H: number; scores: number; weights: number; rowList: number; offsets: ArrayLike<number> },
    longest: number,
  ): (i: number, n: number, zRow: number, into?: Float32Array) => void {
    const { Dp } = this;
    const { H, scores, weights, rowList, offsets } = at;
    const f = this.f32();
    const scale = BEHAVIOUR[this.meta.variant].outputScale;
    const bias = f[this.modality[m].attBias / 4];
    const rowsOf = new Int32Array(this.team.memory.buffer, rowList, longest);
    const sc = new Float64Array(longest);
    return (i, n, zRow, into) => {
      let max = -Infinity;
      for (let t = 0; t < n; t++) {
        rowsOf[t] = offsets[t] + i;
        sc[t] = Math.fround(Math.fround(f[scores / 4 + rowsOf[t]] * scale) + bias);
        if (sc[t] > max) max = sc[t];
      }
      let sum = 0;
      for (let t = 0; t < n; t++) sum += sc[t] = Math.exp(sc[t] - max);
      for (let t = 0; t < n; t++) f[weights / 4 + t] = sc[t] / sum;
      into?.set(f.subarray(weights / 4, weights / 4 + n));
      const zAt = zRow + (m === 'rgb' ? 0 : 2 * Dp) * 4;
      this.team.ex.weighted_rows(H, 2 * Dp * 4, rowList, weights, n, 2 * Dp, zAt);
      if (scale !== 1) for (let j = zAt / 4; j < zAt / 4 + 2 * Dp; j++) f[j] *= scale;
    };
  }

  /** The head of n pooled vectors z [n, 4Dp]: relu, tanh, the logits [n, Cp] (the caller takes the sigmoid in float64). */
  private headInto(z: number, y1: number, y2: number, logits: number, n: number): void {
    const s = this.meta.sizes;
    const [H1, H2, Cp] = [panelCols(s.head1), panelCols(s.head2), panelCols(s.classes)];
    this.linear(this.head.fc1, z, y1, n);
    this.team.ex.bias_act(y1, H1 * 4, n, H1, this.head.b1, 2);
    this.linear(this.head.fc2, y1, y2, n);
    this.team.ex.bias_act(y2, H2 * 4, n, H2, this.head.b2, 1);
    this.linear(this.head.logit, y2, logits, n);
    this.team.ex.bias_act(logits, Cp * 4, n, Cp, this.head.b3, 0);
  }

  /**
   * One LSTM's steps [k0, k1) over a batch of sequences (recurrence.ts), its h into the modality's BiLSTM output
   * H [N, 2Dp] (the backward LSTM in the second half); `g` holds the steps' input projections, found as `gRows` says.
   */
  private recur(
    l: LstmWeights,
    reverse: boolean,
    steps: Pick<RecurrenceJob, 'sortedLengths' | 'k0' | 'k1' | 'gRows' | 'gTable'> & { g: number },
    at: { H: number; c: number; h0: number; h1: number; mm: number; rows: number; orows: number; zeros: number },
    threads: number,
  ): void {
    const { Dp } = this;
    const clamped = BEHAVIOUR[this.meta.variant].clampedActivations;
    const { g, ...range } = steps;
    const job: RecurrenceJob = {
      Dp,
      ...range,
      lo: clamped ? -40 : -Infinity,
      hi: clamped ? 13 : Infinity,
      slot: {
        g,
        o: at.H + (reverse ? Dp * 4 : 0),
        ostride: 2 * Dp * 4,
        bias: l.bias,
        peep: l.peep,
        c: at.c,
        h: [at.h0, at.h1],
        mm: at.mm,
        rows: at.rows,
        orows: at.orows,
        w: l.wh.at,
        reverse,
      },
      zeros: at.zeros,
      threads,
      base: this.team.base,
    };
    this.team.run(
      threads,
      steps.k1 - steps.k0,
      (self) => ({ type: 'run', self, job }),
      () => runRecurrence(this.team.ex, this.team.memory, job, 0),
    );
  }

  /** y [n, cols] = x [n, K] W, rows of x K floats apart: the panels split over the threads. */
  private linear(w: Matrix, x: number, y: number, n: number): void {
    const threads = Math.min(this.team.threads, w.cols / PANEL);
    const job: LinearJob = { w: w.at, x, y, K: w.K, cols: w.cols, n, threads, base: this.team.base };
    this.team.run(
      threads,
      1,
      (self) => ({ type: 'linear', self, job }),
      () => runLinear(this.team.ex, this.team.memory, job, 0, PANEL),
    );
  }
}

/** Where a model's weight bytes go as they are read (SimdModel.weightSink). */
export interface WeightSink {
  /** A view of the model's memory, at most `max` bytes, to write the next bytes into. */
  space(max: number): Uint8Array;
  /** `n` bytes were written into the last space. */
  wrote(n: number): void;
  /** Every weight has come: checks that nothing is missing or left over. */
  finish(): void;
}
