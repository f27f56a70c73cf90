/**
 * Runs a prepared graph on the active tfjs backend. The constants are
 * uploaded once when the runner is made and kept until `dispose`; each run
 * frees every intermediate tensor after its last use, so a run holds only the
 * activations still needed. Frames of one size are run as one batch from the
 * graph's batch start on when the graph allows it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors';
import { OPS } from './ops';
import { inferShapes, type PreparedGraph, type Ref } from './prepare';

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

export class GraphRunner {
  private readonly constants: tf.Tensor[];
  private readonly checked = new Set<string>();
  /** For each step, the last step that reads it (or Infinity for the result). */
  private readonly lastUse: number[];
  /** The steps before the batch start that it needs (the per-frame part). */
  private readonly perFrame: boolean[];

  constructor(readonly graph: PreparedGraph) {
    this.constants = graph.constants.map((c) => tf.tensor(c.data, c.shape, c.dtype));
    const n = graph.steps.length;
    this.lastUse = new Array<number>(n).fill(-1);
    graph.steps.forEach((s, i) =>
      s.inputs.forEach((r) => {
        if (r.kind === 'step') this.lastUse[r.index] = i;
      }),
    );
    if (graph.result.kind === 'step') this.lastUse[graph.result.index] = Infinity;
    this.perFrame = new Array<boolean>(n).fill(false);
    if (graph.batchStart >= 0) {
      const mark = (i: number) => {
        if (this.perFrame[i]) return;
        this.perFrame[i] = true;
        for (const r of graph.steps[i].inputs) if (r.kind === 'step') mark(r.index);
      };
      mark(graph.batchStart);
    }
  }

  /** Whether several frames of one size run as one batch. */
  get batches(): boolean {
    return this.graph.batchStart >= 0;
  }

  /** Every node's shapes checked for a frame of this shape, once per shape. */
  check(frameShape: number[]): void {
    const key = frameShape.join('x');
    if (this.checked.has(key)) return;
    inferShapes(this.graph, frameShape);
    this.checked.add(key);
  }

  /**
   * The output for each frame, stacked on axis 0 (the graph's output for one
   * frame must have 1 as its first dimension). Frames are [H, W, C] tensors;
   * they stay the caller's.
   */
  run(frames: readonly tf.Tensor[]): tf.Tensor {
    if (frames.length === 0) throw new Error('GraphRunner.run: no frames');
    for (const f of frames) this.check(f.shape);
    const sameSize = frames.every((f) => fmt(f.shape) === fmt(frames[0].shape));
    if (this.batches && frames.length > 1 && sameSize) return this.runBatch(frames);
    const outs = frames.map((f) => this.execute('all', f, null, 1));
    if (outs.length === 1) return outs[0];
    const joined = tf.concat(outs, 0);
    tf.dispose(outs);
    return joined;
  }

  /** The per-frame steps for each frame, their batch-start outputs stacked, then the rest once. */
  private runBatch(frames: readonly tf.Tensor[]): tf.Tensor {
    const starts = frames.map((f) => this.execute('frame', f, null, 1));
    const stacked = tf.concat(starts, 0);
    tf.dispose(starts);
    try {
      return this.execute('batch', null, stacked, frames.length);
    } finally {
      stacked.dispose();
    }
  }

  /**
   * Runs every step ('all'), or the steps the batch start needs for one frame
   * ('frame', returning the batch start's output), or the others ('batch',
   * with `start` standing for the batch start's output on B frames).
   */
  private execute(mode: 'all' | 'frame' | 'batch', frame: tf.Tensor | null, start: tf.Tensor | null, batch: number): tf.Tensor {
    const g = this.graph;
    const values: (tf.Tensor | null)[] = new Array(g.steps.length).fill(null);
    if (start) values[g.batchStart] = start;
    const owned = new Set<tf.Tensor>();
    const get = (r: Ref): tf.Tensor => {
      if (r.kind === 'input') {
        if (!frame) throw new Error('GraphRunner: a batched step reads the frame');
        return frame;
      }
      if (r.kind === 'const') return this.constants[r.index];
      const v = values[r.index];
      if (!v) throw new Error(`GraphRunner: step ${r.index} has no value`);
      return v;
    };
    const until = mode === 'frame' ? g.batchStart : undefined;
    try {
      for (let i = 0; i <= (until ?? g.steps.length - 1); i++) {
        if (mode === 'frame' && !this.perFrame[i]) continue;
        if (mode === 'batch' && this.perFrame[i]) continue;
        const s = g.steps[i];
        const ins = s.inputs.map(get);
        // An op may make intermediate tensors of its own: only its result stays.
        const out = tf.tidy(() => OPS[s.op].run(ins, s.params, batch));
        values[i] = out;
        owned.add(out);
        // Inputs read for the last time are freed now.
        for (const r of s.inputs) {
          if (r.kind !== 'step' || this.lastUse[r.index] !== i) continue;
          const v = values[r.index];
          if (v && owned.has(v) && v !== out) {
            v.dispose();
            owned.delete(v);
          }
          values[r.index] = null;
        }
      }
      const result = until !== undefined ? values[until] : g.result.kind === 'step' ? values[g.result.index] : get(g.result);
      if (!result) throw new Error('GraphRunner: the result was not computed');
      owned.delete(result);
      return result.kept || result === frame || result === start ? result.clone() : result;
    } finally {
      for (const v of owned) v.dispose();
    }
  }

  dispose(): void {
    tf.dispose(this.constants);
  }
}

/** The frame a graph is fed, as a tensor: [H, W, 3] integers 0..255 from RGB or RGBA bytes (alpha dropped). */
export function frameTensor(data: Uint8Array, width: number, height: number, channels: 3 | 4, file = 'frame'): tf.Tensor3D {
  if (data.length !== width * height * channels) {
    throw new InputError(
      `${file}: a frame of ${width}x${height} ${channels === 4 ? 'RGBA' : 'RGB'} needs ${width * height * channels} bytes, not ${data.length}`,
    );
  }
  return tf.tidy(() => {
    const t = tf.tensor3d(data, [height, width, channels], 'int32');
    return channels === 4 ? tf.slice(t, [0, 0, 0], [height, width, 3]) : t;
  });
}
