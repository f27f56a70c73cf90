/**
 * Attributes the long main-thread tasks of a saved trace (one that
 * `LONG_TASK_TRACE=<file> npm run bench:scale -- --dev-only` kept, or one
 * saved from DevTools' Performance panel): for each task over the threshold,
 * what started it, its time by kind, and our functions and React components
 * in it (bench/helpers/longTaskTrace.ts).
 *
 *   npx tsx bench/drivers/longTasks.ts <trace.json> [threshold ms, 50] [tasks shown, 12]
 */
import { readFileSync } from 'node:fs';
import { attributeTrace, summarize, totals } from '../helpers/longTaskTrace';

const [file, threshold = '50', shown = '12'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: npx tsx bench/drivers/longTasks.ts <trace.json> [threshold ms] [tasks shown]\n');
  process.exit(2);
}
const tasks = attributeTrace(readFileSync(file, 'utf8'), Number(threshold));
const over = (ms: number) => tasks.filter((t) => t.ms > ms).length;
console.log(`${tasks.length} tasks over ${threshold} ms (${over(100)} over 100, ${over(200)} over 200), longest first:`);
console.log(summarize(tasks, Number(shown)));
const sum = totals(tasks);
const line = (xs: { name: string; ms: number }[]) => xs.map((x) => `${x.name} ${Math.round(x.ms)}`).join('; ');
console.log(
  `over all of them:\n  kinds: ${line(sum.kinds)}\n  entries: ${line(sum.entries)}\n  components: ${line(sum.components)}\n  self: ${line(sum.self)}\n  ours: ${line(sum.ours)}`,
);
