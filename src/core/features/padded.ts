import { featuresInto } from './dequantize';
import type { VideoFeatures } from './featureTypes';

/**
 * A batch's frames of one modality, each video's padded with zeros to `T`
 * frames: [B, T, dim] row-major float32, dequantized on the way when the
 * video keeps them as uint8. `T` defaults to the longest video.
 */
export function paddedFrames(videos: readonly VideoFeatures[], modality: 'rgb' | 'audio', T = longestOf(videos)): Float32Array {
  const dim = modality === 'rgb' ? videos[0].rgbDim : videos[0].audioDim;
  const out = new Float32Array(videos.length * T * dim);
  videos.forEach((v, b) => featuresInto(v[modality], Math.min(v.frames, T) * dim, out, b * T * dim));
  return out;
}

export function longestOf(videos: readonly VideoFeatures[]): number {
  return videos.reduce((m, v) => Math.max(m, v.frames), 0);
}

/**
 * A batch's real frames of one modality as rows [N, dim], frame t of video b at
 * row `offsets[t] + rank[b]` (the frame-major packing of model/packedBatch.ts),
 * dequantized on the way: no padding is written, so a batch costs its frames.
 */
export function packedFrames(
  videos: readonly VideoFeatures[],
  modality: 'rgb' | 'audio',
  offsets: Int32Array,
  rank: Int32Array,
): Float32Array {
  const dim = modality === 'rgb' ? videos[0].rgbDim : videos[0].audioDim;
  const out = new Float32Array(offsets[offsets.length - 1] * dim);
  videos.forEach((v, b) => {
    const x = v[modality];
    for (let t = 0; t < v.frames; t++) featuresInto(x.subarray(t * dim, (t + 1) * dim), dim, out, (offsets[t] + rank[b]) * dim);
  });
  return out;
}
