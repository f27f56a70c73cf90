/**
 * One entry point for every weight format: a file, a parameter folder's files,
 * or an inference model's `.pdmodel` + `.pdiparams`, told apart by content.
 * `indexWeightFiles` reads headers only and says where each tensor lies, so
 * that a converter can then read one tensor at a time; `readWeightFiles` reads
 * them all into memory (tests, small files).
 */
import { InputError } from '../errors';
import { type ByteSource, readAll } from '../io/byteSource';
import { type DType, type NdArray, shapeString } from '../ndarray';
import type { Sizes, Variant } from '../model/architecture';
import { detectVariant, fluid1CombinedOrder, isIgnorableKey, paddleTensorSpecs } from '../model/paddleLayout';
import { combinedLayout, optimizerStateOf } from './checkpoint';
import { type CombinedRecord, readCombinedTensor, scanCombined } from './combined';
import { inferenceLayout } from './inferenceModel';
import { DETECT_BYTES, type FileLayout, type ParamsFormat, detectLayout, pySorted } from './detect';
import { readPickledParams } from './pdparamsPickle';
import { decodeProgram } from './programDesc';
import { type NamedRecord, scanStaticDict } from './staticDict';

export interface WeightFile {
  src: ByteSource;
  /** The whole file, when its format had to be read whole (pickles, programs). */
  whole?: Uint8Array;
}

type TensorLocation =
  { kind: 'memory'; array: NdArray } | { kind: 'record'; file: number; start: number; dataOffset: number; byteLength: number };

interface IndexedTensor {
  /** The model's name for it: a fluid1 name (`fc_0.w_0`) or a PaddleVideo 2 one (`head.fc_feature0.weight`). */
  name: string;
  /** Its name in the files, for messages (a program variable such as `linear_0.w_0` for an inference model). */
  shown: string;
  dtype: DType;
  shape: number[];
  at: TensorLocation;
}

export interface WeightIndex {
  format: ParamsFormat;
  /** What messages and the model's source call the weights: the file, or the set of files. */
  name: string;
  /** The files the tensors come from, in reading order; files ignored with a note are not among them. */
  files: WeightFile[];
  /** The tensors to use, in file order. */
  tensors: IndexedTensor[];
  /** The variant the format implies (combined files are fluid1's); null to read it from the names. */
  variant: Variant | null;
  /** Why the format implies the variant, for a message when the user asked for the other. */
  variantReason?: string;
  /** Things skipped or ignored, one sentence each. */
  warnings: string[];
}

export interface IndexOptions {
  /** What to call a set of several files (the folder's name); by default made from the file names. */
  name?: string;
}

/** Largest inference program accepted: AttentionLSTM's is a few hundred KB. */
const MAX_PROGRAM_BYTES = 64 << 20;
const ANY_SIZES: Sizes = { rgbDim: 1, audioDim: 1, embed: 1, lstm: 1, head1: 1, head2: 1, classes: 1 };

interface Classified {
  src: ByteSource;
  layout: FileLayout;
  /** Record headers, for the combined layout. */
  records?: CombinedRecord[];
  /** Record headers, for Paddle 1.6 fluid.save files. */
  named?: NamedRecord[];
  /** A pickle, once read. */
  whole?: Uint8Array;
  params?: Map<string, NdArray>;
}

async function classify(src: ByteSource): Promise<Classified> {
  const layout = detectLayout(await src.read(0, DETECT_BYTES), src.name);
  if (layout === 'combined') return { src, layout, records: await scanCombined(src) };
  if (layout === 'static-dict') return { src, layout, named: await scanStaticDict(src) };
  return { src, layout };
}

const recordAt = (file: number, r: CombinedRecord): TensorLocation => ({
  kind: 'record',
  file,
  start: r.offset,
  dataOffset: r.dataOffset,
  byteLength: r.byteLength,
});

/** Every name looks like optimizer state, learning rate or its counter: a `.pdopt`. */
function optimizerOnly(names: readonly string[]): boolean {
  return names.length > 0 && names.every((n) => optimizerStateOf(n, () => true) !== undefined);
}

