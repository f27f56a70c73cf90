import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/node/backend';
import { decodeGraphDef } from '../../src/core/tfgraph/graphDef';
import { prepareGraph } from '../../src/core/tfgraph/prepare';
import { GraphRunner } from '../../src/core/tfgraph/runner';
import { directInception } from './directInception';
import { inceptionStandIn } from './inceptionStandIn';
import { rng } from './random';

/** The benchmark's hand-written network computes what the interpreter computes from the file (so that timing them compares like with like). */
describe('the directly written Inception stand-in', () => {
  beforeAll(() => useBackend('wasm'));

  it("gives the interpreter's outputs, one frame and a batch", async () => {
    const s = inceptionStandIn({ size: 'small', seed: 4 });
    const g = prepareGraph(decodeGraphDef(s.bytes, 'g.pb'), 'g.pb', {
      input: 'DecodeJpeg:0',
      output: 'pool_3/_reshape:0',
      sampleInputShape: [30, 40, 3],
    });
    const runner = new GraphRunner(g);
    const direct = directInception(s.nodes);
    const r = rng(1);
    const frames = [0, 1, 2].map(() =>
      tf.tensor3d(
        Int32Array.from({ length: 30 * 40 * 3 }, () => Math.floor(r() * 256)),
        [30, 40, 3],
        'int32',
      ),
    );
    const a = await runner.run(frames).data();
    const b = await direct.run(tf.stack(frames) as tf.Tensor4D).data();
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
    expect(a.length).toBe(3 * 2048);
    expect(d).toBeLessThan(1e-5);
    direct.dispose();
    runner.dispose();
  }, 120_000);
});
