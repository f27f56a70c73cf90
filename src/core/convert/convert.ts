import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InputError } from '../errors';
import { type ByteSource, readAll } from '../io/byteSource';
import { type NdArray, toFloat32 } from '../ndarray';
import { type Sizes, type Variant, canonicalTensors } from '../model/architecture';
import { type PaddleTensorSpec, checkShapes, detectVariant, inferSizes, paddleTensorSpecs } from '../model/paddleLayout';
import { scanCombined } from '../formats/combined';
import { combinedNames, detectParamsFormat, type ParamsFormat } from '../formats/pdparams';
import { readPickledParams } from '../formats/pdparamsPickle';
import { type AttentionLstmMeta, FORMAT_VERSION, GENERATED_BY, type ManifestEntry, MODEL_FORMAT, type ModelJson, type StoredDType } from './modelFormat';
import { type ShardSink, ShardWriter } from './shardWriter';

/** Progress of a conversion: bytes of the weight file consumed only grow; `done` comes last. */
export type ConvertProgress =
  | { kind: 'start'; file: string; bytesTotal: number; format: ParamsFormat }
  | { kind: 'progress'; bytesDone: number; bytesTotal: number; tensor: string }
  | { kind: 'done'; bytesTotal: number };

export interface ConvertOptions {
  /** Which Paddle variant the file is; `auto` reads it from the tensor names (combined files are always fluid1). */
  variant?: Variant | 'auto';
  /** float16 halves the model's size; weights are widened to float32 on load. Default float32. */
  dtype?: StoredDType;
  /** Class names to store; when absent, `vocabulary` is used if its length matches the class count. */
  classNames?: string[];
  vocabulary?: string[];
  description?: string;
  onProgress?: (p: ConvertProgress) => void;
  /**
   * The SHA-256 implementation: portable JS by default (about 125 MB/s); Node
   * passes its native one, over ten times faster, since hashing dominates a conversion.
   */
  sha256?: () => Hasher;
}

export interface Hasher {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}

export interface ConvertedTensor {
  paddle: string;
  name: string;
  shape: number[];
  bytes: number;
}

export interface ConvertResult {
  modelJson: ModelJson;
  tensors: ConvertedTensor[];
  warnings: string[];
}

interface Plan {
  variant: Variant;
  sizes: Sizes;
  specs: PaddleTensorSpec[];
  warnings: string[];
}

function plan(names: string[], shapes: Map<string, number[]>, format: ParamsFormat, opts: ConvertOptions, file: string): Plan {
  const detected: Variant = format === 'combined' ? 'fluid1' : detectVariant(names, file);
  const wanted = opts.variant ?? 'auto';
  if (wanted !== 'auto' && wanted !== detected) {
    throw new InputError(`${file}: --variant ${wanted} was asked for, but the file holds a ${detected} model${format === 'combined' ? ' (combined files are written only by fluid1)' : ''}`);
  }
  const sizes = inferSizes(detected, shapes, file);
  const warnings = checkShapes(detected, sizes, shapes, file);
  // Convert in file order, so a combined file is read once from start to end.
  const byName = new Map(paddleTensorSpecs(detected, sizes).map((s) => [s.name, s]));
  const specs = names.filter((n) => byName.has(n)).map((n) => byName.get(n)!);
  return { variant: detected, sizes, specs, warnings };
}

function checkFloat(a: { dtype: string }, name: string, file: string): void {
  if (a.dtype !== 'float32' && a.dtype !== 'float16' && a.dtype !== 'float64') {
    throw new InputError(`${file}: the tensor '${name}' holds ${a.dtype} values; AttentionLSTM weights are floating point`);
  }
}

/**
 * Converts a `.pdparams` file (either format, either variant) into a model.json
 * and shards. A combined file is streamed: headers first, then one tensor at a time.
 */
