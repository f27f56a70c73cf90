import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InputError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { type DType, type NdArray, toFloat32 } from '../ndarray';
import { type Sizes, type Variant, canonicalTensors } from '../model/architecture';
import { type PaddleTensorSpec, checkShapes, detectVariant, inferSizes, paddleTensorSpecs } from '../model/paddleLayout';
import type { ParamsFormat } from '../paddle/detect';
import { type WeightFile, type WeightIndex, indexWeightFiles } from '../paddle/weightFiles';
import {
  type AttentionLstmMeta,
  FORMAT_VERSION,
  GENERATED_BY,
  type ManifestEntry,
  MODEL_FORMAT,
  type ModelJson,
  type StoredDType,
} from './modelFormat';
import { type ShardSink, ShardWriter } from './shardWriter';

/** Progress of a conversion: bytes of the weight files consumed only grow; `done` comes last. */
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
  /**
   * What to call a set of several files in messages and in the model's source
   * (the folder's name, say); by default it is made from the file names.
   */
  name?: string;
  onProgress?: (p: ConvertProgress) => void;
  /**
   * The SHA-256 implementation: portable JS by default; Node passes its native
   * one, far faster, since hashing dominates a conversion (docs/benchmarks.md).
   */
  sha256?: () => Hasher;
}

interface Hasher {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}

interface ConvertedTensor {
  /** The tensor's name in the weight files (a program variable for an inference model). */
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

function plan(index: WeightIndex, opts: ConvertOptions): Plan {
  const file = index.name;
  const names = index.tensors.map((t) => t.name);
  const shapes = new Map(index.tensors.map((t) => [t.name, t.shape]));
  const shownAs = new Map(index.tensors.filter((t) => t.shown !== t.name).map((t) => [t.name, t.shown]));
  const detected: Variant = index.variant ?? detectVariant(names, file);
  const wanted = opts.variant ?? 'auto';
  if (wanted !== 'auto' && wanted !== detected) {
    throw new InputError(
      `${file}: --variant ${wanted} was asked for, but the file holds a ${detected} model${index.variantReason ? ` (${index.variantReason})` : ''}`,
    );
  }
  const sizes = inferSizes(detected, shapes, file, shownAs);
  const warnings = checkShapes(detected, sizes, shapes, file, shownAs);
  // Convert in file order, so that a file is read once from start to end.
  const byName = new Map(paddleTensorSpecs(detected, sizes).map((s) => [s.name, s]));
  const specs = names.filter((n) => byName.has(n)).map((n) => byName.get(n)!);
  return { variant: detected, sizes, specs, warnings };
}

/** float16's largest finite value: anything larger is stored as infinity. */
const FLOAT16_MAX = 65504;

/**
 * Weights that would make every prediction NaN are refused: NaN or infinity in
 * the source, or (with --dtype float16) a value beyond float16's range, which
 * would be stored as infinity.
 */
function checkValues(x: Float32Array, name: string, file: string, dtype: StoredDType): void {
  let largest = 0;
  let at = -1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v))
      throw new InputError(
        `${file}: the tensor '${name}' holds ${v}: weights must be finite numbers (the file is damaged, or the model diverged in training)`,
      );
    if (Math.abs(v) > largest) {
      largest = Math.abs(v);
      at = i;
    }
  }
  if (dtype === 'float16' && largest > FLOAT16_MAX) {
    throw new InputError(
      `${file}: the tensor '${name}' holds ${x[at]}, outside float16's range (±${FLOAT16_MAX}), where it would become infinity: convert with --dtype float32`,
    );
  }
}

function checkFloat(a: { dtype: string }, name: string, file: string): void {
  if (a.dtype !== 'float32' && a.dtype !== 'float16' && a.dtype !== 'float64') {
    throw new InputError(`${file}: the tensor '${name}' holds ${a.dtype} values; AttentionLSTM weights are floating point`);
  }
}

const HASH_CHUNK = 16 << 20;

/**
 * Hashes every file of a set exactly once, in order, while the converter reads
 * its tensors: bytes between tensors (headers, skipped optimizer state) are read
 * in chunks and hashed too, so that each digest covers its whole file.
 */
class FileHashes {
  private readonly cursors: number[];
  private readonly hashers: Hasher[];
  private current = 0;
  done = 0;

  constructor(
    private readonly files: WeightFile[],
    make: () => Hasher,
  ) {
    this.cursors = files.map(() => 0);
    this.hashers = files.map(() => make());
  }

  private async hashTo(i: number, end: number): Promise<void> {
    const f = this.files[i];
    while (this.cursors[i] < end) {
      const at = this.cursors[i];
      const n = Math.min(HASH_CHUNK, end - at);
      const bytes = f.whole ? f.whole.subarray(at, at + n) : await f.src.read(at, n);
      if (bytes.length === 0)
        throw new InputError(
          `${f.src.name}: the file ended at byte ${at} while being read; it changed or was truncated during the conversion`,
        );
      this.hashers[i].update(bytes);
      this.cursors[i] += bytes.length;
      this.done += bytes.length;
    }
  }

  /** Finishes the files before `file`, so that every file is hashed in turn. */
  private async reach(file: number): Promise<void> {
    for (; this.current < file; this.current++) await this.hashTo(this.current, this.files[this.current].src.size);
  }

  /** The bytes [start, end) of a file, hashed along with everything before them. */
  async read(file: number, start: number, end: number): Promise<Uint8Array> {
    await this.reach(file);
    await this.hashTo(file, start);
    const f = this.files[file];
    const bytes = f.whole ? f.whole.subarray(start, end) : await f.src.read(start, end - start);
    if (bytes.length !== end - start)
      throw new InputError(
        `${f.src.name}: the file ended at byte ${start + bytes.length} while being read; it changed or was truncated during the conversion`,
      );
    const from = Math.max(0, this.cursors[file] - start);
    if (from < bytes.length) {
      this.hashers[file].update(bytes.subarray(from));
      this.done += bytes.length - from;
      this.cursors[file] = end;
    }
    return bytes;
  }

