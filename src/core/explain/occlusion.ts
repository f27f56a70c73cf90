/**
 * Evidence over time for one class: how much its probability drops when the
 * window of frames around each frame is replaced by the video's mean frame.
 * Attention weights of a BiLSTM need not sit on the evidence (the recurrent
 * state carries it along); occlusion measures it directly.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { VideoFeatures } from '../features/featureTypes';
import { type BiLstmRunner, forward, opsBiLstm } from '../model/attentionLstm';
import { checkVideos, type LoadedModel } from '../model/model';
import { floatFeatures } from '../features/dequantize';

export interface OcclusionOptions {
  /** Frames replaced at once, centred on each frame. Default 5. */
  window?: number;
  /** Occluded copies per forward pass: the copies are one batched, masked inference. Default 64. */
  batchSize?: number;
  biLstm?: BiLstmRunner;
}

export interface OcclusionResult {
  classIndex: number;
  window: number;
  /** The class's probability on the untouched video. */
  baseline: number;
  /** drop[t] = baseline - probability with the window around frame t occluded. */
  drop: Float32Array;
}

/** The frames [start, end) that the window centred on frame t covers. */
function windowAt(t: number, window: number, frames: number): [number, number] {
  const start = Math.max(0, t - Math.floor((window - 1) / 2));
  return [start, Math.min(frames, start + window)];
}

function meanFrame(x: Float32Array, frames: number, dim: number): Float32Array {
  const m = new Float32Array(dim);
  for (let t = 0; t < frames; t++) for (let d = 0; d < dim; d++) m[d] += x[t * dim + d];
  return m.map((v) => v / frames);
}

export async function occlusionEvidence(
  model: LoadedModel,
  video: VideoFeatures,
  classIndex: number,
  opts: OcclusionOptions = {},
): Promise<OcclusionResult> {
  checkVideos([video], model.meta);
  const window = Math.max(1, Math.min(video.frames, Math.round(opts.window ?? 5)));
  const batchSize = Math.max(1, opts.batchSize ?? 64);
  const T = video.frames;
  const videoRgb = floatFeatures(video.rgb);
  const videoAudio = floatFeatures(video.audio);
  const meanRgb = meanFrame(videoRgb, T, video.rgbDim);
  const meanAudio = meanFrame(videoAudio, T, video.audioDim);
  // Row 0 is the untouched video, row k + 1 the video with window k occluded.
  const rows = T + 1;
  const probs = new Float32Array(rows);
  for (let s = 0; s < rows; s += batchSize) {
    const n = Math.min(batchSize, rows - s);
    const rgb = new Float32Array(n * T * video.rgbDim);
    const audio = new Float32Array(n * T * video.audioDim);
    for (let b = 0; b < n; b++) {
      rgb.set(videoRgb.subarray(0, T * video.rgbDim), b * T * video.rgbDim);
      audio.set(videoAudio.subarray(0, T * video.audioDim), b * T * video.audioDim);
      const row = s + b;
      if (row === 0) continue;
      const [from, to] = windowAt(row - 1, window, T);
      for (let t = from; t < to; t++) {
        rgb.set(meanRgb, (b * T + t) * video.rgbDim);
        audio.set(meanAudio, (b * T + t) * video.audioDim);
      }
    }
    const input = {
      rgb: tf.tensor3d(rgb, [n, T, video.rgbDim]),
      audio: tf.tensor3d(audio, [n, T, video.audioDim]),
      lengths: new Array(n).fill(T),
    };
    const out = forward(model.weights, model.spec, input, opts.biLstm ?? opsBiLstm);
    const p = tf.tidy(() => tf.squeeze(tf.slice(out.probabilities, [0, classIndex], [n, 1]), [1]));
    probs.set((await p.data()) as Float32Array, s);
    tf.dispose([input.rgb, input.audio, p, out.logits, out.probabilities, out.attention.rgb, out.attention.audio, out.pooled]);
  }
  const baseline = probs[0];
  return { classIndex, window, baseline, drop: probs.subarray(1).map((p) => baseline - p) };
}
