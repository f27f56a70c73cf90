import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EnvironmentError, InputError, userMessage } from '../core/errors';
import { MAX_FRAMES } from '../core/features/types';

/**
 * Runs a command's main: a user's mistake (InputError, a bad flag) prints one
 * line and exits 2 without a stack trace; anything else is a bug and shows its stack.
 */
export function runCli(usage: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof InputError || err instanceof EnvironmentError || isArgError(err)) {
      process.stderr.write(`error: ${userMessage(err).replace(/^internal error: /, '')}\n`);
      if (isArgError(err)) process.stderr.write(`usage: ${usage}\n`);
      process.exit(2);
    }
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
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