  async finish(): Promise<Uint8Array[]> {
    await this.reach(this.files.length);
    return this.hashers.map((h) => h.digest());
  }
}

function typedData(dtype: DType, chunk: Uint8Array, at: number, byteLength: number): NdArray['data'] {
  const width = dtype === 'float32' ? 4 : dtype === 'float64' ? 8 : 2;
  // Typed arrays need aligned data: copy only when the tensor's data is not.
  const off = chunk.byteOffset + at;
  const [buf, start] = off % width === 0 ? [chunk.buffer, off] : [chunk.slice(at, at + byteLength).buffer, 0];
  const n = byteLength / width;
  return dtype === 'float32'
    ? new Float32Array(buf, start, n)
    : dtype === 'float64'
      ? new Float64Array(buf, start, n)
      : new Uint16Array(buf, start, n);
}

/**
 * Converts Paddle weights into a model.json and shards: one file (combined,
 * pickle, Paddle 1.6 fluid.save, checkpoint), a parameter folder's files, or an
 * inference model's .pdmodel and .pdiparams (docs/weight-formats.md), told apart
 * by content. Files in the combined layout are streamed: headers first, then one
 * tensor at a time.
 */
export async function convertWeights(
  sources: ByteSource | readonly ByteSource[],
  sink: ShardSink,
  opts: ConvertOptions = {},
): Promise<ConvertResult> {
  const index = await indexWeightFiles(sources, { name: opts.name });
  const file = index.name;
  const dtype = opts.dtype ?? 'float32';
  const progress = opts.onProgress ?? (() => {});
  const bytesTotal = index.files.reduce((n, f) => n + f.src.size, 0);
  progress({ kind: 'start', file, bytesTotal, format: index.format });
  const makeHasher = opts.sha256 ?? (() => sha256.create());
  const hashes = new FileHashes(index.files, makeHasher);

  const p = plan(index, opts);
  const byName = new Map(index.tensors.map((t) => [t.name, t]));
  let memoryDone = 0; // a pickle's tensors, read before the file is hashed
  const load = async (spec: PaddleTensorSpec): Promise<NdArray> => {
    const t = byName.get(spec.name)!;
    checkFloat(t, t.shown, file);
    if (t.at.kind === 'memory') {
      memoryDone += t.at.array.data.byteLength;
      return t.at.array;
    }
    const end = t.at.dataOffset + t.at.byteLength;
    const chunk = await hashes.read(t.at.file, t.at.start, end);
    return { dtype: t.dtype, shape: t.shape, data: typedData(t.dtype, chunk, t.at.dataOffset - t.at.start, t.at.byteLength) };
  };
  const shownAs = (n: string) => byName.get(n)?.shown ?? n;

  const shapes = new Map(canonicalTensors(p.variant, p.sizes).map((t) => [t.name, t.shape]));
  const entries: ManifestEntry[] = [];
  const tensors: ConvertedTensor[] = [];
  for (const spec of p.specs) {
    for (const name of spec.canonical) {
      const shape = shapes.get(name)!;
      const entry: ManifestEntry = { name, shape, dtype: 'float32' };
      if (dtype === 'float16') entry.quantization = { dtype: 'float16' };
      entries.push(entry);
      tensors.push({ paddle: shownAs(spec.name), name, shape, bytes: shape.reduce((a, b) => a * b, 1) * (dtype === 'float16' ? 2 : 4) });
    }
  }
  const writer = new ShardWriter(
    tensors.reduce((n, t) => n + t.bytes, 0),
    sink,
    dtype,
  );
  for (const spec of p.specs) {
    const data = await load(spec);
    for (const out of spec.toCanonical(toFloat32(data))) {
      checkValues(out.data, shownAs(spec.name), file, dtype);
      await writer.write(out.data);
    }
    progress({
      kind: 'progress',
      bytesDone: Math.min(Math.max(hashes.done, memoryDone), bytesTotal),
      bytesTotal,
      tensor: shownAs(spec.name),
    });
  }
  await writer.finish();
  const reported = Math.max(hashes.done, memoryDone);
  const digests = await hashes.finish();
  // Bytes after the last tensor used (skipped optimizer state, a pickle's framing) are hashed last.
  if (reported < bytesTotal) progress({ kind: 'progress', bytesDone: bytesTotal, bytesTotal, tensor: 'the rest of the files' });
  const perFile = index.files.map((f, i) => ({ name: f.src.name, bytes: f.src.size, sha256: bytesToHex(digests[i]) }));
  let digest = perFile[0].sha256;
  if (perFile.length > 1) {
    // A set's digest is that of its sha256sum listing, one line per file in reading order.
    const listing = makeHasher();
    listing.update(new TextEncoder().encode(perFile.map((f) => `${f.sha256}  ${f.name}\n`).join('')));
    digest = bytesToHex(listing.digest());
  }

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
    source: { file, bytes: bytesTotal, sha256: digest, format: index.format, ...(perFile.length > 1 ? { files: perFile } : {}) },
    description: opts.description ?? `Converted from ${file}`,
  };
  progress({ kind: 'done', bytesTotal });
  return {
    modelJson: {
      format: MODEL_FORMAT,
      generatedBy: GENERATED_BY,
      convertedBy: GENERATED_BY,
      weightsManifest: [{ paths: writer.paths, weights: entries }],
      attentionLstm: meta,
    },
    tensors,
    warnings: [...index.warnings, ...p.warnings],
  };
}
