import { InputError } from '../errors';
import type { ParamsFormat } from '../formats/detect';
import { sizeOf, widenHalf } from '../ndarray';
import { type Sizes, type Variant, VARIANTS, canonicalTensors } from '../model/architecture';

/**
 * A converted model is tfjs's own layout: `model.json` with a `weightsManifest`
 * whose shards hold the weights back to back (a tensor may span two shards), plus
 * an `attentionLstm` section that says what the weights are. Weights are the
 * canonical tensors of architecture.ts, float32, or float16 widened on load.
 */
export const MODEL_FORMAT = 'attention-lstm';
export const FORMAT_VERSION = 1;
export const SHARD_BYTES = 4 * 1024 * 1024;

export type StoredDType = 'float32' | 'float16';

export interface SourceInfo {
  /** The weight file the model was converted from, or what the set of files is called (a folder's name). */
  file: string;
  /** Bytes of all the files read. */
  bytes: number;
  /** SHA-256 of the file; for several files, of their sha256sum listing (`<hex>  <name>\n` per file, in `files` order). */
  sha256: string;
  format: ParamsFormat;
  /** Each file, when the weights came from several (a parameter folder, an inference model's .pdmodel and .pdiparams). */
  files?: { name: string; bytes: number; sha256: string }[];
}

export interface AttentionLstmMeta {
  version: number;
  variant: Variant;
  sizes: Sizes;
  /** Class names when known (the YouTube-8M vocabulary for 3862 classes, the user's own labels after fine-tuning). */
  classNames: string[] | null;
  dtype: StoredDType;
  source: SourceInfo | null;
  /** Free text: how the model came to be (converted, trained demo, fine-tuned). */
  description?: string;
}

export interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  quantization?: { dtype: 'float16' };
}

export interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

export interface ModelJson {
  format: typeof MODEL_FORMAT;
  generatedBy: string;
  convertedBy: string | null;
  weightsManifest: ManifestGroup[];
  attentionLstm: AttentionLstmMeta;
}

export const GENERATED_BY = 'attention-lstm-playground 0.1';

export function shardName(i: number, n: number): string {
  return `group1-shard${i + 1}of${n}.bin`;
}

export function storedBytes(entry: ManifestEntry): number {
  return sizeOf(entry.shape) * (entry.quantization?.dtype === 'float16' ? 2 : 4);
}

export function totalStoredBytes(json: ModelJson): number {
  return json.weightsManifest.flatMap((g) => g.weights).reduce((n, e) => n + storedBytes(e), 0);
}

/** Parses and checks a model.json: the file name is for messages. */
export function parseModelJson(text: string, file: string): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const j = json as Partial<ModelJson>;
  if (!j || typeof j !== 'object' || j.format !== MODEL_FORMAT || !j.attentionLstm || !Array.isArray(j.weightsManifest)) {
    throw new InputError(`${file}: not an AttentionLSTM model.json (expected "format": "${MODEL_FORMAT}", an "attentionLstm" section and a "weightsManifest"); convert Paddle weights with 'npm run convert' first`);
  }
  const meta = j.attentionLstm;
  if (meta.version !== FORMAT_VERSION) throw new InputError(`${file}: model format version ${meta.version}, this program reads version ${FORMAT_VERSION}`);
  if (!VARIANTS.includes(meta.variant)) throw new InputError(`${file}: unknown variant '${meta.variant}'`);
  const expected = new Map(canonicalTensors(meta.variant, meta.sizes).map((t) => [t.name, t.shape.join(',')]));
  const seen = new Set<string>();
  for (const g of j.weightsManifest) {
    if (!Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new InputError(`${file}: a weightsManifest group lacks "paths" or "weights"`);
    for (const p of g.paths) {
      if (typeof p !== 'string' || p.includes('/') || p.includes('\\') || p.startsWith('.')) {
        throw new InputError(`${file}: shard path '${p}' must be a plain file name beside model.json`);
      }
    }
    for (const e of g.weights) {
      const want = expected.get(e.name);
      if (want === undefined) throw new InputError(`${file}: the weight '${e.name}' is not part of a ${meta.variant} AttentionLSTM`);
      if (e.shape.join(',') !== want) throw new InputError(`${file}: the weight '${e.name}' has shape [${e.shape}], expected [${want}]`);
      if (e.dtype !== 'float32') throw new InputError(`${file}: the weight '${e.name}' has dtype ${e.dtype}, expected float32`);
      seen.add(e.name);
    }
  }
  for (const name of expected.keys()) if (!seen.has(name)) throw new InputError(`${file}: the weight '${name}' is missing from the weightsManifest`);
  if (meta.classNames && meta.classNames.length !== meta.sizes.classes) {
    throw new InputError(`${file}: ${meta.classNames.length} class names for ${meta.sizes.classes} classes`);
  }
  return j as ModelJson;
}

/**
 * Decodes weights from shards given in manifest order, one shard at a time, so
 * that shards can be dropped as soon as they are read. `nextShard` returns the
 * bytes of the group's next path.
 */
export async function decodeWeights(
  json: ModelJson, file: string,
  nextShard: (group: number, index: number, path: string) => Promise<Uint8Array>,
): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (let gi = 0; gi < json.weightsManifest.length; gi++) {
    const group = json.weightsManifest[gi];
    let shard: Uint8Array = new Uint8Array(0);
    let shardIndex = -1;
    let at = 0;
    const take = async (n: number): Promise<Uint8Array> => {
      const buf = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        if (at === shard.length) {
          shardIndex++;
          if (shardIndex >= group.paths.length) {
            throw new InputError(`${file}: the shards hold fewer bytes than the weightsManifest describes (the weights end inside '${group.weights.find((w) => !out.has(w.name))?.name}')`);
          }
          shard = await nextShard(gi, shardIndex, group.paths[shardIndex]);
          at = 0;
          continue;
        }
        const k = Math.min(n - filled, shard.length - at);
        buf.set(shard.subarray(at, at + k), filled);
        filled += k;
        at += k;
      }
      return buf;
    };
    for (const e of group.weights) {
      const raw = await take(storedBytes(e));
      if (e.quantization?.dtype === 'float16') {
        out.set(e.name, widenHalf(new Uint16Array(raw.buffer)));
      } else {
        out.set(e.name, new Float32Array(raw.buffer));
      }
    }
    if (at !== shard.length || shardIndex !== group.paths.length - 1) {
      throw new InputError(`${file}: the shards hold more bytes than the weightsManifest describes; the model folder is inconsistent`);
    }
  }
  return out;
}
