/**
 * PaddleVideo's pkl feature files (tf2pkl.py output): a pickled list of dicts,
 * one per video, with `video` (id), `feature` (uint8 [N, 1024]), `audio`
 * (uint8 [N, 128]), `label` (class indices) and `nframes`. PaddleVideo 2.x
 * writes one dict per file. Keys are bytes in files from Python 2, str from Python 3.
 */
import { fail } from '../errors';
import { shapeString, toFloat32, type NdArray } from '../ndarray';
import { readPickle } from '../containers/pickle/reader';
import { PyDict, aPyType, isNdArray, pyInt, pyItems, pyText, type PyValue } from '../containers/pickle/values';
import { dequantize } from './dequantize';
import { fileStem } from './fileName';
import { SkipRecord } from './skipRecord';
import { type FeatureFileResult, frameCap, type ReadOptions, type VideoFeatures } from './featureTypes';

/** `feature` or `audio`: a 2-D array of frames, checked. */
function frameMatrix(rec: PyDict, key: string): NdArray {
  const v = rec.get(key);
  if (v === undefined) {
    const keys = rec
      .keys()
      .map((k) => pyText(k) ?? String(k))
      .slice(0, 6)
      .map((k) => `'${k}'`)
      .join(', ');
    throw new SkipRecord(`it has no '${key}'${keys ? ` (it has ${keys})` : ''}`);
  }
  if (!isNdArray(v)) throw new SkipRecord(`'${key}' is ${aPyType(v)}, not a numpy array`);
  if (v.shape.length !== 2 || v.shape[1] === 0)
    throw new SkipRecord(`'${key}' has shape ${shapeString(v.shape)}, expected [frames, features]`);
  if (v.dtype !== 'uint8' && v.dtype !== 'float32' && v.dtype !== 'float64' && v.dtype !== 'float16') {
    throw new SkipRecord(`'${key}' holds ${v.dtype}, expected uint8 (quantized) or float features`);
  }
  return v;
}

/** The first `frames` frames as float32: uint8 dequantized, floats as they are. */
function framesOf(a: NdArray, key: string, frames: number): Float32Array {
  const dim = a.shape[1];
  const used = a.data.subarray(0, frames * dim);
  if (a.dtype === 'uint8') return dequantize(used as Uint8Array);
  let x = toFloat32({ dtype: a.dtype, shape: [frames, dim], data: used });
  // A float32 view would keep the whole record's buffer; own just what is used.
  if (x.buffer === a.data.buffer && x.length < a.data.length) x = x.slice();
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]))
      throw new SkipRecord(`'${key}' frame ${Math.floor(i / dim)} holds ${x[i]}: features must be finite numbers`);
  }
  return x;
}

/**
 * ` (value)` for a number, string or boolean; '' for anything else, whose
 * String() could be huge, or recurse through 100,000 nested lists.
 */
function scalar(v: PyValue | undefined): string {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || typeof v === 'string'
    ? ` (${String(v).slice(0, 40)})`
    : '';
}

function nframesOf(rec: PyDict): number | undefined {
  const v = rec.get('nframes');
  if (v === undefined) return undefined;
  const n = isNdArray(v) && v.data.length === 1 ? pyInt(typeof v.data[0] === 'bigint' ? v.data[0] : Number(v.data[0])) : pyInt(v);
  if (n === undefined || n < 0) throw new SkipRecord(`'nframes' is ${aPyType(v)}${scalar(v)}, not a frame count`);
  return n;
}

/** Labels are optional, so bad ones cost the labels (with a warning), not the video. */
function labelsOf(rec: PyDict): { labels?: number[]; problem?: string } {
  const v = rec.get('label') ?? rec.get('labels');
  if (v === undefined || v === null) return {};
  let items: PyValue[] | undefined = pyItems(v);
  if (isNdArray(v)) items = Array.from(v.data as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x : Number(x)));
  if (typeof v === 'number' || typeof v === 'bigint') items = [v];
  if (!items) return { problem: `labels ignored: 'label' is ${aPyType(v)}, expected a list of class indices` };
  const labels: number[] = [];
  for (const item of items) {
    const n = pyInt(item);
    if (n === undefined || n < 0 || typeof item === 'boolean')
      return { problem: `labels ignored: ${scalar(item) ? String(item) : aPyType(item)} is not a class index` };
    labels.push(n);
  }
  return { labels };
}

function toVideo(rec: PyValue, file: string, index: number, cap: number): { video: VideoFeatures; problem?: string } {
  if (!(rec instanceof PyDict)) throw new SkipRecord(`it is ${aPyType(rec)}, not a dict`);
  const rgb = frameMatrix(rec, 'feature');
  const audio = frameMatrix(rec, 'audio');
  const n = rgb.shape[0];
  const nframes = nframesOf(rec);
  if (nframes === undefined) {
    if (audio.shape[0] !== n) throw new SkipRecord(`'audio' has ${audio.shape[0]} frames but 'feature' has ${n}`);
  } else {
    // PaddleVideo cuts both to nframes, so longer arrays are fine and shorter ones are not.
    for (const [key, a] of [
      ['feature', rgb],
      ['audio', audio],
    ] as const) {
      if (a.shape[0] < nframes) throw new SkipRecord(`'nframes' is ${nframes} but '${key}' has only ${a.shape[0]} frames`);
    }
  }
  const available = nframes ?? n;
  if (available === 0) throw new SkipRecord('it has no frames');
  const frames = Math.min(available, cap);
  const { labels, problem } = labelsOf(rec);
  const video: VideoFeatures = {
    file,
    index,
    id: pyText(rec.get('video')) ?? `${fileStem(file)}#${index}`,
    frames,
    rgbDim: rgb.shape[1],
    audioDim: audio.shape[1],
    rgb: framesOf(rgb, 'feature', frames),
    audio: framesOf(audio, 'audio', frames),
  };
  if (available > frames) video.framesInFile = available;
  if (labels) video.labels = labels;
  return { video, problem };
}

/**
 * Every video of a PaddleVideo pkl. Broken records are skipped with a warning
 * each; only a file without a single readable video throws.
 */
export function readPklFeatures(bytes: Uint8Array, file: string, opts: ReadOptions = {}): FeatureFileResult {
  const cap = frameCap(opts);
  const top = readPickle(bytes, file);
  const records = top instanceof PyDict ? [top] : pyItems(top);
  if (!records) {
    fail(file, `the pickle holds ${aPyType(top)}, not a list of PaddleVideo records (dicts with 'feature' and 'audio')`);
  }
  const videos: VideoFeatures[] = [];
  const warnings: string[] = [];
  let firstSkip: string | undefined;
  records.forEach((rec, index) => {
    try {
      const { video, problem } = toVideo(rec, file, index, cap);
      if (problem) warnings.push(`${file}: record ${index}: ${problem}`);
      videos.push(video);
    } catch (err) {
      if (!(err instanceof SkipRecord)) throw err;
      const what = `record ${index} skipped: ${err.message}`;
      firstSkip ??= what;
      warnings.push(`${file}: ${what}`);
    }
  });
  if (videos.length === 0) fail(file, `no video could be read: ${firstSkip ?? 'the pickle holds no records'}`);
  return { videos, warnings };
}
