/**
 * Feature files read without holding them: a YouTube-8M shard (about 266 MB)
 * goes through a chunk at a time, one video per record, its features kept
 * uint8 until a batch is packed. Each video comes with where its record lies,
 * so that it can be read again alone (evidence, fine-tuning) without keeping
 * its frames. Formats that cannot be streamed (pickles, npy, JSON: one or a
 * few videos a file) are read whole.
 */
import { fail, InputError } from '../errors';
import { readTfRecordAt, scanTfRecords } from '../containers/tfrecord';
import { type ByteSource, readAll } from '../io/byteSource';
import { featureFormat } from './featureFormats';
import { detectFeatureFileKind, readFeatureFile } from './read';
import { noVideoRead, recordVideo } from './tfrecordFeatures';
import type { ReadOptions, VideoFeatures } from './featureTypes';

/** Where a video lies in its file: a TFRecord's record, or its position in a file read whole. */
export type VideoPlace = { kind: 'record'; index: number; offset: number; length: number } | { kind: 'whole-file'; index: number };

export type FeatureStreamItem =
  | { kind: 'video'; video: VideoFeatures; place: VideoPlace }
  /** A record skipped, or labels ignored, naming the file and the record. */
  | { kind: 'warning'; message: string }
  /** Bytes of the file read so far (they only grow; the last says the whole file). */
  | { kind: 'progress'; bytesRead: number; bytesTotal: number };

export interface StreamOptions extends ReadOptions {
  /** Bytes read at a time (a TFRecord's records are joined across chunks). Default 4 MiB. */
  chunkBytes?: number;
}

/** Enough of a file's start to tell its format. */
const HEAD_BYTES = 64;

/**
 * The videos of one feature file, in file order, with warnings and progress
 * between them. A file from which no video at all can be read throws an
 * InputError naming it (after its warnings); the frame cap's cuts are said in
 * one warning at the end.
 */
export async function* streamFeatureFile(src: ByteSource, opts: StreamOptions = {}): AsyncGenerator<FeatureStreamItem> {
  const file = src.name;
  if (src.size === 0) fail(file, 'the file is empty');
  const kind = detectFeatureFileKind(await src.read(0, Math.min(HEAD_BYTES, src.size)), file);
  let videos = 0;
  const cut = new FrameCapTally();
  const counted = (video: VideoFeatures) => {
    videos++;
    cut.add(video);
  };

  if (kind !== null && featureFormat(kind).streaming === 'records') {
    let bytesRead = 0;
    // Problems before the first video wait: a file with none at all gets one error (noVideoRead), not a warning each and then the error.
    let held: string[] = [];
    const problems: string[] = [];
    for await (const r of scanTfRecords(src, { chunkBytes: opts.chunkBytes, onBytes: (n) => (bytesRead = n) })) {
      if (r.kind === 'problem') {
        problems.push(r.problem.message);
        if (videos === 0) held.push(r.problem.message);
        else yield { kind: 'warning', message: r.problem.message };
        continue;
      }
      const { video, notes } = recordVideo(r.data, file, r.index, r.offset, opts);
      if (video) {
        for (const message of held) yield { kind: 'warning', message };
        held = [];
        for (const message of notes) yield { kind: 'warning', message };
        counted(video);
        yield { kind: 'video', video, place: { kind: 'record', index: r.index, offset: r.offset, length: r.length } };
      } else {
        if (notes[0] !== undefined) problems.push(notes[0]);
        held.push(...notes);
      }
      yield { kind: 'progress', bytesRead, bytesTotal: src.size };
    }
    yield { kind: 'progress', bytesRead: src.size, bytesTotal: src.size };
    if (videos === 0) noVideoRead(file, problems);
  } else {
    const { videos: all, warnings } = readFeatureFile(await readAll(src), file, opts);
    yield { kind: 'progress', bytesRead: src.size, bytesTotal: src.size };
    for (const message of warnings) yield { kind: 'warning', message };
    for (let i = 0; i < all.length; i++) {
      counted(all[i]);
      yield { kind: 'video', video: all[i], place: { kind: 'whole-file', index: i } };
    }
  }
  const note = cut.note(file);
  if (note) yield { kind: 'warning', message: note };
}

/** The videos the frame cap cut, told in one warning per file. */
export class FrameCapTally {
  private videos = 0;
  private frames = 0;
  private cap = 0;

  add(video: VideoFeatures): void {
    if (video.framesInFile === undefined) return;
    this.videos++;
    this.frames += video.framesInFile - video.frames;
    this.cap = video.frames;
  }

  /** The warning, or null when nothing was cut. */
  note(file: string): string | null {
    if (this.videos === 0) return null;
    const n = this.videos;
    return `${file}: ${n} video${n === 1 ? ' was' : 's were'} longer than the frame cap and cut to ${this.cap} frames (${this.frames} frame${this.frames === 1 ? '' : 's'} left out)`;
  }
}

/**
 * Videos read again from where a stream found them, in the order asked: a
 * TFRecord's records one by one, a file read whole once for all its videos.
 * A record that no longer reads (the file changed) is an InputError naming it.
 */
export async function readVideosAt(src: ByteSource, places: readonly VideoPlace[], opts: ReadOptions = {}): Promise<VideoFeatures[]> {
  let whole: VideoFeatures[] | null = null;
  const out: VideoFeatures[] = [];
  for (const place of places) {
    if (place.kind === 'whole-file') {
      whole ??= readFeatureFile(await readAll(src), src.name, opts).videos;
      const video = whole[place.index];
      if (!video) throw new InputError(`${src.name}: video ${place.index} is no longer there: the file changed since it was read`);
      out.push(video);
      continue;
    }
    const r = await readTfRecordAt(src, place.offset, place.length, place.index);
    if (r.kind === 'problem') throw new InputError(r.problem.message);
    const { video, notes } = recordVideo(r.data, src.name, place.index, place.offset, opts);
    if (!video) throw new InputError(notes[0] ?? `${src.name}: record ${place.index} no longer reads`);
    out.push(video);
  }
  return out;
}
