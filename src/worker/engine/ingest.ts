/**
 * Loads of feature files: each load streams its files one after another as
 * one stream of videos (a chunk of a file at a time), registers each video,
 * hands its frames to the prediction scheduler, and tells the page in batches:
 * the videos read (`file`, a few times a second), and the progress of every
 * load under way together (`load`). A load can be cancelled between videos.
 */
import { EnvironmentError, InputError, userMessage } from '../../core/errors';
import { streamFeatureFile } from '../../core/features/stream';
import { bytesSource, type ByteSource } from '../../core/io/byteSource';
import { blobSource } from '../blobSource';
import type { VideoFeatures } from '../../core/features/featureTypes';
import type { FeatureSource, FileEnd, LoadProgress, ReadChoices, VideoSummary, WorkerEvent } from '../../protocol/protocol';
import type { PredictionScheduler } from './predictionScheduler';
import type { VideoRegistry } from './videoRegistry';

/**
 * Bytes read from a file at a time. Each read and its join with the last
 * one's remainder are garbage soon after: with 1 MiB instead of the reader's
 * 4 MiB, shards grew the tab clearly less, for a little more time (more reads,
 * each a round trip to the browser; docs/benchmarks.md).
 */
const READ_CHUNK_BYTES = 1 << 20;

/** How often the page hears of videos read and of the loads' progress, at most. */
const REPORT_MS = 150;
/** Videos read are announced (and handed on) at the latest by this many. */
const FLUSH_VIDEOS = 64;

/** One load: its share of the progress the page sees, and whether it was cancelled. */
interface Load extends Omit<LoadProgress, 'state'> {
  id: number;
  cancelled: boolean;
}

/** What reading one file came to, for its `fileEnd`. */
interface FileTally {
  records: number;
  bytesRead: number;
  bytesTotal: number;
  duplicates: { index: number; id: string }[];
}

/** A file's end as the page hears it: a file read in full holds exactly the records seen; one cut short, about as many per byte. */
function fileEnd(file: string, state: FileEnd['state'], t: FileTally): FileEnd {
  const whole = state === 'done' || (t.bytesTotal > 0 && t.bytesRead >= t.bytesTotal);
  const estimate = whole
    ? t.records
    : t.records > 0 && t.bytesRead > 0
      ? Math.max(t.records, Math.round((t.records * t.bytesTotal) / t.bytesRead))
      : null;
  return { file, state, records: t.records, estimate, duplicates: t.duplicates };
}

export interface IngestDeps {
  fetch: (url: string) => Promise<Response>;
  /** The frame cap new files are read with. */
  maxFrames: () => number;
}

export class Ingest {
  private readonly loads = new Map<number, Load>();
  /** Loads that ended since none was under way: the last report of a spell of reading still counts them. */
  private ended: Load[] = [];
  private nextId = 1;
  private lastReport = -Infinity;

  constructor(
    private readonly videos: VideoRegistry,
    private readonly scheduler: PredictionScheduler,
    private readonly emit: (e: WorkerEvent) => void,
    private readonly deps: IngestDeps,
  ) {}

  /** Reads the sources as one stream; resolves when all were read or the load was cancelled. */
  async run(sources: readonly FeatureSource[], choices: ReadChoices = {}): Promise<{ videos: number; failed: number; cancelled: boolean }> {
    const load: Load = {
      id: this.nextId++,
      files: sources.length,
      filesDone: 0,
      bytesRead: 0,
      bytesTotal: sources.reduce((n, s) => n + (s.kind === 'file' ? s.file.size : 0), 0),
      videosRead: 0,
      file: null,
      cancelled: false,
    };
    if (this.loads.size === 0) this.ended = [];
    this.loads.set(load.id, load);
    this.scheduler.setReading(true);
    let failed = 0;
    try {
      for (const source of sources) {
        const name = source.kind === 'file' ? source.file.name : source.name;
        // Files a cancel left unread are said too, so that the page can offer to read them.
        if (load.cancelled) {
          this.emit({ type: 'fileEnd', end: { file: name, state: 'cancelled', records: 0, estimate: null, duplicates: [] } });
          continue;
        }
        load.file = name;
        const tally: FileTally = { records: 0, bytesRead: 0, bytesTotal: source.kind === 'file' ? source.file.size : 0, duplicates: [] };
        let state: FileEnd['state'] = 'done';
        try {
          await this.readOne(load, await this.open(source, load), name, choices, tally);
          if (load.cancelled) state = 'cancelled';
        } catch (e) {
          failed++;
          state = 'failed';
          this.emit({ type: 'fileError', file: name, message: userMessage(e) });
        }
        this.emit({ type: 'fileEnd', end: fileEnd(name, state, tally) });
        load.filesDone++;
      }
    } finally {
      this.loads.delete(load.id);
      this.ended.push(load);
      if (this.loads.size === 0) this.scheduler.setReading(false);
      this.report(true, load.cancelled ? 'cancelled' : 'done');
    }
    return { videos: load.videosRead, failed, cancelled: load.cancelled };
  }

