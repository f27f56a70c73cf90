import { zipSync } from 'fflate';
import type { ModelJson } from '../convert/modelFormat';

/** A converted model as one zip holding a folder: model.json and its shards, as tfjs loads them. */
export function zipModel(folder: string, json: ModelJson, shards: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const files: Record<string, Uint8Array> = { [`${folder}/model.json`]: new TextEncoder().encode(JSON.stringify(json, null, 1) + '\n') };
  for (const [name, bytes] of shards) files[`${folder}/${name}`] = bytes;
  // Weights do not compress; storing them keeps zipping fast.
  return zipSync(files, { level: 0 });
}
