import { parseArgs, type ParseArgsConfig } from 'node:util';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, InputError, userMessage } from '../core/errors';
import { MAX_FRAMES } from '../core/features/featureTypes';

/**
 * Exit statuses, the same for every command (docs/cli.md): 0 all done; 1 a
 * bug (a stack trace); 2 a usage error or nothing usable (no file read, no
 * video predicted, nothing written); 3 done in part: the output is written but
 * some files, records or videos were skipped, each named on stderr.
 */
export const EXIT = { ok: 0, bug: 1, usage: 2, partial: 3 } as const;

let skipped = 0;

/** An input (a file, a record, a video) left out of a run that goes on: the run exits 3. */
export function noteSkipped(count = 1): void {
  skipped += count;
}

/** The bundled demo model's folder, as a path from where the command runs (found two levels up, as vocabulary.ts finds its CSV). */
export function demoModelDir(): string {
  const dir = fileURLToPath(new URL('../../public/models/demo', import.meta.url));
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : dir;
}

/** The sentence --model's absence and `predict` alone add: where a model to try is. */
export function demoModelHint(): string {
  return `the bundled demo model is ${demoModelDir()} (try --model ${demoModelDir()})`;
}

/**
 * --model checked before anything is read: absent, missing or not a model
 * folder, the message says so and where the demo model is.
 */
export function requireModel(dir: string | undefined): asserts dir is string {
  if (!dir) throw new InputError(`--model <dir> is required: a folder made by npm run convert; ${demoModelHint()}`);
  if (!existsSync(dir)) throw new InputError(`--model ${dir}: no such folder; ${demoModelHint()}`);
  const isDir = statSync(dir).isDirectory();
  if (!isDir && !dir.endsWith('.json'))
    throw new InputError(`--model ${dir}: is a file; --model takes a folder made by npm run convert (or its model.json)`);
  if (isDir && !existsSync(path.join(dir, 'model.json')))
    throw new InputError(
      `--model ${dir}: the folder holds no model.json, so it is not a model made by npm run convert; ${demoModelHint()}`,
    );
}

/**
 * An --out folder checked before any work: a file in its place or on its
 * path is said at once, not after a conversion or a training. Nothing is made.
 */
export function checkOutFolder(out: string): void {
  let p = path.resolve(out);
  if (existsSync(p) && !statSync(p).isDirectory()) throw new InputError(`--out ${out}: is a file; give a folder to write the model into`);
  while (!existsSync(p)) p = path.dirname(p);
  if (!statSync(p).isDirectory()) throw new InputError(`--out ${out}: ${p} on its path is a file, not a folder`);
}

function help(usage: string): string {
  return (
    `usage: ${usage}\n\n` +
    `Exit status: 0 done; 2 a usage error or nothing usable; 3 done in part (some files, records or videos skipped, each named on stderr); 1 a bug.\n` +
    `A model to try: ${demoModelDir()} (10 made-up classes). More in README.md and docs/cli.md.\n`
  );
}

/**
 * Runs a command's main: --help (or -h) prints the usage and exits 0; no
 * arguments at all print it and exit 2. A user's mistake (InputError, a bad
 * flag) prints one line and exits 2 without a stack trace; a run that skipped
 * inputs (noteSkipped) exits 3; anything else is a bug and shows its stack.
 */
export function runCli(usage: string, main: () => Promise<void>): void {
  const given = process.argv.slice(2);
  const flags = given.includes('--') ? given.slice(0, given.indexOf('--')) : given;
  if (flags.includes('--help') || flags.includes('-h')) {
    process.stdout.write(help(usage));
    process.exitCode = EXIT.ok;
    return;
  }
  if (given.length === 0) {
    process.stderr.write(help(usage));
    process.exitCode = EXIT.usage;
    return;
  }
  main().then(
    () => {
      if (skipped > 0) {
        process.stderr.write(
          `warning: done in part: ${skipped} input${skipped === 1 ? ' was' : 's were'} skipped (named above); exit status 3\n`,
        );
        process.exitCode = EXIT.partial;
      }
    },
    (err: unknown) => {
      if (err instanceof InputError || err instanceof EnvironmentError || isArgError(err)) {
        process.stderr.write(`error: ${userMessage(err).replace(/^internal error: /, '')}\n`);
        if (isArgError(err)) process.stderr.write(`usage: ${usage}\n`);
        process.exit(EXIT.usage);
      }
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(EXIT.bug);
    },
  );
}

function isArgError(err: unknown): boolean {
  return err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS');
}

export function args<T extends ParseArgsConfig['options']>(options: T) {
  return parseArgs({ args: process.argv.slice(2), options, allowPositionals: true, strict: true });
}

export function choice<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new InputError(`${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value as T;
}

export function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InputError(`${flag} must be a positive whole number, not '${value}'`);
  return n;
}

export function stderr(line: string): void {
  process.stderr.write(line + '\n');
}

/** --max-frames: at most this many frames of each video are used (300 as YouTube-8M's and PaddleVideo's readers). */
export function maxFrames(value: string | undefined): number {
  return positiveInt(value, '--max-frames', MAX_FRAMES);
}

/**
 * --threads: wasm threads (tfjs's threaded build on worker threads). Unset:
 * ALSTM_WASM_THREADS, else 1. A second thread helps a full-size model's
 * products on a quiet machine, and costs a small model (and a busy machine)
 * a sync per product.
 */
export function threads(value: string | undefined): number | undefined {
  return value === undefined ? undefined : positiveInt(value, '--threads', 1);
}
