/**
 * The record the published extractor writes for a video
 * (`extract_tfrecords_main.py`): a SequenceExample with context `id`,
 * `labels` (sorted, when given), `mean_rgb` (the mean of the unquantized PCA
 * features), `mean_audio` (128 zeros) and feature lists `rgb` (1024 bytes a
 * frame) and `audio` (128 zero bytes a frame, `insert_zero_audio_features`).
 */
import { encodeSequenceExample, type Feature } from '../containers/sequenceExample';

export const AUDIO_DIM = 128;

/**
 * What a person should know about features extracted from their own videos:
 * the published extractor has no audio network, so the audio is zeros.
 */
export const RGB_ONLY_NOTE =
  "Extracted features hold the video's frames only: the audio is written as zeros, as the published extractor writes it, so the model's predictions rest on rgb alone and are weaker than on YouTube-8M's own features.";

export interface RecordContent {
  id: string;
  labels?: readonly number[];
  /** Quantized features, [frames, 1024] row-major. */
  rgb: Uint8Array;
  rgbDim: number;
  frames: number;
  meanRgb: Float32Array;
}

const utf8 = new TextEncoder();

export function encodeExtractedRecord(r: RecordContent): Uint8Array {
  const context = new Map<string, Feature>([['id', { kind: 'bytes', values: [utf8.encode(r.id)] }]]);
  if (r.labels) context.set('labels', { kind: 'int64', values: [...r.labels].sort((a, b) => a - b) });
  context.set('mean_rgb', { kind: 'float', values: Array.from(r.meanRgb) });
  context.set('mean_audio', { kind: 'float', values: new Array<number>(AUDIO_DIM).fill(0) });
  const zeros = new Uint8Array(AUDIO_DIM);
  const rgb: Feature[] = [];
  const audio: Feature[] = [];
  for (let t = 0; t < r.frames; t++) {
    rgb.push({ kind: 'bytes', values: [r.rgb.subarray(t * r.rgbDim, (t + 1) * r.rgbDim)] });
    audio.push({ kind: 'bytes', values: [zeros] });
  }
  return encodeSequenceExample({
    context,
    featureLists: new Map([
      ['rgb', rgb],
      ['audio', audio],
    ]),
  });
}