  /**
   * Stops every load under way; the videos of this spell of loading (the
   * loads under way and those that ended since) that still wait for a
   * prediction are to be removed: what was predicted stays. Returns their keys.
   */
  cancelAll(): string[] {
    for (const load of this.loads.values()) load.cancelled = true;
    const ids = new Set([...this.loads.keys(), ...this.ended.map((l) => l.id)]);
    if (ids.size === 0) return [];
    return [...this.videos.all()].filter((e) => ids.has(e.load) && e.status !== 'done' && e.status !== 'error').map((e) => e.summary.key);
  }

  get active(): boolean {
    return this.loads.size > 0;
  }

  private async open(source: FeatureSource, load: Load): Promise<ByteSource> {
    if (source.kind === 'file') return blobSource(source.file.name, source.file);
    // A bundled sample: small, fetched whole and kept, so its videos can be read again.
    const r = await this.deps.fetch(source.url);
    if (!r.ok) throw new InputError(`${source.name}: the server answered ${r.status} ${r.statusText}`.trim());
    const bytes = new Uint8Array(await r.arrayBuffer());
    load.bytesTotal += bytes.length;
    return bytesSource(source.name, bytes);
  }

  private async readOne(load: Load, src: ByteSource, name: string, choices: ReadChoices, tally: FileTally): Promise<void> {
    const maxFrames = this.deps.maxFrames();
    const before = load.bytesRead;
    tally.bytesTotal = src.size;
    const skip = new Set(choices.skip?.[name] ?? []);
    const only = choices.only?.[name] ? new Set(choices.only[name]) : null;
    // Ids listed before this file: its videos with one of them are skipped unless asked to add them again.
    const listed = choices.duplicates === 'add' ? null : new Set([...this.videos.all()].map((e) => e.summary.id));
    // Videos read and not yet announced: the page hears of them before the scheduler gets them, so
    // that no prediction can arrive for a video the page does not list yet.
    let held: { key: string; video: VideoFeatures; summary: VideoSummary }[] = [];
    let warnings: string[] = [];
    const flush = async () => {
      // Videos removed meanwhile (a cancel) are not announced.
      const offered = held.filter((h) => this.videos.has(h.key));
      if (offered.length || warnings.length) this.emit({ type: 'file', file: name, videos: offered.map((h) => h.summary), warnings });
      held = [];
      warnings = [];
      this.report(false);
      for (const h of offered) await this.scheduler.offer(h.key, h.video);
    };
    try {
      for await (const item of streamFeatureFile(src, { maxFrames, chunkBytes: READ_CHUNK_BYTES })) {
        if (load.cancelled) break;
        if (item.kind === 'warning') warnings.push(item.message);
        else if (item.kind === 'progress') {
          load.bytesRead = before + item.bytesRead;
          tally.bytesRead = item.bytesRead;
        } else {
          const index = item.video.index;
          tally.records = Math.max(tally.records, index + 1);
          if (skip.has(index) || (only && !only.has(index))) continue;
          if (listed?.has(item.video.id)) {
            tally.duplicates.push({ index, id: item.video.id });
            continue;
          }
          const entry = this.videos.add(item.video, src, item.place, load.id, maxFrames);
          load.videosRead++;
          held.push({ key: entry.summary.key, video: item.video, summary: entry.summary });
          if (held.length >= FLUSH_VIDEOS || performance.now() - this.lastReport >= REPORT_MS) await flush();
        }
      }
    } catch (e) {
      await flush();
      // A file that stops reading (removed, or no longer readable by the browser) is the machine's, not the user's.
      if (e instanceof InputError) throw e;
      if (e instanceof Error && /NotReadable|NotFound/.test(e.name))
        throw new EnvironmentError(`${name}: the browser can no longer read this file (${e.message})`);
      throw e;
    }
    await flush();
    if (!load.cancelled) {
      load.bytesRead = before + src.size;
      tally.bytesRead = src.size;
    }
    this.report(true);
  }

  /** The progress of every load under way, as one (at most every REPORT_MS unless forced). */
  private report(force: boolean, ended?: 'done' | 'cancelled'): void {
    const now = performance.now();
    if (!force && now - this.lastReport < REPORT_MS) return;
    this.lastReport = now;
    const active = [...this.loads.values()];
    const all = [...this.ended, ...active];
    const sum = (f: (l: Load) => number) => all.reduce((n, l) => n + f(l), 0);
    const progress: LoadProgress = {
      state: active.length ? 'reading' : (ended ?? 'done'),
      files: sum((l) => l.files),
      filesDone: sum((l) => l.filesDone),
      bytesRead: sum((l) => l.bytesRead),
      bytesTotal: sum((l) => l.bytesTotal),
      videosRead: sum((l) => l.videosRead),
      file: active.at(-1)?.file ?? null,
    };
    this.emit({ type: 'load', progress });
  }
}
