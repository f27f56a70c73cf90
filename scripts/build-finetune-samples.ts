/**
 * Writes the "Try fine-tuning" sample set into public/samples/ (its TFRecord
 * and its entry under `sets` in index.json). Deterministic; `npm run
 * demo:build` writes it too, after the demo's own samples.
 *
 *   npx tsx scripts/build-finetune-samples.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFinetuneSamples } from './finetuneSamples';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = await writeFinetuneSamples(path.join(root, 'public/samples'));
process.stderr.write(
  `${out.videos} videos written to public/samples/${out.file} (${(out.bytes / 1024).toFixed(0)} KB), listed under "sets" in public/samples/index.json\n`,
);
