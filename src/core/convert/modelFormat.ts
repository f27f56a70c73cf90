/**
 * A converted model is tfjs's own layout: `model.json` with a `weightsManifest`
 * whose shards hold the weights back to back (a tensor may span two shards), plus
 * an `attentionLstm` section that says what the weights are. Weights are the
 * canonical tensors of architecture.ts, float32, or float16 widened on load.
 */
import { InputError, printable } from '../errors';
import type { ParamsFormat } from '../paddle/detect';
import { sizeOf, widenHalf } from '../ndarray';
import { type Sizes, type Variant, VARIANTS, canonicalTensors } from '../model/architecture';

export const MODEL_FORMAT = 'attention-lstm';
export const FORMAT_VERSION = 1;
export const SHARD_BYTES = 4 * 1024 * 1024;

export type StoredDType = 'float32' | 'float16';

interface SourceInfo {
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

interface ManifestGroup {
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
    throw new InputError(`${file}: not valid JSON (${printable((e as Error).message)})`);
  }
  const j = json as Partial<ModelJson>;
  if (!j || typeof j !== 'object' || j.format !== MODEL_FORMAT || !j.attentionLstm || !Array.isArray(j.weightsManifest)) {
    throw new InputError(
      `${file}: not an AttentionLSTM model.json (expected "format": "${MODEL_FORMAT}", an "attentionLstm" section and a "weightsManifest"); convert Paddle weights with 'npm run convert' first`,
    );
  }
  const meta = j.attentionLstm;
  if (meta.version !== FORMAT_VERSION)
    throw new InputError(`${file}: model format version ${shown(meta.version)}, this program reads version ${FORMAT_VERSION}`);
  if (!VARIANTS.includes(meta.variant)) throw new InputError(`${file}: unknown variant ${shown(meta.variant)}`);
  checkSizes(meta.sizes, meta.variant, file);
  const expected = new Map(canonicalTensors(meta.variant, meta.sizes).map((t) => [t.name, t.shape.join(',')]));
  const seen = new Set<string>();
  for (const g of j.weightsManifest) {
    if (!g || typeof g !== 'object' || !Array.isArray(g.paths) || !Array.isArray(g.weights))
      throw new InputError(`${file}: a weightsManifest group lacks "paths" or "weights"`);
    for (const p of g.paths) {
      if (typeof p !== 'string' || p.includes('/') || p.includes('\\') || p.startsWith('.')) {
        throw new InputError(`${file}: shard path ${shown(p)} must be a plain file name beside model.json`);
      }
    }
    for (const e of g.weights as unknown[]) {
      if (!e || typeof e !== 'object' || typeof (e as ManifestEntry).name !== 'string')
        throw new InputError(`${file}: a weightsManifest entry is ${shown(e)}, expected {"name", "shape", "dtype"}`);
      const { name, shape, dtype, quantization } = e as ManifestEntry;
      const want = expected.get(name);
      if (want === undefined) throw new InputError(`${file}: the weight ${shown(name)} is not part of a ${meta.variant} AttentionLSTM`);
      if (seen.has(name)) throw new InputError(`${file}: the weight '${name}' is listed twice in the weightsManifest`);
      if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number') || shape.join(',') !== want)
        throw new InputError(`${file}: the weight '${name}' has shape ${shown(shape)}, expected [${want}]`);
      if (dtype !== 'float32') throw new InputError(`${file}: the weight '${name}' has dtype ${shown(dtype)}, expected float32`);
      if (quantization !== undefined && quantization?.dtype !== 'float16')
        throw new InputError(
          `${file}: the weight '${name}' has quantization ${shown(quantization)}, expected {"dtype": "float16"} or none`,
        );
      seen.add(name);
    }
  }
  for (const name of expected.keys())
    if (!seen.has(name)) throw new InputError(`${file}: the weight '${name}' is missing from the weightsManifest`);
  const names: unknown = meta.classNames;
  if (names !== null && names !== undefined) {
    if (!Array.isArray(names)) throw new InputError(`${file}: "classNames" is ${shown(names)}, expected a list of names or null`);
    if (names.length !== meta.sizes.classes) throw new InputError(`${file}: ${names.length} class names for ${meta.sizes.classes} classes`);
    const bad = names.findIndex((n) => typeof n !== 'string');
    if (bad >= 0) throw new InputError(`${file}: classNames[${bad}] is ${shown(names[bad])}, expected a name in quotes (a string)`);
  }
  return j as ModelJson;
}

