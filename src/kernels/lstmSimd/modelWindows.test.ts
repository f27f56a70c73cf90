import { describe, expect, it } from 'vitest';
import { type Sizes, type Variant, canonicalTensors } from '../../core/model/architecture';
import type { VideoFeatures } from '../../core/features/featureTypes';
import type { VideoWithWindows } from '../../core/segments/videosWithWindows';
import { type WindowSettings, videoWindow, windowStarts } from '../../core/segments/windows';
import { SMALL_SIZES, randomVideo, rng } from '../../../tools/testing/random';
import { nodeLstmHelper } from '../../node/lstmHelper';
import { SimdModel } from './model';

// SimdModel.predictWithWindows (the command line's `--segments`) against the model run on each video and
// on each window as a video of its own: bit for bit, since each row goes through the same kernels in the
// same order however the sequences are batched.

const D37: Sizes = { ...SMALL_SIZES, lstm: 37, embed: 9 };
const D64: Sizes = { rgbDim: 40, audioDim: 8, embed: 32, lstm: 64, head1: 48, head2: 36, classes: 29 };

function meta(variant: Variant, sizes: Sizes) {
  return { version: 1, variant, sizes, classNames: null, dtype: 'float32' as const, source: null };
}

function randomWeights(variant: Variant, sizes: Sizes, seed: number): Map<string, Float32Array> {
  const r = rng(seed);
  return new Map(
    canonicalTensors(variant, sizes).map(({ name, shape }) => [
      name,
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => ((r() * 2 - 1) * 1.5) / Math.sqrt(shape[0])),
    ]),
  );
}

/** A video of uint8 features, as YouTube-8M stores them (dequantized by the model). */
function quantizedVideo(sizes: Sizes, frames: number, seed: number): VideoFeatures {
  const r = rng(seed);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
  return { ...randomVideo(sizes, frames, seed), rgb: bytes(frames * sizes.rgbDim), audio: bytes(frames * sizes.audioDim) };
}

const bits = (x: Float32Array) => Array.from(x);

async function collect(
  model: SimdModel,
  videos: VideoFeatures[],
  whole: boolean[],
  window: WindowSettings,
  budgetBytes?: number,
): Promise<{ results: VideoWithWindows[]; passes: number[][] }> {
  const results: VideoWithWindows[] = [];
  const passes: number[][] = [];
  for (const pass of model.predictWithWindows(videos, { window, whole, budgetBytes })) {
    expect(pass.first).toBe(results.length);
    passes.push(pass.results.map((_, j) => pass.first + j));
    results.push(...pass.results);
  }
  return { results, passes };
}

