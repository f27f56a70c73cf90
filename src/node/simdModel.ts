import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { type ModelJson, storedBytes } from '../core/convert/modelFormat';
import { InputError } from '../core/errors';
import { MAX_RECURRENCE_THREADS } from '../kernels/lstmSimd/layout';
import { SimdModel } from '../kernels/lstmSimd/model';
import { readModelJson } from './files';
import { nodeLstmHelper } from './lstmHelper';
import { wasmThreadsWanted } from './threads';

/**
 * A converted model folder as a SimdModel (the command line's engine): each
 * shard read straight into the model's memory, where its rows are packed as
 * they arrive, so that the weights are copied once (the page cache to the
 * model) and nothing is packed at the first prediction. `threads`: as
 * --threads (ALSTM_WASM_THREADS, else 1), at most the machine's cores and 4.
 */
export async function loadSimdModel(dir: string, opts: { threads?: number } = {}): Promise<{ model: SimdModel; json: ModelJson }> {
  const { json, jsonPath } = await readModelJson(dir);
  const base = path.dirname(jsonPath);
  const entries = json.weightsManifest.flatMap((g) => g.weights);
  const files = json.weightsManifest.flatMap((g) => g.paths).map((p) => path.join(base, p));
  // The shards' sizes first, so that a short or long folder is said before anything is loaded.
  const handles: { file: string; fd: number; size: number }[] = [];
  try {
    for (const file of files) {
      let fd: number;
      try {
        fd = openSync(file, 'r');
      } catch (e) {
        throw new InputError(
          `${file}: cannot open a shard of the model (${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as NodeJS.ErrnoException).code})`,
        );
      }
      handles.push({ file, fd, size: fstatSync(fd).size });
    }
    const want = entries.reduce((n, e) => n + storedBytes(e), 0);
    const have = handles.reduce((n, h) => n + h.size, 0);
    if (have !== want)
      throw new InputError(
        `${jsonPath}: the shards hold ${have.toLocaleString('en-US')} bytes, the weightsManifest describes ${want.toLocaleString('en-US')}; the model folder is incomplete or inconsistent`,
      );
    const threads = Math.min(wasmThreadsWanted(opts), MAX_RECURRENCE_THREADS);
    const model = await SimdModel.create(json.attentionLstm, { helpers: Array.from({ length: threads - 1 }, nodeLstmHelper) });
    try {
      const sink = model.weightSink(entries);
      for (const h of handles) {
        for (let pos = 0; pos < h.size;) {
          const space = sink.space(h.size - pos);
          const got = readSync(h.fd, space, 0, space.length, pos);
          if (got === 0) throw new InputError(`${h.file}: the shard ended early (read ${pos} of ${h.size} bytes)`);
          sink.wrote(got);
          pos += got;
        }
      }
      sink.finish();
    } catch (e) {
      model.dispose();
      if (e instanceof InputError) throw new InputError(`${jsonPath}: ${e.message}`);
      throw e;
    }
    return { model, json };
  } finally {
    for (const h of handles) closeSync(h.fd);
  }
}