function listNames(names: readonly string[], max = 4): string {
  const shown = names
    .slice(0, max)
    .map((n) => `'${n}'`)
    .join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

function indexCombined(c: Classified, warnings: string[]): WeightIndex {
  const records = c.records!;
  const layout = combinedLayout(records, c.src.name);
  if (layout.note) warnings.push(layout.note);
  const tensors = records
    .filter((r) => layout.isParam[r.index])
    .map((r): IndexedTensor => ({
      name: layout.names[r.index],
      shown: layout.names[r.index],
      dtype: r.dtype,
      shape: r.shape,
      at: recordAt(0, r),
    }));
  return {
    format: layout.optimizer ? 'checkpoint' : 'combined',
    name: c.src.name,
    files: [{ src: c.src }],
    tensors,
    variant: 'fluid1',
    variantReason: 'combined files are written only by fluid1',
    warnings,
  };
}

function indexStaticDict(c: Classified, warnings: string[]): WeightIndex {
  const records = c.named!;
  const names = records.map((r) => r.name);
  if (optimizerOnly(names)) {
    throw new InputError(
      `${c.src.name}: holds only optimizer state (${listNames(names, 2)}), as the .pdopt that Paddle 1.6's fluid.save writes beside the .pdparams does; convert the .pdparams`,
    );
  }
  const tensors = records.map((r): IndexedTensor => ({ name: r.name, shown: r.name, dtype: r.dtype, shape: r.shape, at: recordAt(0, r) }));
  return { format: 'static-dict', name: c.src.name, files: [{ src: c.src }], tensors, variant: null, warnings };
}

async function indexPickle(c: Classified, warnings: string[]): Promise<WeightIndex> {
  const whole = c.whole ?? (await readAll(c.src));
  const params = c.params ?? readPickledParams(whole, c.src.name);
  const tensors = [...params].map(([name, array]): IndexedTensor => ({
    name,
    shown: name,
    dtype: array.dtype,
    shape: array.shape,
    at: { kind: 'memory', array },
  }));
  return { format: 'pickle', name: c.src.name, files: [{ src: c.src, whole }], tensors, variant: null, warnings };
}

async function indexOne(c: Classified, warnings: string[]): Promise<WeightIndex> {
  const file = c.src.name;
  switch (c.layout) {
    case 'program':
      throw new InputError(
        `${file}: an inference program (.pdmodel) describes the model but holds no weights: give its .pdiparams with it`,
      );
    case 'combined':
      if (c.records!.length === 1) {
        const r = c.records![0];
        throw new InputError(
          `${file}: holds a single tensor (${r.dtype} ${shapeString(r.shape)}), as each file of a parameter folder written by fluid.io.save_params(dirname) does: give all of the folder's files`,
        );
      }
      return indexCombined(c, warnings);
    case 'static-dict':
      return indexStaticDict(c, warnings);
    case 'pickle':
      return indexPickle(c, warnings);
  }
}

async function indexPair(program: Classified, params: Classified, name: string, warnings: string[]): Promise<WeightIndex> {
  const progName = program.src.name;
  const paramsName = params.src.name;
  if (program.src.size > MAX_PROGRAM_BYTES) {
    throw new InputError(
      `${progName}: a ${program.src.size}-byte program, far larger than an AttentionLSTM's (a few hundred KB); this is not the .pdmodel of one`,
    );
  }
  const whole = await readAll(program.src);
  const layout = inferenceLayout(decodeProgram(whole, progName), progName);
  const records = params.records!;
  const vars = layout.persistables;
  if (records.length !== vars.length) {
    throw new InputError(
      `${paramsName}: holds ${records.length} tensors, but its program ${progName} lists ${vars.length} persistable variables for it to hold; the two files do not belong together`,
    );
  }
  const tensors: IndexedTensor[] = [];
  records.forEach((r, i) => {
    const v = vars[i];
    // A dimension the program leaves open (-1) fits any.
    const fits = (d: number[]) => d.length === r.shape.length && d.every((x, k) => x === -1 || x === r.shape[k]);
    const declared = v.shape && !fits(v.shape) ? shapeString(v.shape) : v.dtype && v.dtype !== r.dtype ? v.dtype : null;
    if (declared) {
      throw new InputError(
        `${paramsName}: tensor record ${i} ('${v.name}' in sorted order) is ${r.dtype} ${shapeString(r.shape)}, but ${progName} declares ${declared}; the two files do not belong together`,
      );
    }
    const role = layout.roles.get(v.name);
    if (role) tensors.push({ name: role, shown: v.name, dtype: r.dtype, shape: r.shape, at: recordAt(1, r) });
    else warnings.push(`${progName}: ignored the persistable variable '${v.name}', which is no parameter of an AttentionLSTM`);
  });
  return {
    format: 'inference-model',
    name,
    files: [{ src: program.src, whole }, { src: params.src }],
    tensors,
    variant: layout.variant,
    variantReason: `its program is a ${layout.variant} AttentionLSTM`,
    warnings,
  };
}

function indexFolder(files: Classified[], others: Classified[], name: string, warnings: string[]): WeightIndex {
  for (const o of others) {
    if (o.layout === 'program') {
      warnings.push(
        `${name}: ignored ${o.src.name}, an inference program (such as the __model__ of a saved model folder), which holds no weights`,
      );
      continue;
    }
    const what =
      o.layout === 'combined'
        ? `holds ${o.records!.length} tensors`
        : o.layout === 'pickle'
          ? 'is a pickle'
          : 'is a Paddle 1.6 fluid.save file';
    throw new InputError(
      `${o.src.name}: ${what}, where each file of a parameter folder holds one tensor record: it does not belong among the folder's files`,
    );
  }
  const byName = new Map(files.map((f) => [f.src.name, f]));
  const names = pySorted(byName.keys());
  const fluid1 = new Set(fluid1CombinedOrder());
  const pv2 = new Set(paddleTensorSpecs('paddlevideo2', ANY_SIZES).map((s) => s.name));
  const paramLike = names.filter((n) => fluid1.has(n) || pv2.has(n));
  if (paramLike.length === 0) {
    throw new InputError(
      `${name}: none of its files (${listNames(names)}) is named as a parameter of an AttentionLSTM; a parameter folder holds one file per parameter, named as it, such as 'fc_0.w_0'`,
    );
  }
  const variant = detectVariant(paramLike, name);
  const specs = paddleTensorSpecs(variant, ANY_SIZES);
  const expected = new Set(specs.map((s) => s.name));
  const missing = specs.filter((s) => !byName.has(s.name));
  if (missing.length > 0) {
    const more =
      missing.length > 1
        ? ` and ${missing.length - 1} more (${listNames(
            missing.slice(1).map((s) => s.name),
            3,
          )})`
        : '';
    throw new InputError(
      `${name}: the parameter folder has no file '${missing[0].name}' (${missing[0].role})${more}; it must hold one file per parameter of a ${variant} AttentionLSTM`,
    );
  }
  const skipped = new Map<string, number>();
  const used: Classified[] = [];
  for (const n of names) {
    if (expected.has(n)) {
      used.push(byName.get(n)!);
      continue;
    }
    const what = optimizerStateOf(n, (p) => expected.has(p)) ?? (isIgnorableKey(n) ? 'aliases of parameters' : undefined);
    if (!what) {
      throw new InputError(
        `${n}: this file of the parameter folder is named as no parameter of a ${variant} AttentionLSTM, nor as optimizer state; it belongs to another model, or does not belong in the folder`,
      );
    }
    skipped.set(what, (skipped.get(what) ?? 0) + 1);
  }
  if (skipped.size > 0) {
    const count = [...skipped.values()].reduce((a, b) => a + b, 0);
    warnings.push(
      `${name}: ignored ${count} file${count === 1 ? '' : 's'} that hold${count === 1 ? 's' : ''} no parameter: ${[...skipped].map(([w, k]) => `${w} (${k})`).join(', ')}`,
    );
  }
  const tensors = used.map((f, i): IndexedTensor => {
    const r = f.records![0];
    return { name: f.src.name, shown: f.src.name, dtype: r.dtype, shape: r.shape, at: recordAt(i, r) };
  });
  return { format: 'param-folder', name, files: used.map((f) => ({ src: f.src })), tensors, variant: null, warnings };
}

/**
 * Finds what a set of files is and where each of its tensors lies, reading
 * headers only (pickles and programs, which cannot be streamed, are read whole).
 * Throws one InputError naming the file and what is wrong.
 */
export async function indexWeightFiles(input: ByteSource | readonly ByteSource[], opts: IndexOptions = {}): Promise<WeightIndex> {
  const sources: ByteSource[] = Array.isArray(input) ? [...(input as readonly ByteSource[])] : [input as ByteSource];
  if (sources.length === 0) throw new InputError(`${opts.name ?? 'weights'}: no weight files were given`);
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.name)) throw new InputError(`${s.name}: the file is given twice`);
    seen.add(s.name);
  }
  const all: Classified[] = [];
  for (const s of sources) all.push(await classify(s));
  const warnings: string[] = [];
  if (all.length === 1) return indexOne(all[0], warnings);

  const programs = all.filter((c) => c.layout === 'program');
  const multis = all.filter((c) => c.layout === 'combined' && c.records!.length > 1);
  const singles = all.filter((c) => c.layout === 'combined' && c.records!.length === 1);
  const names = (cs: Classified[]) => cs.map((c) => c.src.name).join(', ');
  // Files of a parameter folder are named as parameters or as optimizer state; anything else beside a program is its parameters.
  const paramNames = new Set([...fluid1CombinedOrder(), ...paddleTensorSpecs('paddlevideo2', ANY_SIZES).map((s) => s.name)]);
  const folderLike = singles.some(
    (c) => paramNames.has(c.src.name) || optimizerStateOf(c.src.name, (n) => paramNames.has(n)) !== undefined,
  );
  const paramFiles = multis.length > 0 ? multis : folderLike ? [] : singles;

  if (programs.length > 0 && paramFiles.length > 0) {
    const stem = (n: string) => n.replace(/\.[^.]*$/, '');
    let pairs = programs.flatMap((p) => paramFiles.filter((m) => stem(m.src.name) === stem(p.src.name)).map((m) => [p, m] as const));
    if (pairs.length === 0 && programs.length === 1 && paramFiles.length === 1) pairs = [[programs[0], paramFiles[0]]];
    if (pairs.length !== 1) {
      throw new InputError(
        `${opts.name ?? names(all)}: give one inference program (.pdmodel) and its parameters (.pdiparams): the programs ${names(programs)} and the parameter files ${names(paramFiles)} cannot be paired by name`,
      );
    }
    const [program, params] = pairs[0];
    const name = opts.name ?? `${program.src.name} + ${params.src.name}`;
    for (const o of all) {
      if (o === program || o === params) continue;
      if (o.layout === 'pickle') {
        warnings.push(`${name}: ignored ${o.src.name}, a pickle such as the .pdiparams.info Paddle writes beside an inference model`);
        continue;
      }
      throw new InputError(
        `${o.src.name}: an extra file beside the inference model ${program.src.name} + ${params.src.name}: give only its .pdmodel and .pdiparams`,
      );
    }
    return indexPair(program, params, name, warnings);
  }

  if (singles.length > 0) {
    return indexFolder(
      singles,
      all.filter((c) => !singles.includes(c)),
      opts.name ?? `parameter folder of ${all.length} files`,
      warnings,
    );
  }

  // One weight file, with what Paddle writes beside it: a program (.pdmodel), optimizer state (.pdopt).
  const byProducts = new Map<Classified, string>();
  for (const c of all) {
    if (c.layout === 'program') byProducts.set(c, 'a program, which holds no weights');
    else if (c.layout === 'static-dict' && optimizerOnly(c.named!.map((r) => r.name)))
      byProducts.set(c, 'which holds only optimizer state');
    else if (c.layout === 'pickle' && programs.length > 0 && !(await holdsArrays(c)))
      byProducts.set(c, 'a pickle that holds no arrays (such as a .pdiparams.info)');
  }
  const candidates = all.filter((c) => !byProducts.has(c));
  if (candidates.length === 1) {
    for (const [c, what] of byProducts) warnings.push(`${candidates[0].src.name}: ignored ${c.src.name}, ${what}`);
    return indexOne(candidates[0], warnings);
  }
  if (candidates.length === 0 && programs.length > 0) {
    throw new InputError(
      `${programs[0].src.name}: an inference program needs its parameters (.pdiparams, a file in the combined layout), which are not among the files given (${names(all)})`,
    );
  }
  if (candidates.length === 0)
    return indexOne(
      all.find((c) => c.layout !== 'program')!,
      warnings,
    );
  throw new InputError(
    `${opts.name ?? names(all)}: give one weight file, the files of one parameter folder, or an inference model's .pdmodel and .pdiparams; these ${candidates.length} files each hold weights: ${names(candidates)}`,
  );
}

