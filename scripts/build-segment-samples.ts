/**
 * Writes the segment-rated sample set into public/samples/ (its TFRecord and
 * its entry under `sets` in index.json). Deterministic; `npm run demo:build`
 * writes it too.
 *
 *   npm run samples:segments
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSegmentSamples } from './segmentSamples';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = await writeSegmentSamples(path.join(root, 'public/samples'));
process.stderr.write(
  `${out.videos} videos with ${out.ratings} rated segments written to public/samples/${out.file} (${(out.bytes / 1024).toFixed(0)} KB), listed under "sets" in public/samples/index.json\n`,
);
