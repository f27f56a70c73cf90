/**
 * YouTube-8M frame-level TFRecords: one tf.train.SequenceExample per video with
 * context `id`, `labels` (and in segment-rated files `segment_labels`,
 * `segment_start_times`, `segment_scores`) and feature lists `rgb`, `audio` of
 * one uint8 string per frame.
 */
import { fail, InputError } from '../errors';
import { readTfRecords, writeTfRecords } from '../containers/tfrecord';
import {
  decodeSequenceExample,
  encodeSequenceExample,
  isVideoLevelExample,
  VIDEO_LEVEL_MESSAGE,
  type Feature,
  type SequenceExample,
} from '../containers/sequenceExample';
import { fileStem } from './fileName';
import { readFrameLevelWire } from './frameLevelWire';
import { checkSegmentRatings, type RawSegmentLists, SEGMENT_KEYS } from './segmentRatings';
import { SkipRecord } from './skipRecord';
import { type FeatureFileResult, frameCap, type ReadOptions, type VideoFeatures } from './featureTypes';

/** One video in the quantized form YouTube-8M stores: a uint8 string per frame and modality. */
export interface Yt8mVideo {
  id: string;
  labels?: number[];
  rgb: Uint8Array[];
  audio: Uint8Array[];
  /** The segment ratings' three parallel lists, written as they are (tests write unequal ones on purpose). */
  segments?: { labels: number[]; startTimes: number[]; scores: number[] };
}

const utf8 = new TextDecoder('utf-8');

function kindName(f: Feature): string {
  return f.kind === 'empty' ? 'an empty feature' : `a ${f.kind} list`;
}

function frameBytes(list: Feature[], name: string): { frames: Uint8Array[]; dim: number } {
  const frames: Uint8Array[] = [];
  let dim = 0;
  for (let t = 0; t < list.length; t++) {
    const f = list[t];
    if (f.kind !== 'bytes') throw new SkipRecord(`${name} frame ${t} is ${kindName(f)}, expected one byte string`);
    if (f.values.length !== 1) {
      throw new SkipRecord(`${name} frame ${t} holds ${f.values.length} byte strings, expected one`);
    }
    const b = f.values[0];
    if (t === 0) {
      if (b.length === 0) throw new SkipRecord(`${name} frame 0 is empty`);
      dim = b.length;
    } else if (b.length !== dim) {
      throw new SkipRecord(`${name} frame ${t} has ${b.length} bytes, expected ${dim}`);
    }
    frames.push(b);
  }
  return { frames, dim };
}

function featureList(ex: SequenceExample, name: string): Feature[] {
  const list = ex.featureLists.get(name);
  if (list) return list;
  // JSON quoting escapes the control characters a damaged record's keys can hold.
  const keys = [...ex.featureLists.keys()];
  const names =
    keys
      .slice(0, 5)
      .map((k) => JSON.stringify(k))
      .join(', ') + (keys.length > 5 ? ', …' : '');
  throw new SkipRecord(`it has no "${name}" feature list${names ? ` (it has ${names})` : ''}`);
}

/** The first `count` frames as one row-major uint8 array: quantized, as stored. */
function joinFrames(frames: Uint8Array[], count: number, dim: number): Uint8Array {
  const q = new Uint8Array(count * dim);
  for (let t = 0; t < count; t++) q.set(frames[t], t * dim);
  return q;
}

/** Labels are optional, so bad ones cost the labels (with a warning), not the video. */
function readLabels(ex: SequenceExample): { labels?: number[]; problem?: string } {
  const f = ex.context.get('labels');
  if (!f) return {};
  if (f.kind !== 'int64') return { problem: `labels ignored: they are ${kindName(f)}, expected an int64 list` };
  const bad = f.values.find((v) => !Number.isSafeInteger(v) || v < 0);
  if (bad !== undefined) return { problem: `labels ignored: ${bad} is not a class index` };
  return { labels: f.values };
}

/** The segment rating lists, each of its own kind; a list of another kind costs the ratings (with a warning), not the video. */
function readSegmentLists(ex: SequenceExample): { raw: RawSegmentLists; problem?: string } {
  const raw: { -readonly [K in keyof RawSegmentLists]: number[] } = {};
  const kinds = { labels: 'int64', starts: 'int64', scores: 'float' } as const;
  for (const k of Object.keys(kinds) as (keyof typeof kinds)[]) {
    const f = ex.context.get(SEGMENT_KEYS[k]);
    if (!f) continue;
    if (f.kind !== kinds[k])
      return {
        raw: {},
        problem: `segment ratings ignored: ${SEGMENT_KEYS[k]} is ${kindName(f)}, expected ${kinds[k] === 'int64' ? 'an int64' : 'a float'} list`,
      };
    raw[k] = f.values as number[];
  }
  return { raw };
}

function readId(ex: SequenceExample, file: string, index: number): string {
  const f = ex.context.get('id');
  if (f?.kind === 'bytes' && f.values.length === 1) return utf8.decode(f.values[0]);
  return `${fileStem(file)}#${index}`;
}

function toVideo(ex: SequenceExample, file: string, index: number, id: string, cap: number): VideoFeatures {
  if (isVideoLevelExample(ex)) throw new SkipRecord(VIDEO_LEVEL_MESSAGE);
  const rgb = frameBytes(featureList(ex, 'rgb'), 'rgb');
  const audio = frameBytes(featureList(ex, 'audio'), 'audio');
  if (rgb.frames.length === 0) throw new SkipRecord('it has no frames');
  if (rgb.frames.length !== audio.frames.length) {
    throw new SkipRecord(`it has ${rgb.frames.length} rgb frames but ${audio.frames.length} audio frames`);
  }
  const frames = Math.min(rgb.frames.length, cap);
  return {
    file,
    index,
    id,
    frames,
    rgbDim: rgb.dim,
    audioDim: audio.dim,
    rgb: joinFrames(rgb.frames, frames, rgb.dim),
    audio: joinFrames(audio.frames, frames, audio.dim),
    ...(rgb.frames.length > frames ? { framesInFile: rgb.frames.length } : {}),
  };
}

