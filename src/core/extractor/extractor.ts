/**
 * The published YouTube-8M extractor (spec section 9) on tfjs: frames by the
 * frame rule, the Inception graph, the PCA, the quantization, the record.
 *
 * The files are read once into an `ExtractorModel` (plain data: the prepared
 * graph and the PCA, which the page can keep in IndexedDB), uploaded once
 * into a `FeatureExtractor`, and used for every video. A video is fed one
 * decoded frame at a time, in presentation order, so that a decoder (ffmpeg's
 * pipe, WebCodecs in a worker) never holds more than a few frames:
 *
 *   const video = extractor.startVideo({ id, file });
 *   for each decoded frame:
 *     if (video.consider(time)) await video.add({ width, height, format: 'rgba', data });
 *     if (video.full) break;
 *   const result = await video.finish();
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors';
import type { VideoFeatures } from '../features/featureTypes';
import type { PreparedGraph } from '../tfgraph/prepare';
import { frameTensor, GraphRunner } from '../tfgraph/runner';
import { FrameSampler, frameSeconds, type FrameRuleOptions, type FrameTime } from './frameRule';
import { readInceptionGraph } from './inceptionGraph';
import { type NamedBytes, type Pca, PCA_DIM, PcaProjection, readPca } from './pca';
import { quantize } from './quantize';
import { AUDIO_DIM, encodeExtractedRecord } from './record';

/** The extractor's files, read and checked: plain data (typed arrays and JSON), structured-clonable. */
export interface ExtractorModel {
  graph: PreparedGraph;
  pca: Pca;
}

/** Reads the user's files: the Inception graph (.tgz or .pb) and the PCA (.tgz or its three .npy). */
export async function readExtractorFiles(inception: NamedBytes, pca: readonly NamedBytes[]): Promise<ExtractorModel> {
  return { graph: await readInceptionGraph(inception), pca: await readPca(pca) };
}

/** A decoded frame's pixels: RGB (3 bytes a pixel) or RGBA (4, alpha ignored), row by row. */
export interface FramePixels {
  width: number;
  height: number;
  format: 'rgb' | 'rgba';
  data: Uint8Array;
}

export interface ExtractorOptions {
  /** Frames run through the network at once (same size): 1 unless measured faster (bench). */
  batchSize?: number;
}

const DEFAULT_BATCH_SIZE = 1;

export class FeatureExtractor {
  readonly batchSize: number;
  private readonly runner: GraphRunner;
  private readonly pca: PcaProjection;

