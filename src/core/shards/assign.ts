/**
 * Which inputs a worker of a sharded run takes (--shard i/n): the inputs
 * sorted by name (code-unit order of the paths or URLs as given), worker i
 * (from 0) takes every n-th from the i-th. Each input falls to exactly one
 * worker, the same one whatever order the list was given in, and the shares
 * differ by at most one input. `--shard auto` takes i from the scheduler:
 * JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID
 * (a Slurm job array, counted from SLURM_ARRAY_TASK_MIN), and n from the
 * --shard-count flag or SLURM_ARRAY_TASK_COUNT.
 */
import { InputError } from '../errors';

export interface Shard {
  /** This worker's index, from 0. */
  index: number;
  /** The number of workers. */
  count: number;
}

/** The whole input, one worker. */
export const WHOLE: Shard = { index: 0, count: 1 };

const WHOLE_NUMBER = /^(0|[1-9][0-9]*)$/;

/** `i/n` with 0 <= i < n. */
export function parseShard(text: string, flag = '--shard'): Shard {
  const m = /^\s*([0-9]+)\s*\/\s*([0-9]+)\s*$/.exec(text);
  if (!m || !WHOLE_NUMBER.test(m[1]) || !WHOLE_NUMBER.test(m[2]))
    throw new InputError(`${flag} must be i/n (worker i of n, from 0), or auto; not '${text}'`);
  return checkShard(Number(m[1]), Number(m[2]), flag);
}

function checkShard(index: number, count: number, what: string): Shard {
  if (!Number.isSafeInteger(count) || count < 1) throw new InputError(`${what}: the number of workers must be at least 1, not ${count}`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= count)
    throw new InputError(`${what}: worker ${index} is not one of 0..${count - 1} (workers are counted from 0)`);
  return { index, count };
}

/** The environment a shard is read from (process.env in the CLI). */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * `--shard auto`: the worker's index from the scheduler's environment, the
 * count from `countFlag` (--shard-count) or SLURM_ARRAY_TASK_COUNT.
 */
export function shardFromEnv(env: Env, countFlag?: string): Shard {
  const number = (name: string, value: string): number => {
    if (!WHOLE_NUMBER.test(value.trim())) throw new InputError(`--shard auto: ${name} is '${value}', not a whole number`);
    return Number(value.trim());
  };
  let count: number | undefined;
  let countFrom = '--shard-count';
  if (countFlag !== undefined) count = number('--shard-count', countFlag);
  else if (env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    count = number('SLURM_ARRAY_TASK_COUNT', env.SLURM_ARRAY_TASK_COUNT);
    countFrom = 'SLURM_ARRAY_TASK_COUNT';
  }
  let index: number;
  let indexFrom: string;
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    index = number('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX);
    indexFrom = 'JOB_COMPLETION_INDEX';
  } else if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const min = env.SLURM_ARRAY_TASK_MIN !== undefined ? number('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN) : 0;
    const step = env.SLURM_ARRAY_TASK_STEP !== undefined ? number('SLURM_ARRAY_TASK_STEP', env.SLURM_ARRAY_TASK_STEP) : 1;
    if (step !== 1)
      throw new InputError(
        `--shard auto: the Slurm array has a step of ${step}; give it consecutive ids (--array=0-${(count ?? 2) - 1}) or use --shard i/n`,
      );
    index = number('SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID) - min;
    indexFrom = min ? `SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (${min})` : 'SLURM_ARRAY_TASK_ID';
  } else {
    throw new InputError(
      "--shard auto reads the worker's index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (a Slurm job array); neither is set: give --shard i/n",
    );
  }
  if (count === undefined)
    throw new InputError(
      `--shard auto found the index in ${indexFrom} but not the number of workers: add --shard-count N (the Job's completions)`,
    );
  return checkShard(index, count, `--shard auto (index from ${indexFrom}, count from ${countFrom})`);
}

/** The inputs in shard order (sorted by name); the same input twice is refused, as it would count twice. */
export function sortInputs(inputs: readonly string[]): string[] {
  const sorted = [...inputs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i] === sorted[i - 1]) throw new InputError(`${sorted[i]} is given twice: each input may be counted once`);
  return sorted;
}

/** Worker `shard.index`'s inputs: of the sorted inputs, every count-th from index. */
export function shardInputs(inputs: readonly string[], shard: Shard): string[] {
  const sorted = sortInputs(inputs);
  return sorted.filter((_, i) => i % shard.count === shard.index);
}

/**
 * The lines of a --files-from list: one input a line, blank lines and lines
 * starting with # left out, surrounding spaces trimmed (a path that starts or
 * ends with a space cannot be listed).
 */
export function parseFileList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
