import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { writeNpy } from '../containers/npy';
import { dequantize } from './dequantize';
import { readNpyFeatures } from './npyFeatures';

const W = 1152;

describe('npy features', () => {
  it('splits uint8 frames into 1024 rgb + 128 audio, dequantized, id from the file name', () => {
    const q = Uint8Array.from({ length: 3 * W }, (_, i) => (i * 7) & 0xff);
    const { videos, warnings } = readNpyFeatures(writeNpy({ dtype: 'uint8', shape: [3, W], data: q }), 'some/dir/clip.npy');
    expect(warnings).toEqual([]);
    const v = videos[0];
    expect(v).toMatchObject({ file: 'some/dir/clip.npy', index: 0, id: 'clip', frames: 3, rgbDim: 1024, audioDim: 128 });
    expect(v.labels).toBeUndefined();
    const x = dequantize(q);
    expect(v.rgb.subarray(1024, 2048)).toEqual(x.subarray(W, W + 1024));
    expect(v.audio.subarray(128, 256)).toEqual(x.subarray(W + 1024, 2 * W));
  });

  it('uses float32 and float64 values as they are, and clips to 300 frames', () => {
    const f = Float64Array.from({ length: 310 * W }, (_, i) => (i % 1000) / 7);
    for (const a of [
      { dtype: 'float64' as const, data: f },
      { dtype: 'float32' as const, data: Float32Array.from(f) },
    ]) {
      const v = readNpyFeatures(writeNpy({ ...a, shape: [310, W] }), 'f.npy').videos[0];
      expect(v.frames).toBe(300);
      expect(v.rgb.length).toBe(300 * 1024);
      expect(v.audio[0]).toBe(Math.fround(f[1024]));
      expect(v.rgb[299 * 1024 + 5]).toBe(Math.fround(f[299 * W + 5]));
    }
  });

  it('says what shape it wants', () => {
    const wrong = writeNpy({ dtype: 'float32', shape: [40, 1000], data: new Float32Array(40000) });
    expect(() => readNpyFeatures(wrong, 'clip.npy')).toThrow(
      'clip.npy: expected frames × 1152 (1024 rgb + 128 audio) features, got [40, 1000]',
    );
    const flat = writeNpy({ dtype: 'float32', shape: [W], data: new Float32Array(W) });
    expect(() => readNpyFeatures(flat, 'clip.npy')).toThrow(/got \[1152\]/);
    const empty = writeNpy({ dtype: 'float32', shape: [0, W], data: new Float32Array(0) });
    expect(() => readNpyFeatures(empty, 'clip.npy')).toThrow('clip.npy: the array has no frames');
  });

  it('rejects integer and non-finite features and broken files with InputErrors', () => {
    const ints = writeNpy({ dtype: 'int32', shape: [1, W], data: new Int32Array(W) });
    expect(() => readNpyFeatures(ints, 'i.npy')).toThrow('i.npy: expected uint8 (quantized) or float features, got int32');
    const nan = new Float32Array(2 * W);
    nan[W + 1030] = NaN;
    expect(() => readNpyFeatures(writeNpy({ dtype: 'float32', shape: [2, W], data: nan }), 'n.npy')).toThrow(
      'n.npy: frame 1, column 1030 is NaN: features must be finite numbers',
    );
    const good = writeNpy({ dtype: 'uint8', shape: [2, W], data: new Uint8Array(2 * W) });
    for (let n = 0; n < good.length; n += 97) expect(() => readNpyFeatures(good.subarray(0, n), 't.npy')).toThrow(InputError);
  });
});
