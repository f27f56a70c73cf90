import type { CachedModelInfo } from '../../../protocol/protocol';

/**
 * Where converted and loaded models are kept between visits. A model is its
 * model.json text plus its shards; shards are written one at a time as they
 * arrive (a conversion never holds the whole model), and the entry becomes
 * visible to `list` and `get` only when `put` commits it after the last shard.
 * The page uses the IndexedDB implementation, tests the in-memory one.
 */
export interface ModelStore {
  /** Committed models, newest first. */
  list(): Promise<CachedModelInfo[]>;
  /** A committed model's info and model.json text, or null. */
  get(id: string): Promise<{ info: CachedModelInfo; json: string } | null>;
  /** One shard of a model (committed or being written), or null. */
  getShard(id: string, path: string): Promise<Uint8Array | null>;
  putShard(id: string, path: string, bytes: Uint8Array): Promise<void>;
  /** Commits a model whose shards were all written. */
  put(info: CachedModelInfo, json: string): Promise<void>;
  /** Removes a model and its shards (also a half-written one). */
  delete(id: string): Promise<void>;
}

/** A store in memory: for tests, and the fallback when IndexedDB is unavailable (private windows). */
export class MemoryModelStore implements ModelStore {
  private readonly models = new Map<string, { info: CachedModelInfo; json: string }>();
  private readonly shards = new Map<string, Map<string, Uint8Array>>();

  async list(): Promise<CachedModelInfo[]> {
    return [...this.models.values()].map((m) => m.info).sort((a, b) => b.savedAt - a.savedAt);
  }

  async get(id: string) {
    return this.models.get(id) ?? null;
  }

  async getShard(id: string, path: string) {
    return this.shards.get(id)?.get(path) ?? null;
  }

  async putShard(id: string, path: string, bytes: Uint8Array) {
    if (!this.shards.has(id)) this.shards.set(id, new Map());
    this.shards.get(id)!.set(path, bytes);
  }

  async put(info: CachedModelInfo, json: string) {
    this.models.set(info.id, { info, json });
  }

  async delete(id: string) {
    this.models.delete(id);
    this.shards.delete(id);
  }
}
