/**
 * What a WebGPU implementation charges for the two things the LSTM step does:
 * loads whose address depends on the invocation, and multiply-adds. Raw WGSL
 * through WebGPU (no tfjs), on the shapes of one full-size time step (four
 * LSTMs, D = 1024: 16.8 M weights, 16.8 M multiply-adds), and a register-tiled
 * matmul at the input projection's shape for a few tile sizes. These are the
 * figures behind the kernel's design and behind bench/results/RESULTS.md's explanation
 * of the limits on SwiftShader.
 *
 *   npx tsx bench/drivers/probes.ts
 */
import { openHarness } from '../../tools/kernelHarness/browser';
import { MATMUL_SHAPE, STEP_WEIGHTS, matmul, probeBuffers, probes } from '../helpers/probeKernels';

const { M, K, N } = MATMUL_SHAPE;
const s = await openHarness({
  log: (m) => {
    if (/error/i.test(m) && !/404/.test(m)) process.stderr.write(m + '\n');
  },
});
try {
  await s.call('init');
  for (const p of probes) {
    const r = await s.call('micro', { code: p.code, dispatch: p.dispatch, buffers: probeBuffers, runs: 3, perRun: 5 });
    const best = Math.min(...r.times);
    console.log(
      `${p.name}: ${r.error ?? `${best.toFixed(1)} ms per step-sized dispatch (16.8 M weights and multiply-adds), ${(STEP_WEIGHTS / (best * 1e6)).toFixed(2)} G per s`}`,
    );
  }
  for (const [RM, RN] of [
    [4, 4],
    [8, 8],
    [16, 8],
    [16, 16],
  ]) {
    const p = matmul(RM, RN);
    const r = await s.call('micro', { code: p.code, dispatch: p.dispatch, buffers: [M * N, M * K, N * K], runs: 2, perRun: 2 });
    const best = Math.min(...r.times);
    console.log(`${p.name}: ${r.error ?? `${best.toFixed(0)} ms, ${((M * N * K) / (best * 1e6)).toFixed(2)} GMAC/s`}`);
  }
} finally {
  await s.close();
}
