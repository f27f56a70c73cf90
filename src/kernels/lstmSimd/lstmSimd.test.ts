import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LSTM_SIMD_WASM, LSTM_SIMD_WASM_SHARED } from './binary.generated';
import { generatedModuleSource } from './compile';
import { wasmBytes } from './lstmSimd';

// The kernels' correctness inside the recurrence is held in ../packedLstm.test.ts (against the op path
// and the float64 reference); here: the committed binary, and the accuracy of sigmoid and tanh alone.

async function elementwise() {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 32768 });
  const { instance } = await WebAssembly.instantiate(wasmBytes(LSTM_SIMD_WASM), { env: { memory } });
  const ex = instance.exports as { sigmoid(p: number, n: number): void; tanh(p: number, n: number): void };
  return (name: 'sigmoid' | 'tanh', xs: Float32Array) => {
    const n = Math.ceil(xs.length / 4) * 4;
    const f = new Float32Array(memory.buffer, 0, n);
    f.fill(0);
    f.set(xs);
    ex[name](0, n);
    return f.slice(0, xs.length);
  };
}

/** Distance in float32 units in the last place (same-sign values). */
function ulps(a: number, b: number): number {
  const i = new Int32Array(new Float32Array([a, b]).buffer);
  return Math.abs(i[0] - i[1]);
}

describe('the LSTM SIMD kernels', () => {
  it('are the committed build of wat.ts (npm run build:lstm-simd)', async () => {
    const committed = await readFile(new URL('./binary.generated.ts', import.meta.url), 'utf8');
    expect(committed).toBe(await generatedModuleSource());
    expect(WebAssembly.validate(wasmBytes(LSTM_SIMD_WASM_SHARED))).toBe(true);
  });

  it('compute sigmoid within 3 ulp (relative 3e-7), 0 and 1 at the ends, 0.5 at 0', async () => {
    const run = await elementwise();
    const xs = new Float32Array(400_001);
    for (let i = 0; i < xs.length; i++) xs[i] = -100 + (200 * i) / (xs.length - 1);
    const got = run('sigmoid', xs);
    let worstUlp = 0;
    let worstRel = 0;
    for (let i = 0; i < xs.length; i++) {
      const want = Math.fround(1 / (1 + Math.exp(-xs[i])));
      if (want > 1e-37) worstUlp = Math.max(worstUlp, ulps(got[i], want));
      worstRel = Math.max(worstRel, Math.abs(got[i] - want) / Math.max(want, 1e-30));
    }
    expect(worstUlp).toBeLessThanOrEqual(3);
    expect(worstRel).toBeLessThan(3e-7);
    expect([...run('sigmoid', new Float32Array([0, -0, -200, 200, -Infinity, Infinity]))]).toEqual([0.5, 0.5, 0, 1, 0, 1]);
  });

  it('compute tanh within 2e-7 absolute, odd, and +-1 at the ends', async () => {
    const run = await elementwise();
    const xs = new Float32Array(200_001);
    for (let i = 0; i < xs.length; i++) xs[i] = -20 + (40 * i) / (xs.length - 1);
    const got = run('tanh', xs);
    let worst = 0;
    for (let i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(got[i] - Math.tanh(xs[i])));
    expect(worst).toBeLessThan(2e-7);
    for (let i = 0; i < xs.length; i++)
      if (got[xs.length - 1 - i] + got[i] !== 0)
        expect.fail(`tanh(${xs[i]}) = ${got[i]}, tanh(${xs[xs.length - 1 - i]}) = ${got[xs.length - 1 - i]}`);
    expect([...run('tanh', new Float32Array([0, 50, -50, Infinity, -Infinity]))]).toEqual([0, 1, -1, 1, -1]);
  });
});
