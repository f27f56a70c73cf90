import type { CachedModelInfo } from '../../../protocol/protocol';
import type { ModelStore } from './modelStore';
import { EnvironmentError } from '../../../core/errors';

const DB_NAME = 'attention-lstm-playground';
const DB_VERSION = 1;
/** Committed models: { info, json }, keyed by info.id. */
const MODELS = 'models';
/** Shards: { id, path, bytes }, keyed by [id, path], indexed by id. */
const SHARDS = 'shards';

interface ModelRow {
  id: string;
  info: CachedModelInfo;
  json: string;
}

interface ShardRow {
  id: string;
  path: string;
  bytes: Uint8Array;
}

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(cacheFailed(req.error));
  });
}

/** IndexedDB's errors (a full quota, say) as the page shows them. */
function cacheFailed(error: DOMException | null): EnvironmentError {
  return new EnvironmentError(`the browser's model cache failed (${error?.message || error?.name || 'its transaction was aborted'})`);
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(cacheFailed(tx.error));
    tx.onerror = () => reject(cacheFailed(tx.error));
  });
}

/** The ModelStore of the page (and of its worker): one IndexedDB database. */
export class IndexedDbModelStore implements ModelStore {
  private db: Promise<IDBDatabase> | null = null;

  static available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS, { keyPath: 'id' });
        if (!db.objectStoreNames.contains(SHARDS)) {
          db.createObjectStore(SHARDS, { keyPath: ['id', 'path'] }).createIndex('byModel', 'id');
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(cacheFailed(req.error));
      req.onblocked = () => reject(new EnvironmentError('the model cache is blocked by another tab of this page'));
    });
    return this.db;
  }

  async list(): Promise<CachedModelInfo[]> {
    const db = await this.open();
    const rows = await promised(db.transaction(MODELS).objectStore(MODELS).getAll() as IDBRequest<ModelRow[]>);
    return rows.map((r) => r.info).sort((a, b) => b.savedAt - a.savedAt);
  }

  async get(id: string) {
    const db = await this.open();
    const row = await promised(db.transaction(MODELS).objectStore(MODELS).get(id) as IDBRequest<ModelRow | undefined>);
    return row ? { info: row.info, json: row.json } : null;
  }

  async getShard(id: string, path: string) {
    const db = await this.open();
    const row = await promised(db.transaction(SHARDS).objectStore(SHARDS).get([id, path]) as IDBRequest<ShardRow | undefined>);
    return row ? row.bytes : null;
  }

  async putShard(id: string, path: string, bytes: Uint8Array) {
    const db = await this.open();
    const tx = db.transaction(SHARDS, 'readwrite');
    tx.objectStore(SHARDS).put({ id, path, bytes } satisfies ShardRow);
    await done(tx);
  }

  async put(info: CachedModelInfo, json: string) {
    const db = await this.open();
    const tx = db.transaction(MODELS, 'readwrite');
    tx.objectStore(MODELS).put({ id: info.id, info, json } satisfies ModelRow);
    await done(tx);
  }

  async delete(id: string) {
    const db = await this.open();
    const tx = db.transaction([MODELS, SHARDS], 'readwrite');
    tx.objectStore(MODELS).delete(id);
    const shards = tx.objectStore(SHARDS);
    const keys = await promised(shards.index('byModel').getAllKeys(IDBKeyRange.only(id)));
    for (const k of keys) shards.delete(k);
    await done(tx);
  }
}