describe('SimdModel.predictWithWindows: videos and their windows in one pass', () => {
  const lengths = [7, 1, 12, 30, 5, 2, 23, 6];
  for (const [variant, sizes] of [
    ['fluid1', D37],
    ['paddlevideo2', D64],
    ['fluid1', D64],
  ] as [Variant, Sizes][]) {
    for (const window of [
      { length: 5, hop: 5 },
      { length: 5, hop: 1 },
      { length: 4, hop: 3 },
    ]) {
      it(`${variant}, D=${sizes.lstm}, windows of ${window.length} every ${window.hop}: each video and each window as predict() gives them alone`, async () => {
        const model = await SimdModel.fromWeights(meta(variant, sizes), randomWeights(variant, sizes, 5));
        const videos = lengths.map((n, i) => (i % 2 ? quantizedVideo(sizes, n, 30 + i) : randomVideo(sizes, n, 30 + i)));
        const whole = lengths.map((_, i) => i % 3 !== 1);
        const { results, passes } = await collect(model, videos, whole, window);
        expect(passes).toEqual([lengths.map((_, i) => i)]);
        for (const [i, v] of videos.entries()) {
          const r = results[i];
          if (whole[i]) {
            const [alone] = await model.predict([v]);
            expect(bits(r.prediction!.probabilities)).toEqual(bits(alone.probabilities));
            expect(bits(r.prediction!.logits)).toEqual(bits(alone.logits));
            expect(bits(r.prediction!.attention.rgb)).toEqual(bits(alone.attention.rgb));
            expect(bits(r.prediction!.attention.audio)).toEqual(bits(alone.attention.audio));
          } else expect(r.prediction).toBeNull();
          const starts = windowStarts(v.frames, window);
          expect(r.windows.map((w) => w.start)).toEqual(starts);
          const cut = starts.map((s) => videoWindow(v, s, window.length));
          expect(r.windows.map((w) => w.frames)).toEqual(cut.map((c) => c.frames));
          // The windows as the separate path runs them: a batch of short videos.
          const want = await model.predict(cut, { batchSize: cut.length });
          r.windows.forEach((w, j) => expect(bits(w.probabilities)).toEqual(bits(want[j].probabilities)));
        }
        // A 7-frame video at 5 and 5: windows of 5 and 2 frames.
        if (window.hop === 5)
          expect(results[0].windows.map((w) => [w.start, w.frames])).toEqual([
            [0, 5],
            [5, 2],
          ]);
        model.dispose();
      });
    }
  }

  it('cuts the videos into passes of consecutive videos within the memory budget, with the same outputs', async () => {
    const sizes = D64;
    const model = await SimdModel.fromWeights(meta('fluid1', sizes), randomWeights('fluid1', sizes, 6));
    const videos = [40, 3, 17, 30, 1, 25, 9, 33].map((n, i) => quantizedVideo(sizes, n, 60 + i));
    const whole = videos.map(() => true);
    const window = { length: 5, hop: 1 };
    const all = await collect(model, videos, whole, window);
    const largest = model.windowsPassBytes;
    expect(all.passes).toHaveLength(1);
    const budget = Math.floor(largest / 3);
    const small = await SimdModel.fromWeights(meta('fluid1', sizes), randomWeights('fluid1', sizes, 6));
    const cut = await collect(small, videos, whole, window, budget);
    expect(cut.passes.length).toBeGreaterThan(2);
    expect(cut.passes.flat()).toEqual(videos.map((_, i) => i));
    expect(small.windowsPassBytes).toBeLessThanOrEqual(budget);
    for (const [i, r] of cut.results.entries()) {
      expect(bits(r.prediction!.probabilities)).toEqual(bits(all.results[i].prediction!.probabilities));
      r.windows.forEach((w, j) => expect(bits(w.probabilities)).toEqual(bits(all.results[i].windows[j].probabilities)));
    }
    // A video whose pass alone is over the budget still goes, alone.
    const tiny = await collect(small, videos.slice(0, 2), whole, window, 1000);
    expect(tiny.passes).toEqual([[0], [1]]);
    model.dispose();
    small.dispose();
  });

  it('gives the same outputs, bit for bit, on 2 threads (the helper reads the projection rows from the table too)', async () => {
    const sizes = D64;
    const weights = randomWeights('fluid1', sizes, 7);
    const one = await SimdModel.fromWeights(meta('fluid1', sizes), weights);
    const two = await SimdModel.fromWeights(meta('fluid1', sizes), weights, { helpers: [nodeLstmHelper()] });
    expect(two.threads).toBe(2);
    const videos = [12, 7, 1, 20].map((n, i) => quantizedVideo(sizes, n, 90 + i));
    const whole = [true, false, true, true];
    for (const window of [
      { length: 5, hop: 5 },
      { length: 5, hop: 1 },
    ]) {
      const a = (await collect(one, videos, whole, window)).results;
      const b = (await collect(two, videos, whole, window)).results;
      a.forEach((r, i) => {
        if (r.prediction) expect(bits(b[i].prediction!.probabilities)).toEqual(bits(r.prediction.probabilities));
        r.windows.forEach((w, j) => expect(bits(b[i].windows[j].probabilities)).toEqual(bits(w.probabilities)));
      });
    }
    one.dispose();
    two.dispose();
  }, 60_000);
});
