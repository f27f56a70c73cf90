import { describe, expect, it } from 'vitest';
import { packedLayout } from '../model/packedBatch';
import { dequantize } from './dequantize';
import { packedFrames, paddedFrames } from './padded';
import type { VideoFeatures } from './featureTypes';

function quantizedVideo(frames: number, seed: number): VideoFeatures {
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) % 256);
  return { file: 'f', index: seed, id: `v${seed}`, frames, rgbDim: 3, audioDim: 2, rgb: bytes(frames * 3), audio: bytes(frames * 2) };
}

describe('a batch of frames as the model takes them', () => {
  const videos = [2, 5, 1, 5].map((n, i) => quantizedVideo(n, i));

  it('padded: each video dequantized at b * T, zeros after its frames', () => {
    const x = paddedFrames(videos, 'rgb');
    expect(x.length).toBe(4 * 5 * 3);
    expect(Array.from(x.subarray(5 * 3, 5 * 3 + 15))).toEqual(Array.from(dequantize(videos[1].rgb as Uint8Array)));
    expect(Array.from(x.subarray(2 * 3, 5 * 3))).toEqual(new Array(9).fill(0));
  });

  it('packed: the real frames only, each at the row the packed layout gives it, the same values as padded', () => {
    const layout = packedLayout(
      videos.map((v) => v.frames),
      5,
    );
    const padded = paddedFrames(videos, 'audio');
    const packed = packedFrames(videos, 'audio', layout.offsets, layout.rank);
    expect(packed.length).toBe(13 * 2);
    for (let r = 0; r < layout.N; r++) {
      const src = layout.sourceRows[r];
      expect(Array.from(packed.subarray(r * 2, r * 2 + 2))).toEqual(Array.from(padded.subarray(src * 2, src * 2 + 2)));
    }
  });
});
