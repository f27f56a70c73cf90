/**
 * The videos read so far, by key. A key is unique within the session:
 * `<file>#<index>`, with a counter when the same file is added twice.
 */
import type { VideoFeatures } from '../../core/features/types';
import type { VideoSummary } from '../protocol';

export class VideoRegistry {
  private readonly videos = new Map<string, VideoFeatures>();

  /** Registers a file's videos, in file order, and returns how the page lists them. */
  add(videos: readonly VideoFeatures[]): VideoSummary[] {
    return videos.map((v) => {
      let key = `${v.file}#${v.index}`;
      for (let n = 2; this.videos.has(key); n++) key = `${v.file}#${v.index}~${n}`;
      this.videos.set(key, v);
      return { key, file: v.file, index: v.index, id: v.id, frames: v.frames, labels: v.labels ?? null };
    });
  }

  get(key: string): VideoFeatures | undefined {
    return this.videos.get(key);
  }

  keys(): string[] {
    return [...this.videos.keys()];
  }

  /** Every video with its key, in the order they were added. */
  entries(): ReadonlyMap<string, VideoFeatures> {
    return this.videos;
  }

  clear(): void {
    this.videos.clear();
  }
}
