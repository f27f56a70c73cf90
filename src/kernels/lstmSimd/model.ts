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
import { checkVideos, type PredictOptions, type VideoPrediction, type VideoPredictor } from '../../core/model/prediction';
import { packedLayout } from '../../core/model/packedLayout';
import { widenHalf } from '../../core/ndarray';
import type { HelperPort } from './helper';
import { LSTM_SIMD_PANEL as PANEL, paddedUnits } from './layout';
import { CONTROL_WORDS, type LinearJob, type RecurrenceJob, runLinear, runRecurrence, threadsFor } from './recurrence';
import { SimdTeam } from './team';

const align = (x: number) => (x + 63) & ~63;
const panelCols = (n: number) => Math.ceil(n / PANEL) * PANEL;

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

export class SimdModel implements VideoPredictor {
  private readonly Dp: number;
  private readonly Ep: number;
  private readonly modality: Record<Modality, ModalityWeights>;
  private readonly head: { fc1: Matrix; b1: number; fc2: Matrix; b2: number; logit: Matrix; b3: number };
  private readonly placements: Placement[];
  /** End of the weights: the working memory of a batch starts here. */
  private readonly weightsEnd: number;
  private loaded = false;
  private readonly budgetBytes: number;

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
    let at = align(CONTROL_WORDS * 4);
    const take = (bytes: number) => {
      const x = at;
      at = align(at + bytes);
      return x;
    };
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
    this.weightsEnd = align(at);
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
    const beh = BEHAVIOUR[this.meta.variant];
    const lengths = videos.map((v) => v.frames);
    const L = packedLayout(lengths, Math.max(...lengths));
    const { B, N } = L;
    const chunkRows = Math.max(SimdModel.CHUNK_ROWS, B);
    const H1 = panelCols(s.head1);
    const H2 = panelCols(s.head2);
    const Cp = panelCols(s.classes);
    // The batch's working memory, after the weights and the loading's staging area (no longer needed).
    let at = this.weightsEnd;
    const take = (bytes: number) => {
      const x = at;
      at = align(at + bytes);
      return x;
    };
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
    this.team.reserve(at);
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
          const threads = threadsFor(Dp, this.team.threads, PANEL);
          const job: RecurrenceJob = {
            Dp,
            sortedLengths: Array.from(sortedLengths),
            k0,
            k1,
            gRows: 'steps',
            lo: beh.clampedActivations ? -40 : -Infinity,
            hi: beh.clampedActivations ? 13 : Infinity,
            slot: {
              g: chunkG,
              o: H + (reverse ? Dp * 4 : 0),
              ostride: 2 * Dp * 4,
              bias: l.bias,
              peep: l.peep,
              c,
              h: [h0, h1],
              mm,
              rows,
              orows,
              w: l.wh.at,
              reverse,
            },
            zeros,
            threads,
            base: this.team.base,
          };
          this.team.run(
            threads,
            k1 - k0,
            (self) => ({ type: 'run', self, job }),
            () => runRecurrence(this.team.ex, mem, job, 0),
          );
          k0 = k1;
        }
      }
      // Attention: a score per frame, a softmax over each video's frames, the pooled vector [2Dp] into z.
      this.team.ex.dots(H, 2 * Dp * 4, N, 2 * Dp, w.att, scores);
      f = this.f32();
      const scale = beh.outputScale;
      const bias = f[w.attBias / 4];
      const rowsOf = new Int32Array(mem.buffer, rowList, N);
      for (let b = 0; b < B; b++) {
        const n = lengths[b];
        const r = L.rank[b];
        let max = -Infinity;
        const sc = new Float64Array(n);
        for (let t = 0; t < n; t++) {
          rowsOf[t] = offsets[t] + r;
          sc[t] = Math.fround(Math.fround(f[scores / 4 + rowsOf[t]] * scale) + bias);
          if (sc[t] > max) max = sc[t];
        }
        let sum = 0;
        for (let t = 0; t < n; t++) sum += sc[t] = Math.exp(sc[t] - max);
        const a = attention[b][m];
        for (let t = 0; t < n; t++) f[weights / 4 + t] = a[t] = sc[t] / sum;
        const zAt = z + (b * 4 * Dp + (m === 'rgb' ? 0 : 2 * Dp)) * 4;
        this.team.ex.weighted_rows(H, 2 * Dp * 4, rowList, weights, n, 2 * Dp, zAt);
        if (scale !== 1) for (let j = zAt / 4; j < zAt / 4 + 2 * Dp; j++) f[j] *= scale;
      }
    }
    // The head: relu, tanh, logits; the sigmoid in float64.
    this.linear(this.head.fc1, z, y1, B);
    this.team.ex.bias_act(y1, H1 * 4, B, H1, this.head.b1, 2);
    this.linear(this.head.fc2, y1, y2, B);
    this.team.ex.bias_act(y2, H2 * 4, B, H2, this.head.b2, 1);
    this.linear(this.head.logit, y2, logits, B);
    this.team.ex.bias_act(logits, Cp * 4, B, Cp, this.head.b3, 0);
    f = this.f32();
    return videos.map((_, b) => {
      const lg = f.slice(logits / 4 + b * Cp, logits / 4 + b * Cp + s.classes);
      const probabilities = Float32Array.from(lg, (v) => 1 / (1 + Math.exp(-v)));
      return { probabilities, logits: lg, attention: attention[b] };
    });
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
