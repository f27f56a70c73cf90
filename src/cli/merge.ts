import { InputError } from '../core/errors';
import { mergeParts } from '../core/metrics/partial';
import { classNamesFor } from '../core/vocabulary';
import { reportEvaluation } from './evaluationReport';
import { readPart } from './partialFile';
import { args, runCli, stderr } from './run';

const USAGE = 'npm run merge -- <parts written by evaluate --partial...>';

/**
 * The parts of a sharded evaluation (evaluate --shard i/n --partial) merged
 * into the figures one run over every input prints, bit for bit
 * (core/metrics/partial.ts checks that the parts belong together).
 */
runCli(USAGE, async () => {
  const { positionals } = args({});
  if (positionals.length === 0) throw new InputError('no parts given: npm run merge -- parts/*.json');
  const parts = [];
  for (const file of positionals) parts.push({ source: file, doc: await readPart(file) });
  const merged = mergeParts(parts);
  for (const note of merged.notes) stderr(`note: ${note}`);
  for (const s of merged.skipped) stderr(`warning: ${s.reason} (file skipped by its worker)`);
  if (merged.failed) stderr(`warning: ${merged.failed} videos the model could not take were skipped by the workers`);
  stderr(`merge: ${merged.shardCount} part${merged.shardCount === 1 ? '' : 's'}, ${merged.inputs} inputs${merged.skipped.length ? ` (${merged.skipped.length} skipped)` : ''}`);
  reportEvaluation({
    metrics: merged.metrics,
    ranking: merged.ranking,
    unlabeled: merged.unlabeled,
    classNames: merged.model.classNames ?? classNamesFor(merged.model.classes),
  });
});