/** What one record gives: its video (features kept uint8), or why it was skipped, and a note on its labels. */
export interface RecordVideo {
  video: VideoFeatures | null;
  /** Warnings naming the file and record: why it was skipped, or that its labels were ignored. */
  notes: string[];
}

/** One YouTube-8M record (a SequenceExample's bytes) as a video; `offset` is its header's byte offset, for messages. */
export function recordVideo(data: Uint8Array, file: string, index: number, offset: number, opts: ReadOptions = {}): RecordVideo {
  const wire = readFrameLevelWire(data, frameCap(opts));
  if (wire) {
    const video: VideoFeatures = {
      file,
      index,
      id: wire.id ?? `${fileStem(file)}#${index}`,
      frames: wire.frames,
      rgbDim: wire.rgbDim,
      audioDim: wire.audioDim,
      rgb: wire.rgb,
      audio: wire.audio,
      ...(wire.count > wire.frames ? { framesInFile: wire.count } : {}),
    };
    if (wire.labels) video.labels = wire.labels;
    const { segments, problem } = checkSegmentRatings(wire.segments, wire.count);
    if (segments) video.segments = segments;
    return { video, notes: problem ? [`${file}: record ${index} (id ${JSON.stringify(video.id)}): ${problem}`] : [] };
  }
  // Not plainly the frame-level layout: the general decoder reads it, or says what is wrong.
  let ex: SequenceExample;
  try {
    ex = decodeSequenceExample(data);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { video: null, notes: [`${file}: record ${index} (byte ${offset}) skipped: ${err.message}`] };
  }
  const id = readId(ex, file, index);
  const where = `${file}: record ${index} (id ${JSON.stringify(id)})`;
  try {
    const video = toVideo(ex, file, index, id, frameCap(opts));
    const { labels, problem } = readLabels(ex);
    if (labels) video.labels = labels;
    const lists = readSegmentLists(ex);
    const checked = checkSegmentRatings(lists.raw, video.framesInFile ?? video.frames);
    if (checked.segments) video.segments = checked.segments;
    const notes = [problem, lists.problem, checked.problem].filter((p): p is string => p !== undefined).map((p) => `${where}: ${p}`);
    return { video, notes };
  } catch (err) {
    if (!(err instanceof SkipRecord)) throw err;
    return { video: null, notes: [`${where} skipped: ${err.message}`] };
  }
}

/**
 * Every video of a YouTube-8M frame-level TFRecord file held in memory (stream.ts
 * reads one without holding it). Broken records are skipped with a warning
 * each; only a file without a single readable video throws.
 */
export function readTfRecordFeatures(bytes: Uint8Array, file: string, opts: ReadOptions = {}): FeatureFileResult {
  if (bytes.length === 0) fail(file, 'the file is empty');
  const read = readTfRecords(bytes, file);
  const videos: VideoFeatures[] = [];
  // Framing problems and record problems are merged in file order.
  const notes: { index: number; message: string; skipped: boolean }[] = read.problems.map((p) => ({
    index: p.index,
    message: p.message,
    skipped: true,
  }));
  for (let r = 0; r < read.records.length; r++) {
    const { video, notes: n } = recordVideo(read.records[r], file, read.indices[r], read.offsets[r], opts);
    if (video) videos.push(video);
    n.forEach((message) => notes.push({ index: read.indices[r], message, skipped: !video }));
  }
  notes.sort((a, b) => a.index - b.index);
  if (videos.length === 0)
    noVideoRead(
      file,
      notes.filter((n) => n.skipped).map((n) => n.message),
    );
  return { videos, warnings: notes.map((n) => n.message) };
}

/**
 * The one error for a TFRecord file without a single readable video, in place
 * of a warning per problem: the first problem (a file that is no TFRecord at
 * all said first), naming the file once, and how many more there were.
 */
export function noVideoRead(file: string, problems: readonly string[]): never {
  const first = problems[0];
  if (first === undefined) fail(file, 'no video could be read: it holds no records');
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  const detail = first.startsWith(`${file}: `) ? first.slice(file.length + 2) : first;
  if (detail.startsWith('this is not a TFRecord file')) fail(file, detail + more);
  fail(file, `no video could be read: ${detail}${more}`);
}

const utf8Encoder = new TextEncoder();

/** Writes videos in exactly the YouTube-8M frame-level layout (labels and segment lists packed). */
export function writeTfRecordFeatures(videos: readonly Yt8mVideo[]): Uint8Array {
  return writeTfRecords(
    videos.map((v) => {
      const context = new Map<string, Feature>([['id', { kind: 'bytes', values: [utf8Encoder.encode(v.id)] }]]);
      if (v.labels) context.set('labels', { kind: 'int64', values: v.labels });
      if (v.segments) {
        context.set(SEGMENT_KEYS.labels, { kind: 'int64', values: v.segments.labels });
        context.set(SEGMENT_KEYS.starts, { kind: 'int64', values: v.segments.startTimes });
        context.set(SEGMENT_KEYS.scores, { kind: 'float', values: v.segments.scores });
      }
      const perFrame = (frames: Uint8Array[]): Feature[] => frames.map((b) => ({ kind: 'bytes', values: [b] }));
      return encodeSequenceExample({
        context,
        featureLists: new Map([
          ['rgb', perFrame(v.rgb)],
          ['audio', perFrame(v.audio)],
        ]),
      });
    }),
  );
}
