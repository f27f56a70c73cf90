/**
 * One video as a .npy of shape [frames, 1152]: the 1024 rgb features then the
 * 128 audio features of each frame, uint8 (quantized) or float (used as is).
 */
import { fail } from '../errors';
import { shapeString, toFloat32, type NdArray } from '../ndarray';
import { readNpy } from '../containers/npy';
import { dequantize } from './dequantize';
import { fileStem } from './fileName';
import { type FeatureFileResult, frameCap, type ReadOptions } from './featureTypes';

const RGB_DIM = 1024;
const AUDIO_DIM = 128;
const WIDTH = RGB_DIM + AUDIO_DIM;

function asFloat(a: NdArray, file: string): Float32Array {
  if (a.dtype === 'uint8') return dequantize(a.data as Uint8Array);
  if (a.dtype === 'float16' || a.dtype === 'float32' || a.dtype === 'float64') {
    const x = toFloat32(a);
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) {
        fail(file, `frame ${Math.floor(i / WIDTH)}, column ${i % WIDTH} is ${x[i]}: features must be finite numbers`);
      }
    }
    return x;
  }
  return fail(file, `expected uint8 (quantized) or float features, got ${a.dtype}`);
}

export function readNpyFeatures(bytes: Uint8Array, file: string, opts: ReadOptions = {}): FeatureFileResult {
  const a = readNpy(bytes, file);
  if (a.shape.length !== 2 || a.shape[1] !== WIDTH) {
    fail(file, `expected frames × ${WIDTH} (${RGB_DIM} rgb + ${AUDIO_DIM} audio) features, got ${shapeString(a.shape)}`);
  }
  if (a.shape[0] === 0) fail(file, 'the array has no frames');
  const frames = Math.min(a.shape[0], frameCap(opts));
  // Clip before converting: a long video's unused frames need not be dequantized.
  const used: NdArray = { ...a, shape: [frames, WIDTH], data: a.data.subarray(0, frames * WIDTH) };
  const x = asFloat(used, file);
  const rgb = new Float32Array(frames * RGB_DIM);
  const audio = new Float32Array(frames * AUDIO_DIM);
  for (let t = 0; t < frames; t++) {
    rgb.set(x.subarray(t * WIDTH, t * WIDTH + RGB_DIM), t * RGB_DIM);
    audio.set(x.subarray(t * WIDTH + RGB_DIM, (t + 1) * WIDTH), t * AUDIO_DIM);
  }
  return {
    videos: [
      {
        file,
        index: 0,
        id: fileStem(file),
        frames,
        rgbDim: RGB_DIM,
        audioDim: AUDIO_DIM,
        rgb,
        audio,
        ...(a.shape[0] > frames ? { framesInFile: a.shape[0] } : {}),
      },
    ],
    warnings: [],
  };
}
