/**
 * `npm run build:lstm-simd`: compiles the LSTM's SIMD kernels
 * (src/kernels/lstmSimd/wat.ts) with wabt into
 * src/kernels/lstmSimd/binary.generated.ts, the bytes as base64, so that the
 * page, its worker and Node load the same module without a build step or a
 * fetch. lstmSimd.test.ts rebuilds it and compares.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedModuleSource } from '../src/kernels/lstmSimd/compile';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'src/kernels/lstmSimd/binary.generated.ts');
await writeFile(out, await generatedModuleSource());
process.stderr.write(`wrote ${path.relative(root, out)}\n`);