  private constructor(
    readonly model: ExtractorModel,
    opts: ExtractorOptions,
  ) {
    this.batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE));
    this.runner = new GraphRunner(model.graph);
    this.pca = new PcaProjection(model.pca);
  }

  /** Uploads the model's weights to the active tfjs backend, once for every video. */
  static create(model: ExtractorModel, opts: ExtractorOptions = {}): FeatureExtractor {
    return new FeatureExtractor(model, opts);
  }

  /** The graph's 2048 features of each frame, [frames, 2048] row-major (before the PCA). */
  async inception(frames: readonly FramePixels[]): Promise<Float32Array> {
    const out = this.runFrames(frames, false);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /** The PCA features (unquantized) of each frame, [frames, 1024] row-major. */
  async features(frames: readonly FramePixels[]): Promise<Float32Array> {
    const out = this.runFrames(frames, true);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  private runFrames(frames: readonly FramePixels[], pca: boolean): tf.Tensor {
    const file = this.model.graph.file;
    const tensors = frames.map((f) => frameTensor(f.data, f.width, f.height, f.format === 'rgba' ? 4 : 3, file));
    try {
      const x = this.runner.run(tensors);
      if (!pca) return x;
      try {
        return this.pca.apply(x);
      } finally {
        x.dispose();
      }
    } finally {
      tf.dispose(tensors);
    }
  }

  /** A video to feed frame by frame. `file` names it in messages; `id` is its record's id. */
  startVideo(opts: { id: string; file: string; labels?: readonly number[] } & FrameRuleOptions): VideoExtraction {
    return new VideoExtraction(this, opts);
  }

  dispose(): void {
    this.runner.dispose();
    this.pca.dispose();
  }
}

/** What extracting a video gives: its features as the model reads them, and its record as the published extractor writes it. */
export interface ExtractedVideo {
  id: string;
  labels?: number[];
  frames: number;
  /** The presentation time of each frame taken, in seconds. */
  times: number[];
  /** Quantized PCA features, [frames, 1024]. */
  rgb: Uint8Array;
  /** The mean of the unquantized PCA features. */
  meanRgb: Float32Array;
  /** The video as every reader of the project gives it (audio: zeros). */
  features: VideoFeatures;
  /** The YouTube-8M SequenceExample (one TFRecord record's data). */
  record: Uint8Array;
  /** Decoded frames considered (each once). */
  framesConsidered: number;
}

export class VideoExtraction {
  private readonly sampler: FrameSampler;
  private readonly times: FrameTime[] = [];
  private readonly pending: FramePixels[] = [];
  private readonly rgb: Uint8Array;
  private readonly sum = new Float64Array(PCA_DIM);
  private done = 0;
  private finished = false;

  constructor(
    private readonly extractor: FeatureExtractor,
    private readonly opts: { id: string; file: string; labels?: readonly number[] } & FrameRuleOptions,
  ) {
    this.sampler = new FrameSampler(opts);
    this.rgb = new Uint8Array(this.sampler.maxFrames * PCA_DIM);
  }

  /** The frame rule: considers the next decoded frame (each once, in presentation order); true when it is taken, and must then be added. */
  consider(time: FrameTime): boolean {
    if (this.times.length > this.done + this.pending.length) throw new Error('VideoExtraction: the frame taken last was not added');
    const take = this.sampler.consider(time);
    if (take) this.times.push(time);
    return take;
  }

  /** Frames taken so far. */
  get taken(): number {
    return this.sampler.taken;
  }

  /** Decoded frames considered so far. */
  get considered(): number {
    return this.sampler.considered;
  }

  /** The frame cap is reached: the decoder can stop. */
  get full(): boolean {
    return this.sampler.full;
  }

  /** The pixels of the frame `consider` just took. Copied, so the caller may reuse its buffer; run when a batch is full. */
  async add(frame: FramePixels): Promise<void> {
    if (this.times.length !== this.done + this.pending.length + 1)
      throw new Error('VideoExtraction: add follows a consider that took the frame');
    const channels = frame.format === 'rgba' ? 4 : 3;
    if (!(frame.width > 0 && frame.height > 0) || frame.data.length !== frame.width * frame.height * channels) {
      throw new InputError(
        `${this.opts.file}: frame ${this.times.length - 1} of ${frame.width}x${frame.height} ${frame.format.toUpperCase()} has ${frame.data.length} bytes, expected ${frame.width * frame.height * channels}`,
      );
    }
    this.pending.push({ ...frame, data: frame.data.slice() });
    if (this.pending.length >= this.extractor.batchSize) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0);
    const f = await this.extractor.features(batch);
    for (let b = 0; b < batch.length; b++) {
      const row = f.subarray(b * PCA_DIM, (b + 1) * PCA_DIM);
      const t = this.done + b;
      for (let j = 0; j < PCA_DIM; j++) {
        if (!Number.isFinite(row[j])) {
          throw new InputError(
            `${this.opts.file}: frame ${t} (${frameSeconds(this.times[t]).toFixed(3)} s) gave features that are not finite numbers: the Inception graph or the PCA files are damaged`,
          );
        }
        this.sum[j] += row[j];
      }
      quantize(row, this.rgb, t * PCA_DIM);
    }
    this.done += batch.length;
  }

  /** Runs what is left and gives the video's features and record. A video without a frame is an InputError naming it. */
  async finish(): Promise<ExtractedVideo> {
    if (this.finished) throw new Error('VideoExtraction: finished twice');
    this.finished = true;
    if (this.times.length !== this.done + this.pending.length) throw new Error('VideoExtraction: the frame taken last was not added');
    await this.flush();
    const n = this.done;
    if (n === 0)
      throw new InputError(`${this.opts.file}: the video has no frames${this.sampler.considered === 0 ? ' that could be decoded' : ''}`);
    const rgb = this.rgb.slice(0, n * PCA_DIM);
    const meanRgb = new Float32Array(PCA_DIM);
    for (let j = 0; j < PCA_DIM; j++) meanRgb[j] = this.sum[j] / n;
    const labels = this.opts.labels ? [...this.opts.labels].sort((a, b) => a - b) : undefined;
    const features: VideoFeatures = {
      file: this.opts.file,
      index: 0,
      id: this.opts.id,
      frames: n,
      rgbDim: PCA_DIM,
      audioDim: AUDIO_DIM,
      rgb,
      audio: new Uint8Array(n * AUDIO_DIM),
      ...(labels ? { labels } : {}),
    };
    return {
      id: this.opts.id,
      ...(labels ? { labels } : {}),
      frames: n,
      times: this.times.map(frameSeconds),
      rgb,
      meanRgb,
      features,
      record: encodeExtractedRecord({ id: this.opts.id, labels, rgb, rgbDim: PCA_DIM, frames: n, meanRgb }),
      framesConsidered: this.sampler.considered,
    };
  }
}
