import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/node/backend';
import { FULL_SIZES } from '../src/core/model/architecture';
import { createModel, packBatch } from '../src/core/model/model';
import { forward } from '../src/core/model/attentionLstm';
import { randomVideo } from '../src/testing/random';
import { benchMeta, mixedLengths, randomModelArrays } from '../src/kernels/testPage/benchModel';
await useBackend((process.env.BK ?? 'wasm') as 'wasm');
const model = createModel(benchMeta('fluid1', FULL_SIZES), randomModelArrays('fluid1', FULL_SIZES, 1), 'in-out');
const lengths = JSON.parse(process.env.L ?? 'null') ?? mixedLengths(32, 60);
const videos = lengths.map((n: number, i: number) => randomVideo(FULL_SIZES, n, 5 + i));
const input = packBatch(videos);
const t0 = performance.now();
const prof = await tf.profile(async () => { const o = forward(model.weights, model.spec, input); await o.probabilities.data(); tf.dispose(Object.values(o) as tf.Tensor[]); });
console.log('total', (performance.now() - t0).toFixed(0), 'ms; kernels', prof.kernels.length);
const by = new Map<string, { n: number; ms: number }>();
for (const k of prof.kernels) { const e = by.get(k.name) ?? { n: 0, ms: 0 }; e.n++; e.ms += (k.kernelTimeMs as number) || 0; by.set(k.name, e); }
for (const [k, v] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(k, v.n, v.ms.toFixed(0));
