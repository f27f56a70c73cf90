import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../core/errors';
import type { PartDocument } from '../core/metrics/partial';

/**
 * A part written atomically: to a hidden temporary file beside it, then
 * renamed over the target, so that a merge (or a shell glob) never sees half
 * a part, and a worker run again for its shard replaces its part whole.
 */
export async function writePart(file: string, doc: PartDocument): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let text: string;
  try {
    text = JSON.stringify(doc) + '\n';
  } catch (e) {
    // Past V8's longest string (about 512 MB): a share this large is better split further.
    if (e instanceof RangeError)
      throw new InputError(
        `${file}: the part is too large to write as one JSON file (over 512 MB): give the work to more workers (a larger n in --shard i/n)`,
      );
    throw e;
  }
  try {
    await writeFile(tmp, text);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    const err = e as NodeJS.ErrnoException;
    throw new InputError(`${file}: cannot write the part (${err.code ?? err.message})`);
  }
}

/** A part's JSON, or an InputError naming the file. */
export async function readPart(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new InputError(
      `${file}: cannot read (${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a folder' : (e.code ?? e.message)})`,
    );
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(
      `${file}: not a part written by evaluate --partial (it is not JSON${text.length ? '; cut short?' : ': the file is empty'})`,
    );
  }
}
