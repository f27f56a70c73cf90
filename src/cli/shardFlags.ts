import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors';
import { type Shard, WHOLE, parseFileList, parseShard, shardFromEnv, shardInputs, sortInputs } from '../core/shards/assign';
import { inputListDigest } from '../core/metrics/partial';

/** The flags of a sharded run that predict and evaluate share (docs/cluster.md). */
export const SHARD_OPTIONS = {
  shard: { type: 'string' },
  'shard-count': { type: 'string' },
  'files-from': { type: 'string' },
} as const;

export const SHARD_USAGE = '[--shard i/n | --shard auto [--shard-count n]] [--files-from list.txt]';

type Values = { shard?: string; 'shard-count'?: string; 'files-from'?: string };

export interface ShardedInputs {
  /** This worker's inputs, sorted by name (all of them without --shard: in the order given). */
  mine: string[];
  /** Every worker's inputs, as given (what `--engine auto` decides by, so that every worker of a run decides alike). */
  all: string[];
  shard: Shard;
  /** Every worker's inputs, and the digest of their sorted list (parts of one run share it). */
  total: number;
  listSha256: string;
  sharded: boolean;
}

/**
 * The inputs this process takes: the positionals and the --files-from list
 * (local paths or http(s) URLs, one a line), then --shard's share of them.
 * Without --shard every input is taken in the order given, as before.
 */
export async function shardedInputs(
  values: Values,
  positionals: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ShardedInputs> {
  const inputs = [...positionals];
  if (values['files-from'] !== undefined) {
    const list = values['files-from'];
    const text = await readFile(list, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new InputError(`${list}: cannot read the --files-from list (${e.code === 'ENOENT' ? 'no such file' : (e.code ?? e.message)})`);
    });
    const listed = parseFileList(text);
    if (listed.length === 0) throw new InputError(`${list}: the --files-from list names no inputs (one path or URL a line)`);
    inputs.push(...listed);
  }
  if (values['shard-count'] !== undefined && values.shard !== 'auto')
    throw new InputError('--shard-count is a setting of --shard auto: add --shard auto');
  if (values.shard === undefined) {
    // Unsharded runs keep the order given (and a file given twice counts twice, as before); a part refuses that (evaluate.ts).
    const sorted = [...inputs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { mine: inputs, all: inputs, shard: WHOLE, total: inputs.length, listSha256: inputListDigest(sorted), sharded: false };
  }
  const shard = values.shard === 'auto' ? shardFromEnv(env, values['shard-count']) : parseShard(values.shard);
  if (inputs.length === 0) throw new InputError('no feature files given: list them after the flags or in --files-from');
  return {
    mine: shardInputs(inputs, shard),
    all: inputs,
    shard,
    total: inputs.length,
    listSha256: inputListDigest(sortInputs(inputs)),
    sharded: true,
  };
}
