/**
 * The demo model's report on held-out synthetic videos, for the README:
 * classification metrics, and how often the occlusion evidence and the
 * attention weights peak within 2 frames of the known event.
 *
 *   npm run demo:report
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel } from '../src/core/model/model';
import { DEMO_SEEDS } from '../src/core/demo/config';
import { evaluateDemo } from '../src/core/demo/evaluateDemo';
import { syntheticVideos } from '../src/core/demo/syntheticVideos';
import { useBackend } from '../src/node/backend';
import { readModelDir } from '../src/node/files';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await useBackend('wasm');
const { json, weights } = await readModelDir(path.join(root, 'public/models/demo'));
const model = createModel(json.attentionLstm, weights, 'in-out');
const report = await evaluateDemo(model, syntheticVideos(400, DEMO_SEEDS.heldOut));
await writeFile(path.join(root, 'models/demo/report.json'), JSON.stringify(report, null, 2) + '\n');
const pct = (n: number) => `${((100 * n) / report.singleEventVideos).toFixed(0)}%`;
console.log(
  `held-out videos: ${report.metrics.videos}; Hit@1 ${report.metrics.hit_at_1.toFixed(3)}, PERR ${report.metrics.perr.toFixed(3)}, GAP ${report.metrics.gap.toFixed(3)}, mAP ${report.metrics.map.toFixed(3)}`,
);
console.log(
  `single-event videos: ${report.singleEventVideos}; occlusion peak within ${report.tolerance} frames of the event: ${pct(report.occlusionPeakHits)}; attention peak: ${pct(report.attentionPeakHits)}`,
);