/**
 * The most elements a converted model may hold: 2^30 (4 GiB of float32),
 * twenty times the published model; more is a damaged or hostile model.json,
 * refused before anything is allocated.
 */
const MAX_MODEL_ELEMENTS = 2 ** 30;

const SIZE_KEYS = ['rgbDim', 'audioDim', 'embed', 'lstm', 'head1', 'head2', 'classes'] as const;

/** "sizes": every width a positive whole number, and the weights they make within MAX_MODEL_ELEMENTS. */
function checkSizes(sizes: unknown, variant: Variant, file: string): asserts sizes is Sizes {
  if (!sizes || typeof sizes !== 'object' || Array.isArray(sizes)) {
    throw new InputError(`${file}: "attentionLstm"."sizes" is ${shown(sizes)}, expected {${SIZE_KEYS.map((k) => `"${k}"`).join(', ')}}`);
  }
  for (const k of SIZE_KEYS) {
    const v = (sizes as Record<string, unknown>)[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      throw new InputError(`${file}: sizes.${k} is ${shown(v)}, expected a positive whole number`);
    if (v > MAX_MODEL_ELEMENTS)
      throw new InputError(`${file}: sizes.${k} is ${v}, more than any model this program can hold (${MAX_MODEL_ELEMENTS})`);
  }
  const elements = canonicalTensors(variant, sizes as Sizes).reduce((n, t) => n + sizeOf(t.shape), 0);
  if (elements > MAX_MODEL_ELEMENTS) {
    throw new InputError(
      `${file}: its sizes make ${elements.toExponential(2)} weights, more than any model this program can hold (${MAX_MODEL_ELEMENTS}, 4 GiB of float32)`,
    );
  }
}

/** A value from a model.json as a message shows it: short, and never a stack overflow. */
function shown(v: unknown): string {
  if (v === undefined) return 'missing';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    return 'nested too deep to show';
  }
  if (s === undefined) return String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The first element of `a[from..to)` that is NaN or infinite, or -1. */
export function firstNonFinite(a: Float32Array, from = 0, to = a.length): number {
  // x * 0 is 0 for every finite x and NaN otherwise: a chunk's sums say whether to look in it (1.6x faster than
  // testing each element: 55 against 88 ms for a full-size model's 108 M weights, checked at every load).
  const CHUNK = 4096;
  for (let c = from; c < to; c += CHUNK) {
    const end = Math.min(to, c + CHUNK);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = c;
    for (; i + 3 < end; i += 4) {
      s0 += a[i] * 0;
      s1 += a[i + 1] * 0;
      s2 += a[i + 2] * 0;
      s3 += a[i + 3] * 0;
    }
    for (; i < end; i++) s0 += a[i] * 0;
    if (s0 + s1 + s2 + s3 !== 0) for (let j = c; j < end; j++) if (!Number.isFinite(a[j])) return j;
  }
  return -1;
}

/** The sentence for a weight holding NaN or infinity: such weights make every probability NaN. */
export function nonFiniteWeight(name: string, value: number, index: number): string {
  return `the weight '${name}' holds ${value} at element ${index}: weights must be finite numbers (the shards are damaged, or the model diverged in training)`;
}

/**
 * Decodes weights from shards given in manifest order, one shard at a time, so
 * that shards can be dropped as soon as they are read. `nextShard` returns the
 * bytes of the group's next path.
 */
export async function decodeWeights(
  json: ModelJson,
  file: string,
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
            throw new InputError(
              `${file}: the shards hold fewer bytes than the weightsManifest describes (the weights end inside '${group.weights.find((w) => !out.has(w.name))?.name}')`,
            );
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
      const w = e.quantization?.dtype === 'float16' ? widenHalf(new Uint16Array(raw.buffer)) : new Float32Array(raw.buffer);
      const bad = firstNonFinite(w);
      if (bad >= 0) throw new InputError(`${file}: ${nonFiniteWeight(e.name, w[bad], bad)}`);
      out.set(e.name, w);
    }
    if (at !== shard.length || shardIndex !== group.paths.length - 1) {
      throw new InputError(`${file}: the shards hold more bytes than the weightsManifest describes; the model folder is inconsistent`);
    }
  }
  return out;
}
