import { open } from 'node:fs/promises';
import { InputError } from '../core/errors';
import { submissionLines } from '../core/segments/submission';
import { planMerge, StateMerger } from '../core/metrics/partial';
import { classNamesFor } from '../core/vocabulary';
import { reportEvaluation } from './evaluationReport';
import { readPart } from './partialFile';
import { args, noteSkipped, runCli, stderr } from './run';

const USAGE = 'npm run merge -- [--submission out.csv] <parts written by evaluate --partial or predict --segments --partial...>';

/**
 * The parts of a sharded evaluation (evaluate --shard i/n --partial) merged
 * into the figures one run over every input prints, bit for bit
 * (core/metrics/partial.ts checks that the parts belong together). With
 * --submission, the merged window rankings are written as the segment
 * challenge's file, as predict --segments --submission writes it in one run.
 */
runCli(USAGE, async () => {
  const { values, positionals } = args({ submission: { type: 'string' } });
  if (positionals.length === 0) throw new InputError('no parts given: npm run merge -- parts/*.json');
  // Two passes: the headers of every part checked first (their states dropped as read), then the states
  // read again and merged one part at a time, so that memory holds the merged state and one part.
  const headers = [];
  for (const file of positionals) {
    const doc = await readPart(file);
    if (doc && typeof doc === 'object') {
      delete (doc as Record<string, unknown>).metrics;
      delete (doc as Record<string, unknown>).segments;
    }
    headers.push({ source: file, doc });
  }
  const plan = planMerge(headers);
  const merger = new StateMerger(plan);
  for (const { source } of plan.kept) merger.add(source, await readPart(source));
  const merged = merger.result();
  for (const note of merged.notes) stderr(`note: ${note}`);
  // What the workers skipped makes the merged run one done in part (exit 3), as one run would be.
  for (const s of merged.skipped) stderr(`warning: ${s.reason} (file skipped by its worker)`);
  if (merged.failed) stderr(`warning: ${merged.failed} videos the model could not take were skipped by the workers`);
  noteSkipped(merged.skipped.length + merged.failed);
  stderr(
    `merge: ${merged.shardCount} part${merged.shardCount === 1 ? '' : 's'}, ${merged.inputs} inputs${merged.skipped.length ? ` (${merged.skipped.length} skipped)` : ''}`,
  );
  if (values.submission !== undefined) {
    if (!merged.ranking) throw new InputError('--submission needs parts with window rankings: made with --segments');
    const out = values.submission;
    // A line (one class) at a time: the whole file can be larger than one string may be.
    const failed = (e: NodeJS.ErrnoException) => {
      throw new InputError(`${out}: cannot write (${e.code ?? e.message})`);
    };
    const fh = await open(out, 'w').catch(failed);
    try {
      for (const line of submissionLines(merged.ranking)) await fh.write(line).catch(failed);
    } finally {
      await fh.close();
    }
    stderr(`submission: ${merged.ranking.rankedClasses().length} classes, at most ${merged.ranking.k} windows each, written to ${out}`);
  }
  if (merged.settings.command === 'predict') {
    if (values.submission === undefined)
      throw new InputError(
        'these parts were written by predict --segments --partial: give --submission out.csv to write the merged submission',
      );
    return;
  }
  reportEvaluation({
    metrics: merged.metrics,
    ranking: merged.ranking,
    unlabeled: merged.unlabeled,
    classNames: merged.model.classNames ?? classNamesFor(merged.model.classes),
  });
});