/** Whether a pickle is a dict that holds arrays (a parameter file) rather than a table (.pdiparams.info); the parse is kept. */
async function holdsArrays(c: Classified): Promise<boolean> {
  try {
    c.whole ??= await readAll(c.src);
    c.params ??= readPickledParams(c.whole, c.src.name);
    return c.params.size > 0;
  } catch (e) {
    if (e instanceof InputError) return false;
    throw e;
  }
}

/** A tensor's data, read from wherever the index says it lies. */
async function readIndexedTensor(index: WeightIndex, t: IndexedTensor): Promise<NdArray> {
  if (t.at.kind === 'memory') return t.at.array;
  const src = index.files[t.at.file].src;
  return readCombinedTensor(src, {
    index: 0,
    offset: t.at.start,
    dtype: t.dtype,
    shape: t.shape,
    dataOffset: t.at.dataOffset,
    byteLength: t.at.byteLength,
  });
}

/** Every tensor of a weight file or set of files as model name -> array, in file order. */
export async function readWeightFiles(
  input: ByteSource | readonly ByteSource[],
  opts: IndexOptions = {},
): Promise<{ format: ParamsFormat; params: Map<string, NdArray>; warnings: string[] }> {
  const index = await indexWeightFiles(input, opts);
  const params = new Map<string, NdArray>();
  for (const t of index.tensors) params.set(t.name, await readIndexedTensor(index, t));
  return { format: index.format, params, warnings: index.warnings };
}
