import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import path from 'node:path';
import { type ManifestEntry, type ModelJson, storedBytes } from '../core/convert/modelFormat';
import { InputError } from '../core/errors';
import { MAX_RECURRENCE_THREADS } from '../kernels/lstmSimd/layout';
import { SimdModel } from '../kernels/lstmSimd/model';
import { readModelJson } from './files';
import { nodeLstmHelper } from './lstmHelper';
import { wasmThreadsWanted } from './threads';

/** A converted model folder's shards, open, their sizes checked against its manifest. */
export interface ModelShards {
  json: ModelJson;
  jsonPath: string;
  /** The weights in the shards' order. */
  entries: ManifestEntry[];
  handles: {
    file: string;
    size: number;
    read(into: Uint8Array, position: number): number;
    /** As read, on libuv's thread pool: the caller's thread goes on meanwhile. */
    readInBackground(into: Uint8Array, position: number): Promise<number>;
  }[];
  /** All the shards' bytes. */
  bytes: number;
  close(): void;
}

/**
 * Opens every shard of a converted model folder and checks their sizes first,
 * so that a short or long folder is said before anything is loaded.
 */
export async function openModelShards(dir: string): Promise<ModelShards> {
  const { json, jsonPath } = await readModelJson(dir);
  const base = path.dirname(jsonPath);
  const entries = json.weightsManifest.flatMap((g) => g.weights);
  const files = json.weightsManifest.flatMap((g) => g.paths).map((p) => path.join(base, p));
  const fds: number[] = [];
  const close = () => fds.forEach((fd) => closeSync(fd));
  try {
    const handles = files.map((file) => {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch (e) {
        throw new InputError(
          `${file}: cannot open a shard of the model (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as NodeJS.ErrnoException).code})`,
        );
      }
      fds.push(fd);
      return {
        file,
        size: fstatSync(fd).size,
        read: (into: Uint8Array, position: number) => readSync(fd, into, 0, into.length, position),
        readInBackground: (into: Uint8Array, position: number) =>
          new Promise<number>((resolve, reject) => read(fd, into, 0, into.length, position, (e, n) => (e ? reject(e) : resolve(n)))),
      };
    });
    const want = entries.reduce((n, e) => n + storedBytes(e), 0);
    const have = handles.reduce((n, h) => n + h.size, 0);
    if (have !== want)
      throw new InputError(
        `${jsonPath}: the shards hold ${have.toLocaleString('en-US')} bytes, the weightsManifest describes ${want.toLocaleString('en-US')}; the model folder is incomplete or inconsistent`,
      );
    return { json, jsonPath, entries, handles, bytes: have, close };
  } catch (e) {
    close();
    throw e;
  }
}

/**
 * A converted model folder as a SimdModel (the command line's engine): each
 * shard read straight into the model's memory, where its rows are packed as
 * they arrive, so that the weights are copied once (the page cache to the
 * model) and nothing is packed at the first prediction. `threads`: as
 * --threads (ALSTM_WASM_THREADS, else 1), at most the machine's cores and 4.
 */
export async function loadSimdModel(dir: string, opts: { threads?: number } = {}): Promise<{ model: SimdModel; json: ModelJson }> {
  const shards = await openModelShards(dir);
  try {
    const threads = Math.min(wasmThreadsWanted(opts), MAX_RECURRENCE_THREADS);
    const model = await SimdModel.create(shards.json.attentionLstm, { helpers: Array.from({ length: threads - 1 }, nodeLstmHelper) });
    try {
      const sink = model.weightSink(shards.entries);
      for (const h of shards.handles) {
        for (let pos = 0; pos < h.size;) {
          const space = sink.space(h.size - pos);
          const got = h.read(space, pos);
          if (got === 0) throw new InputError(`${h.file}: the shard ended early (read ${pos} of ${h.size} bytes)`);
          sink.wrote(got);
          pos += got;
        }
      }
      sink.finish();
    } catch (e) {
      model.dispose();
      if (e instanceof InputError) throw new InputError(`${shards.jsonPath}: ${e.message}`);
      throw e;
    }
    return { model, json: shards.json };
  } finally {
    shards.close();
  }
}
