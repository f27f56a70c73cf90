import { createHash } from 'node:crypto';
import path from 'node:path';
import { readModelJson, readUserFile } from './files';

/**
 * A converted model's fingerprint: SHA-256 over its model.json and its
 * weight shards, in the manifest's order. Parts of a sharded evaluation carry
 * it, so that parts made with different models (or a model converted again
 * with other weights) are never merged.
 */
export async function modelFingerprint(dir: string): Promise<string> {
  const { json, jsonPath } = await readModelJson(dir);
  const h = createHash('sha256');
  h.update(await readUserFile(jsonPath));
  const base = path.dirname(jsonPath);
  for (const group of json.weightsManifest) {
    for (const p of group.paths) {
      h.update(`\0${p}\0`);
      h.update(await readUserFile(path.join(base, p)));
    }
  }
  return h.digest('hex');
}
