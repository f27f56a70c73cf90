/**
 * Features written by hand or by a script: `{"id", "rgb": [[...]], "audio": [[...]], "labels"?, "quantized"?}`
 * or an array of such objects. Values are floats used as they are; with `"quantized": true`
 * they are YouTube-8M uint8 codes and get dequantized.
 */
import { fail, printable } from '../errors';
import { dequantize } from './dequantize';
import { fileStem } from './fileName';
import { SkipRecord } from './skipRecord';
import { type FeatureFileResult, frameCap, type ReadOptions, type VideoFeatures } from './featureTypes';

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // Nested deeper than the stack (JSON.parse takes 300,000 nested arrays; JSON.stringify does not).
    return Array.isArray(v) ? 'an array nested too deep to show' : 'an object nested too deep to show';
  }
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Checks a rectangular [frames][dim] array of numbers and flattens it, clipped to `frames` rows. */
function matrix(obj: Record<string, unknown>, field: string, frames: number, quantized: boolean): { data: Float32Array; dim: number } {
  const rows = obj[field] as unknown[];
  const first = rows[0];
  if (!Array.isArray(first) || first.length === 0) {
    throw new SkipRecord(`${field}[0] is ${describe(first)}, expected a non-empty array of numbers`);
  }
  const dim = first.length;
  const used = new Float64Array(frames * dim);
  for (let t = 0; t < rows.length; t++) {
    const row = rows[t];
    if (!Array.isArray(row)) throw new SkipRecord(`${field}[${t}] is ${describe(row)}, expected an array of numbers`);
    if (row.length !== dim) throw new SkipRecord(`${field}[${t}] has ${row.length} values, expected ${dim} (as ${field}[0])`);
    for (let j = 0; j < dim; j++) {
      const v: unknown = row[j];
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) {
        throw new SkipRecord(`${field}[${t}][${j}] is ${describe(v)}, expected a finite number`);
      }
      if (quantized && !(Number.isInteger(v) && v >= 0 && v <= 255)) {
        throw new SkipRecord(`"quantized" is true but ${field}[${t}][${j}] = ${v} is not an integer in 0..255`);
      }
      if (t < frames) used[t * dim + j] = v;
    }
  }
  return { data: quantized ? dequantize(Uint8Array.from(used)) : Float32Array.from(used), dim };
}

function labelsOf(obj: Record<string, unknown>): number[] | undefined {
  const labels = obj.labels;
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels)) throw new SkipRecord(`"labels" is ${describe(labels)}, expected an array of class indices`);
  labels.forEach((l: unknown, i) => {
    if (typeof l !== 'number' || !Number.isSafeInteger(l) || l < 0) {
      throw new SkipRecord(`labels[${i}] is ${describe(l)}, expected a class index (an integer >= 0)`);
    }
  });
  return labels as number[];
}

function toVideo(obj: unknown, file: string, index: number, defaultId: string, cap: number): VideoFeatures {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new SkipRecord(`expected an object with "rgb" and "audio", got ${describe(obj)}`);
  }
  const o = obj as Record<string, unknown>;
  if (o.id !== undefined && typeof o.id !== 'string') throw new SkipRecord(`"id" is ${describe(o.id)}, expected a string`);
  if (o.quantized !== undefined && typeof o.quantized !== 'boolean') {
    throw new SkipRecord(`"quantized" is ${describe(o.quantized)}, expected true or false`);
  }
  for (const field of ['rgb', 'audio']) {
    if (!Array.isArray(o[field])) throw new SkipRecord(`"${field}" is ${describe(o[field])}, expected an array of frames`);
  }
  const count = (o.rgb as unknown[]).length;
  if (count === 0) throw new SkipRecord('"rgb" has no frames');
  const audioCount = (o.audio as unknown[]).length;
  if (audioCount !== count) throw new SkipRecord(`"rgb" has ${count} frames but "audio" has ${audioCount}`);
  const frames = Math.min(count, cap);
  const quantized = o.quantized === true;
  const rgb = matrix(o, 'rgb', frames, quantized);
  const audio = matrix(o, 'audio', frames, quantized);
  const video: VideoFeatures = {
    file,
    index,
    id: (o.id as string | undefined) ?? defaultId,
    frames,
    rgbDim: rgb.dim,
    audioDim: audio.dim,
    rgb: rgb.data,
    audio: audio.data,
  };
  if (count > frames) video.framesInFile = count;
  const labels = labelsOf(o);
  if (labels) video.labels = labels;
  return video;
}

export function readJsonFeatures(bytes: Uint8Array, file: string, opts: ReadOptions = {}): FeatureFileResult {
  const cap = frameCap(opts);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    fail(file, `not valid JSON (${printable(err.message)})`);
  }
  const stem = fileStem(file);
  if (!Array.isArray(parsed)) {
    try {
      return { videos: [toVideo(parsed, file, 0, stem, cap)], warnings: [] };
    } catch (err) {
      if (err instanceof SkipRecord) fail(file, err.message);
      throw err;
    }
  }
  if (parsed.length === 0) fail(file, 'the JSON array holds no videos');
  const videos: VideoFeatures[] = [];
  const problems: string[] = [];
  parsed.forEach((obj, i) => {
    try {
      videos.push(toVideo(obj, file, i, `${stem}#${i}`, cap));
    } catch (err) {
      if (!(err instanceof SkipRecord)) throw err;
      problems.push(`video ${i} skipped: ${err.message}`);
    }
  });
  if (videos.length === 0) fail(file, `no video could be read: ${problems[0]}`);
  return { videos, warnings: problems.map((p) => `${file}: ${p}`) };
}
