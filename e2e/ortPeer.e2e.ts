/**
 * The benchmark's peer at small size, in headless Chromium: ONNX Runtime Web
 * (wasm with 1 and 2 threads, WebGPU) runs the project's ONNX export of a
 * random model and gives the project's probabilities and attention (tfjs on
 * WebGPU, fused kernel, in the same browser) within 1e-5. Its files come from
 * the harness's own server, whose cross-origin isolation lets wasm use threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZES } from '../tools/testing/random';
import type { Sizes, Variant } from '../src/core/model/architecture';
import { type HarnessSession, openHarness } from '../tools/kernelHarness/browser';

const SIZES: Sizes = { ...SMALL_SIZES, lstm: 37, embed: 9, head1: 12 };
const LENGTHS = [9, 2, 6, 9, 1, 4];

describe("ONNX Runtime Web, the benchmark's peer, against the project in Chromium", () => {
  let s: HarnessSession;
  const logs: string[] = [];
  beforeAll(async () => {
    s = await openHarness({
      log: (m) => {
        logs.push(m);
        if (/error/i.test(m) && !/\[W:onnxruntime|status of 404/.test(m)) process.stderr.write(m + '\n');
      },
    });
    const info = await s.call('init');
    expect(info.backend).toBe('webgpu');
  });
  afterAll(async () => {
    await s?.close();
  });

  for (const variant of ['fluid1', 'paddlevideo2'] as Variant[]) {
    it(`${variant}: ORT-web wasm (1 and 2 threads) and WebGPU give the project's outputs within 1e-5`, async () => {
      await s.call('buildModel', { variant, sizes: SIZES, seed: 3 });
      const project = await s.call('timeCase', { path: 'webgpu-fused', lengths: LENGTHS, runs: 1, warmup: 0, seed: 40, outputs: true });
      expect(project.errors).toEqual([]);
      const reference = project.outputs!.map((v) => v.probabilities);
      const referenceAttention = project.outputs!.map((v) => v.attention);
      for (const cfg of [
        { engine: 'wasm', threads: 1 },
        { engine: 'wasm', threads: 2 },
        { engine: 'webgpu', threads: 1 },
      ] as const) {
        const peer = await s.openOrtPeer(cfg);
        try {
          expect(peer.info.crossOriginIsolated).toBe(true);
          const built = await peer.call('buildModel', { variant, sizes: SIZES, seed: 3 });
          expect(built.threads).toBe(cfg.threads);
          // The LSTMs run on the engine itself (only the mask's int64 shape ops may fall back to the CPU).
          expect(built.nodesOnCpu.filter((n) => !/^(Unsqueeze|Gather|Range|Less|Cast|Shape) /.test(n))).toEqual([]);
          const r = await peer.call('timeCase', {
            lengths: LENGTHS,
            seed: 40,
            runs: 1,
            warmup: 0,
            reference,
            referenceAttention,
            tolerance: 1e-5,
          });
          process.stderr.write(
            `ORT-web ${cfg.engine} ${cfg.threads} thread(s), ${variant}: probabilities ${r.probDiff.toExponential(2)}, attention ${r.attDiff!.toExponential(2)}${built.nodesOnCpu.length ? `; on the CPU: ${built.nodesOnCpu.join(', ')}` : ''}\n`,
          );
          expect(r.equivalent).toBe(true);
          expect(r.probDiff).toBeLessThanOrEqual(1e-5);
          expect(r.attDiff).toBeLessThanOrEqual(1e-5);
          expect(r.times).toHaveLength(1);
        } finally {
          await peer.close();
        }
      }
      // The model's outputs are not flat, so the comparison means something.
      const p = reference[0];
      expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
      expect(s.foreignRequests()).toEqual([]);
    });
  }
});
