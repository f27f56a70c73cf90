/**
 * The videos read so far, by key: for each, what the page lists, where it
 * lies in its file, its state, and its probabilities once predicted (for the
 * dataset view). Frames are not kept: they are read again from the file when
 * needed (readVideosAt), so memory does not grow with the files' size.
 */
import { InputError } from '../../core/errors';
import { readVideosAt, type VideoPlace } from '../../core/features/stream';
import type { VideoFeatures } from '../../core/features/featureTypes';
import type { ByteSource } from '../../core/io/byteSource';
import type { VideoStatus, VideoSummary } from '../../protocol/protocol';

export interface VideoEntry {
  summary: VideoSummary;
  /** The file it was read from. */
  source: ByteSource;
  place: VideoPlace;
  /** The load it arrived with (cancelling that load removes it while it waits). */
  load: number;
  /** The frame cap it was read with, so that it reads again the same. */
  maxFrames: number;
  status: VideoStatus;
  /** Set once predicted with the loaded model; cleared when the model changes. */
  probabilities: Float32Array | null;
}

/** Removed videos are kept this long (ms) for an Undo, then forgotten. */
const TRASH_MS = 60_000;

export class VideoRegistry {
  private readonly entries = new Map<string, VideoEntry>();
  /** Videos removed a moment ago, with when: an Undo puts them back with their results. */
  private readonly trash = new Map<string, { entry: VideoEntry; at: number }>();

  /** Registers a video and returns how the page lists it (its key unique in the session). */
  add(video: VideoFeatures, source: ByteSource, place: VideoPlace, load: number, maxFrames: number): VideoEntry {
    let key = `${video.file}#${video.index}`;
    for (let n = 2; this.entries.has(key); n++) key = `${video.file}#${video.index}~${n}`;
    const summary: VideoSummary = {
      key,
      file: video.file,
      index: video.index,
      offset: place.kind === 'record' ? place.offset : null,
      id: video.id,
      frames: video.frames,
      framesInFile: video.framesInFile ?? null,
      labels: video.labels ?? null,
      segments: video.segments ?? null,
    };
    const entry: VideoEntry = { summary, source, place, load, maxFrames, status: 'queued', probabilities: null };
    this.entries.set(key, entry);
    return entry;
  }

  get(key: string): VideoEntry | undefined {
    return this.entries.get(key);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** Every entry, in the order they were added. */
  all(): IterableIterator<VideoEntry> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Removes these videos (kept a while for an Undo); returns the keys that were there. */
  remove(keys: readonly string[], now = Date.now()): string[] {
    this.expire(now);
    return keys.filter((k) => {
      const entry = this.entries.get(k);
      if (entry) this.trash.set(k, { entry, at: now });
      return this.entries.delete(k);
    });
  }

  clear(now = Date.now()): void {
    this.remove([...this.entries.keys()], now);
  }

  /**
   * Puts back removed videos whose keys are free (in the order asked, after
   * those listed); returns their entries. A video that waited for a
   * prediction waits again.
   */
  restore(keys: readonly string[], now = Date.now()): VideoEntry[] {
    this.expire(now);
    const back: VideoEntry[] = [];
    for (const k of keys) {
      const t = this.trash.get(k);
      if (!t || this.entries.has(k)) continue;
      this.trash.delete(k);
      if (t.entry.status === 'running') t.entry.status = 'queued';
      this.entries.set(k, t.entry);
      back.push(t.entry);
    }
    return back;
  }

  /** Forgets what was removed: their results belong to a model no longer loaded. */
  emptyTrash(): void {
    this.trash.clear();
  }

  private expire(now: number): void {
    for (const [k, t] of this.trash) if (now - t.at > TRASH_MS) this.trash.delete(k);
  }

  /**
   * The frames of these videos, read again from their files (each file's
   * records read alone; a file read whole once), in the order asked.
   */
  async load(keys: readonly string[]): Promise<VideoFeatures[]> {
    const entries = keys.map((k) => {
      const e = this.entries.get(k);
      if (!e) throw new InputError('that video is no longer loaded');
      return e;
    });
    // One group per file and frame cap: a file read whole is read once for all its videos.
    const groups = new Map<ByteSource, Map<number, number[]>>();
    entries.forEach((e, i) => {
      const byCap = groups.get(e.source) ?? new Map<number, number[]>();
      groups.set(e.source, byCap);
      byCap.set(e.maxFrames, [...(byCap.get(e.maxFrames) ?? []), i]);
    });
    const out: VideoFeatures[] = new Array(entries.length);
    for (const positions of [...groups.values()].flatMap((byCap) => [...byCap.values()])) {
      const { source, maxFrames } = entries[positions[0]];
      const videos = await readVideosAt(
        source,
        positions.map((i) => entries[i].place),
        { maxFrames },
      );
      positions.forEach((i, j) => (out[i] = { ...videos[j], file: entries[i].summary.file }));
    }
    return out;
  }
}
