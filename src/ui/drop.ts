/**
 * What a drop (or a file input) holds: a model folder, a Paddle weight file,
 * feature files, or several of these. Folders are walked with the File and
 * Directory Entries API, so a dropped model folder arrives as its files.
 */

export interface DropContents<F extends { name: string } = File> {
  /** model.json and its shards (a dropped or picked folder). */
  modelFiles: F[] | null;
  /** A Paddle weight file to convert. */
  pdparams: F | null;
  /** Everything else: read as feature files (unreadable ones get a clear error there). */
  features: F[];
}

const SHARD = /^group\d+-shard\d+of\d+\.bin$/;

export function classifyFiles<F extends { name: string }>(files: readonly F[]): DropContents<F> {
  const hasModelJson = files.some((f) => f.name === 'model.json');
  const modelFiles = hasModelJson ? files.filter((f) => f.name === 'model.json' || SHARD.test(f.name)) : null;
  const pdparams = files.find((f) => /\.pdparams$/i.test(f.name)) ?? null;
  const features = files.filter((f) => f !== pdparams && !(modelFiles?.includes(f)) && !/^\./.test(f.name));
  return { modelFiles, pdparams, features };
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    // readEntries returns at most 100 entries per call: read until it returns none.
    const next = () => reader.readEntries((batch) => {
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
    out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
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
