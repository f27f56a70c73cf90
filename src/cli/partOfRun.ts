import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../core/errors';
import type { MetricsAccumulator } from '../core/metrics';
import { makePart } from '../core/metrics/partial';
import { sortInputs } from '../core/shards/assign';
import type { SegmentRanking } from '../core/segments/segmentRanking';
import { modelFingerprint } from '../node/modelFingerprint';
import { writePart } from './partialFile';
import { stderr } from './run';
import type { ShardedInputs } from './shardFlags';

export const PART_OPTIONS = { partial: { type: 'string' } } as const;
export const PART_USAGE = '[--partial part.json]';

export interface PartTotals {
  command?: 'evaluate' | 'predict';
  dir: string;
  classes: number;
  classNames: readonly string[];
  maxFrames: number;
  metrics: MetricsAccumulator;
  ranking: SegmentRanking | null;
  unlabeled: number;
  failed: number;
  segmentsOnly: boolean;
}

/**
 * `evaluate --partial <file>`: checked before the run (the folder can be
 * written, no input is listed twice), so that a worker fails at once rather
 * than after its share; `finish` writes the part (partialFile.ts) with what
 * the run covered. Null without --partial.
 */
export async function startPart(values: { partial?: string }, inputs: ShardedInputs) {
  const file = values.partial;
  if (file === undefined) {
    if (inputs.sharded)
      stderr(
        `note: these are the figures of shard ${inputs.shard.index}/${inputs.shard.count} alone; write parts with --partial and merge them (npm run merge) for the whole`,
      );
    return null;
  }
  sortInputs(inputs.mine);
  const dir = path.dirname(path.resolve(file));
  await access(dir, constants.W_OK).catch(() => {
    throw new InputError(`${file}: cannot write the part there (the folder ${dir} is missing or not writable)`);
  });
  if (inputs.mine.length === 0)
    stderr(
      `note: shard ${inputs.shard.index}/${inputs.shard.count} has no inputs (${inputs.total} inputs, ${inputs.shard.count} workers): its part is empty`,
    );
  const skipped: { input: string; reason: string }[] = [];
  let engine: string | undefined;
  return {
    /** The engine that predicts (loadPredictor's): recorded in the part, whose merge refuses parts of another. */
    setEngine(name: string) {
      engine = name;
    },
    streamOptions: { onSkipped: (input: string, reason: string) => skipped.push({ input, reason }), allowNone: true },
    async finish(t: PartTotals): Promise<void> {
      const doc = makePart({
        command: t.command,
        engine,
        model: { fingerprint: await modelFingerprint(t.dir), classes: t.classes, ...(t.ranking ? { classNames: [...t.classNames] } : {}) },
        maxFrames: t.maxFrames,
        metrics: t.metrics,
        ranking: t.ranking,
        segmentsOnly: t.segmentsOnly,
        shard: inputs.shard,
        inputs: { total: inputs.total, listSha256: inputs.listSha256, covered: sortInputs(inputs.mine), skipped },
        unlabeled: t.unlabeled,
        failed: t.failed,
        written: new Date().toISOString(),
      });
      await writePart(file, doc);
      stderr(
        `part ${inputs.shard.index}/${inputs.shard.count}: ${inputs.mine.length} inputs${skipped.length ? ` (${skipped.length} skipped)` : ''}, ${t.command === 'predict' ? '' : `${t.metrics.videos} labeled videos`}${t.ranking && t.command !== 'predict' ? ', ' : ''}${t.ranking ? `${t.ranking.counted.videos} videos ranked` : ''}, written to ${file}`,
      );
    },
  };
}
