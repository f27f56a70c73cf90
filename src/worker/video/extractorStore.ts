/**
 * The extractor's files, read and checked once (an ExtractorModel: the
 * prepared Inception graph and the PCA, plain typed arrays), kept in the
 * browser so that a later visit does not ask for them again. A database of
 * its own beside the model cache's, so neither's schema version moves the
 * other's.
 */
import { EnvironmentError } from '../../core/errors';
import type { ExtractorModel } from '../../core/extractor/extractor';
import type { ExtractorInfo } from '../../protocol/protocol';

export interface StoredExtractor {
  info: ExtractorInfo;
  model: ExtractorModel;
}

export interface ExtractorStore {
  get(): Promise<StoredExtractor | null>;
  put(value: StoredExtractor): Promise<void>;
  clear(): Promise<void>;
}

export class MemoryExtractorStore implements ExtractorStore {
  private value: StoredExtractor | null = null;
  async get() {
    return this.value;
  }
  async put(value: StoredExtractor) {
    this.value = value;
  }
  async clear() {
    this.value = null;
  }
}

const DB_NAME = 'attention-lstm-extractor';
const STORE = 'extractor';
const KEY = 'current';

function failed(error: DOMException | null): EnvironmentError {
  return new EnvironmentError(
    `the browser's cache of the extractor files failed (${error?.message || error?.name || 'its transaction was aborted'})`,
  );
}

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(failed(req.error));
  });
}

export class IndexedDbExtractorStore implements ExtractorStore {
  private db: Promise<IDBDatabase> | null = null;

  static available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(failed(req.error));
      req.onblocked = () => reject(new EnvironmentError('the extractor cache is blocked by another tab of this page'));
    });
    this.db.catch(() => (this.db = null));
    return this.db;
  }

  async get(): Promise<StoredExtractor | null> {
    const db = await this.open();
    return (await promised(db.transaction(STORE).objectStore(STORE).get(KEY) as IDBRequest<StoredExtractor | undefined>)) ?? null;
  }

  async put(value: StoredExtractor): Promise<void> {
    const db = await this.open();
    await promised(db.transaction(STORE, 'readwrite').objectStore(STORE).put(value, KEY));
  }

  async clear(): Promise<void> {
    const db = await this.open();
    await promised(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(KEY));
  }
}