export async function convertWeights(src: ByteSource, sink: ShardSink, opts: ConvertOptions = {}): Promise<ConvertResult> {
  const file = src.name;
  const format = detectParamsFormat(await src.read(0, 12), file);
  const dtype = opts.dtype ?? 'float32';
  const progress = opts.onProgress ?? (() => {});
  progress({ kind: 'start', file, bytesTotal: src.size, format });
  const hash = opts.sha256?.() ?? sha256.create();

  let p: Plan;
  let load: (spec: PaddleTensorSpec) => Promise<{ data: NdArray; bytesDone: number }>;
  if (format === 'combined') {
    const records = await scanCombined(src);
    const names = combinedNames(records.length, file);
    const shapes = new Map(records.map((r) => [names[r.index], r.shape]));
    p = plan(names, shapes, format, opts, file);
    const recordOf = new Map(records.map((r) => [names[r.index], r]));
    load = async (spec) => {
      const rec = recordOf.get(spec.name)!;
      checkFloat(rec, spec.name, file);
      // The record's header and data, hashed in file order: records are contiguous from byte 0.
      const end = rec.dataOffset + rec.byteLength;
      const chunk = await src.read(rec.offset, end - rec.offset);
      hash.update(chunk);
      const at = chunk.byteOffset + rec.dataOffset - rec.offset;
      const width = rec.dtype === 'float32' ? 4 : rec.dtype === 'float64' ? 8 : 2;
      // Typed arrays need aligned data: copy only when the record's data is not.
      const [buf, off] = at % width === 0 ? [chunk.buffer, at] : [chunk.slice(rec.dataOffset - rec.offset).buffer, 0];
      const n = rec.byteLength / width;
      const data = rec.dtype === 'float32' ? new Float32Array(buf, off, n) : rec.dtype === 'float64' ? new Float64Array(buf, off, n) : new Uint16Array(buf, off, n);
      return { data: { dtype: rec.dtype, shape: rec.shape, data }, bytesDone: end };
    };
  } else {
    const bytes = await readAll(src);
    hash.update(bytes);
    const params = readPickledParams(bytes, file);
    const names = [...params.keys()];
    p = plan(names, new Map(names.map((n) => [n, params.get(n)!.shape])), format, opts, file);
    let done = 0;
    load = async (spec) => {
      const a = params.get(spec.name)!;
      checkFloat(a, spec.name, file);
      done += a.data.byteLength;
      return { data: a, bytesDone: Math.min(src.size, done) };
    };
  }

  const shapes = new Map(canonicalTensors(p.variant, p.sizes).map((t) => [t.name, t.shape]));
  const entries: ManifestEntry[] = [];
  const tensors: ConvertedTensor[] = [];
  for (const spec of p.specs) {
    for (const name of spec.canonical) {
      const shape = shapes.get(name)!;
      const entry: ManifestEntry = { name, shape, dtype: 'float32' };
      if (dtype === 'float16') entry.quantization = { dtype: 'float16' };
      entries.push(entry);
      tensors.push({ paddle: spec.name, name, shape, bytes: shape.reduce((a, b) => a * b, 1) * (dtype === 'float16' ? 2 : 4) });
    }
  }
  const writer = new ShardWriter(tensors.reduce((n, t) => n + t.bytes, 0), sink, dtype);
  for (const spec of p.specs) {
    const { data, bytesDone } = await load(spec);
    for (const out of spec.toCanonical(toFloat32(data))) await writer.write(out.data);
    progress({ kind: 'progress', bytesDone, bytesTotal: src.size, tensor: spec.name });
  }
  await writer.finish();

  const classNames = opts.classNames ?? (opts.vocabulary?.length === p.sizes.classes ? opts.vocabulary : null);
  if (classNames && classNames.length !== p.sizes.classes) {
    throw new InputError(`${file}: ${classNames.length} class names were given for a model with ${p.sizes.classes} classes`);
  }
  const meta: AttentionLstmMeta = {
    version: FORMAT_VERSION,
    variant: p.variant,
    sizes: p.sizes,
    classNames: classNames ?? null,
    dtype,
    source: { file, bytes: src.size, sha256: bytesToHex(hash.digest()), format },
    description: opts.description ?? `Converted from ${file}`,
  };
  progress({ kind: 'done', bytesTotal: src.size });
  return {
    modelJson: {
      format: MODEL_FORMAT,
      generatedBy: GENERATED_BY,
      convertedBy: GENERATED_BY,
      weightsManifest: [{ paths: writer.paths, weights: entries }],
      attentionLstm: meta,
    },
    tensors,
    warnings: p.warnings,
  };
}
