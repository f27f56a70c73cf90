/**
 * What a drop (or a file input) holds: a converted model folder, Paddle
 * weights, feature files, or several of these. Folders are walked with the
 * File and Directory Entries API, so a dropped folder arrives as its files.
 */

export interface DropContents<F extends { name: string } = File> {
  /** model.json and its shards (a converted model's folder). */
  modelFiles: F[] | null;
  /**
   * Paddle weights to convert: a .pdparams or .pdckpt, an exported
   * .pdmodel + .pdiparams, or a parameter folder's files (named as Paddle
   * names its variables: fc_0.w_0, lstm_1.b_0, ...). The converter tells them
   * apart by content and names what it cannot read.
   */
  weights: F[] | null;
  /** Everything else: read as feature files (unreadable ones get a clear error there). */
  features: F[];
}

const SHARD = /^group\d+-shard\d+of\d+\.bin$/;
const WEIGHT_FILE = /\.(pdparams|pdckpt|pdmodel|pdiparams|pdopt)$|\.pdiparams\.info$|^__(model|params)__$/i;
/** A Paddle variable's file in a parameter folder: `fc_0.w_0`, `lstm_1.b_0`, `learning_rate_0`, `@LR_DECAY_COUNTER@`. */
const PARAM_FILE = /^([A-Za-z][\w]*\.[a-z]+_\d+(_\w+)?|[A-Za-z][\w]*_\d+|@\w+@)$/;

export function classifyFiles<F extends { name: string }>(files: readonly F[]): DropContents<F> {
  const visible = files.filter((f) => !/^\./.test(f.name));
  const hasModelJson = visible.some((f) => f.name === 'model.json');
  const modelFiles = hasModelJson ? visible.filter((f) => f.name === 'model.json' || SHARD.test(f.name)) : null;
  const weightList = visible.filter((f) => !modelFiles?.includes(f) && (WEIGHT_FILE.test(f.name) || PARAM_FILE.test(f.name)));
  const features = visible.filter((f) => !modelFiles?.includes(f) && !weightList.includes(f));
  return { modelFiles, weights: weightList.length ? weightList : null, features };
}

/** Where a dropped file lay, from the folder dropped (a drop's Files do not say, unlike a picked folder's). */
const droppedPaths = new WeakMap<File, string>();

/** The folder a picked or dropped file came from, if any. */
export function folderOf(files: readonly File[]): string | undefined {
  const first = files[0] as (File & { webkitRelativePath?: string }) | undefined;
  const rel = (first && droppedPaths.get(first)) || first?.webkitRelativePath || '';
  return rel.includes('/') ? rel.split('/').slice(-2, -1)[0] : undefined;
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    // readEntries returns at most 100 entries per call: read until it returns none.
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    droppedPaths.set(file, entry.fullPath.replace(/^\//, ''));
    out.push(file);
  } else if (entry.isDirectory) {
    for (const child of await readEntries(entry as FileSystemDirectoryEntry)) await walk(child, out);
  }
}

/** The files of a drop, folders walked recursively. */
export async function filesFromDataTransfer(dt: DataTransfer): Promise<File[]> {
  const entries = Array.from(dt.items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry?.() ?? null);
  if (entries.length && entries.every((e) => e)) {
    const out: File[] = [];
    for (const e of entries) await walk(e!, out);
    return out;
  }
  return Array.from(dt.files);
}
