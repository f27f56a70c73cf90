import { beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZES, randomPaddleParams, randomVideo, toRefParams } from '../../../tools/testing/random';
import { convertAndLoad } from '../../../tools/testing/memoryModel';
import { maxDiff } from '../../../tools/testing/compare';
import { useBackend } from '../../node/backend';
import { writeCombined } from '../paddle/combined';
import { dequantize } from '../features/dequantize';
import type { VideoFeatures } from '../features/featureTypes';
import { fluid1CombinedOrder } from '../model/paddleLayout';
import { referenceForward } from '../../../tools/testing/referenceModel';
import { opsBiLstm, paddedOpsBiLstm, takesPackedPath } from '../model/attentionLstm';
import { predictVideos, type LoadedModel } from '../model/model';
import { modelRunner, predictVideoWindows, predictWindowStream, windowsPerBatch } from './predictWindows';
import { SEGMENT_WINDOWS, videoWindow, videoWindows, windowCount, windowSettings, windowStarts } from './windows';

describe('segment windows', () => {
  it('start at 0, hop, 2 hop, ... below the frame count; the last holds what is left (7 frames: 5 and 2)', () => {
    const s = windowSettings();
    expect(s).toEqual({ length: 5, hop: 5 });
    const v = randomVideo(SMALL_SIZES, 7, 1, 'seven');
    expect(videoWindows(v, s).map((w) => [w.id, w.frames])).toEqual([
      ['seven:0', 5],
      ['seven:5', 2],
    ]);
    expect(windowStarts(10, s)).toEqual([0, 5]);
    expect(windowStarts(11, s)).toEqual([0, 5, 10]);
    expect(windowStarts(1, s)).toEqual([0]);
    expect(windowStarts(0, s)).toEqual([]);
    const hop1 = videoWindows(v, { length: 5, hop: 1 });
    expect(hop1.map((w) => w.frames)).toEqual([5, 5, 5, 4, 3, 2, 1]);
    expect(videoWindows(v, { length: 2, hop: 3 }).map((w) => [w.id, w.frames])).toEqual([
      ['seven:0', 2],
      ['seven:3', 2],
      ['seven:6', 1],
    ]);
    for (const [frames, hop] of [
      [1, 1],
      [7, 5],
      [300, 5],
      [301, 5],
      [300, 1],
      [13, 4],
    ])
      expect(windowCount(frames, { length: 5, hop })).toBe(windowStarts(frames, { length: 5, hop }).length);
  });

  it("are views of the video's frames, not copies", () => {
    const v: VideoFeatures = {
      ...randomVideo(SMALL_SIZES, 9, 2),
      rgb: Uint8Array.from({ length: 9 * SMALL_SIZES.rgbDim }, (_, i) => i & 255),
      audio: new Uint8Array(9 * SMALL_SIZES.audioDim),
    };
    const w = videoWindow(v, 5, 5);
    expect(w.frames).toBe(4);
    expect(w.rgb.buffer).toBe(v.rgb.buffer);
    expect(w.rgb.byteOffset).toBe(5 * SMALL_SIZES.rgbDim);
    expect(w.rgb.length).toBe(4 * SMALL_SIZES.rgbDim);
    expect(w.audio.buffer).toBe(v.audio.buffer);
    expect(() => videoWindow(v, 9, 5)).toThrow(RangeError);
  });

  it('refuses settings that are not positive whole numbers, naming them', () => {
    expect(() => windowSettings({ hop: 0 })).toThrow(/the window hop must be a positive whole number of frames, not 0/);
    expect(() => windowSettings({ length: 2.5 })).toThrow(/window length/);
    expect(SEGMENT_WINDOWS).toEqual({ length: 5, hop: 5 });
  });
});

describe.each(['wasm', 'cpu'] as const)('segment inference on %s', (backend) => {
  let model: LoadedModel;
  const params = randomPaddleParams('fluid1', SMALL_SIZES, 31);
  beforeAll(async () => {
    await useBackend(backend);
    model = await convertAndLoad('random.pdparams', writeCombined(fluid1CombinedOrder().map((n) => params.get(n)!)));
  });

  it("gives every window the float64 reference's probabilities for those frames alone (uint8 frames, mixed lengths, batches across videos)", async () => {
    const ref = toRefParams(params);
    const quantized = (frames: number, seed: number, id: string): VideoFeatures => {
      const f = randomVideo(SMALL_SIZES, frames, seed, id);
      const q = (x: Float32Array) => Uint8Array.from(x, (v) => Math.round(((v + 2) / 4) * 255));
      return { ...f, rgb: q(f.rgb as Float32Array), audio: q(f.audio as Float32Array) };
    };
    const videos = [quantized(7, 1, 'a'), quantized(12, 2, 'b'), quantized(1, 3, 'c'), quantized(5, 4, 'd')];
    for (const window of [
      { length: 5, hop: 5 },
      { length: 5, hop: 1 },
      { length: 3, hop: 2 },
    ]) {
      // 4 windows a batch: the windows of one video fall into two batches.
      const got = await predictVideoWindows(modelRunner(model), videos, { window, batchSize: 4 });
      let worst = 0;
      videos.forEach((v, i) => {
        expect(got[i].map((w) => w.start)).toEqual(windowStarts(v.frames, window));
        for (const w of got[i]) {
          const n = Math.min(window.length, v.frames - w.start);
          expect(w.frames).toBe(n);
          const rows = (x: Uint8Array, dim: number) => Float64Array.from(dequantize(x.subarray(w.start * dim, (w.start + n) * dim)));
          const want = referenceForward(ref, 'fluid1', rows(v.rgb as Uint8Array, v.rgbDim), rows(v.audio as Uint8Array, v.audioDim), n);
          worst = Math.max(worst, maxDiff(w.probabilities, want.probabilities));
        }
      });
      expect(worst).toBeLessThanOrEqual(1e-5);
    }
  });

  it('gives a window the same probabilities as the same frames predicted as a video of their own, in any batch', async () => {
    const v = randomVideo(SMALL_SIZES, 23, 5, 'v');
    const alone = await predictVideos(model, videoWindows(v, SEGMENT_WINDOWS), { batchSize: 1 });
    for (const batchSize of [1, 3, 1000]) {
      const [got] = await predictVideoWindows(modelRunner(model), [v], { batchSize });
      expect(got).toHaveLength(5);
      got.forEach((w, i) => expect(maxDiff(w.probabilities, alone[i].probabilities)).toBeLessThan(1e-6));
    }
  });

  it('pools a batch of many short windows by padding, with the same numbers as small batches (the dense pooling matrix would be B x N)', async () => {
    // 600 windows of 5 frames, past the 64 a batch that pool with the dense [B, N] matrix (1.8 M entries here), on the packed path.
    expect(takesPackedPath(opsBiLstm, model.spec)).toBe(true);
    const videos = Array.from({ length: 20 }, (_, i) => randomVideo(SMALL_SIZES, 150, 40 + i, `long-${i}`));
    const big = await predictVideoWindows(modelRunner(model), videos, { batchSize: 600 });
    const small = await predictVideoWindows(modelRunner(model), videos, { batchSize: 7 });
    let worst = 0;
    big.forEach((ws, i) => ws.forEach((w, j) => (worst = Math.max(worst, maxDiff(w.probabilities, small[i][j].probabilities)))));
    expect(big.flat()).toHaveLength(600);
    expect(worst).toBeLessThan(1e-6);
  });

  it("computes a video's windows in its video-level pass with today's window-by-window numbers (video ends, hop 5 and 1, several videos, chunks)", async () => {
    // Lengths with windows cut short at the end (7: 5 + 2; 12; 1; 5; 23), videos picked and left out, chunks split across videos.
    const videos = [7, 12, 1, 5, 23, 9].map((n, i) => randomVideo(SMALL_SIZES, n, 60 + i, `v${i}`));
    const picked = new Set([0, 1, 2, 4, 5]);
    for (const window of [
      { length: 5, hop: 5 },
      { length: 5, hop: 1 },
      { length: 3, hop: 2 },
    ]) {
      const want = await predictVideoWindows(modelRunner(model), videos, { window, batchSize: 4 });
      const plain = await predictVideos(model, videos, { batchSize: 4 });
      for (const [batchSize, chunk] of [
        [4, 3],
        [6, 1000],
        [2, 7],
      ]) {
        const got = await predictVideos(model, videos, { batchSize, windows: { ...window, batchSize: chunk, of: (i) => picked.has(i) } });
        let worst = 0;
        got.forEach((p, i) => {
          // The video-level results are those of a pass without windows.
          worst = Math.max(worst, maxDiff(p.probabilities, plain[i].probabilities));
          if (!picked.has(i)) return expect(p.windows).toBeUndefined();
          expect(p.windows!.map((w) => [w.start, w.frames])).toEqual(want[i].map((w) => [w.start, w.frames]));
          p.windows!.forEach((w, j) => (worst = Math.max(worst, maxDiff(w.probabilities, want[i][j].probabilities))));
        });
        expect(worst).toBeLessThan(1e-6);
      }
    }
    // Without a packed path (the op path), the windows run as short videos of their own, with the same numbers.
    const window = { length: 5, hop: 5 };
    const want = await predictVideoWindows(modelRunner(model), videos, { window, batchSize: 4 });
    const ops = await predictVideos(model, videos, {
      batchSize: 4,
      biLstm: paddedOpsBiLstm,
      windows: { ...window, batchSize: 3, of: () => true },
    });
    let worst = 0;
    ops.forEach((p, i) => p.windows!.forEach((w, j) => (worst = Math.max(worst, maxDiff(w.probabilities, want[i][j].probabilities)))));
    expect(ops.flatMap((p) => p.windows!.map((w) => w.start))).toEqual(want.flatMap((ws) => ws.map((w) => w.start)));
    expect(worst).toBeLessThan(1e-5);
  });

  it('streams: a batch at a time, each video done once after its windows, a video the model cannot take reported and skipped', async () => {
    const wide = { ...randomVideo({ ...SMALL_SIZES, rgbDim: SMALL_SIZES.rgbDim + 1 }, 6, 9, 'wide') };
    const items = [randomVideo(SMALL_SIZES, 7, 6, 'x'), wide, randomVideo(SMALL_SIZES, 11, 7, 'y')].map((video) => ({ video }));
    async function* source() {
      yield* items;
    }
    const batches = [];
    for await (const b of predictWindowStream(modelRunner(model), source(), { batchSize: 2 })) batches.push(b);
    expect(batches.map((b) => b.windows.map((w) => `${w.item.video.id}:${w.start}`))).toEqual([['x:0', 'x:5'], ['y:0', 'y:5'], ['y:10']]);
    expect(batches.map((b) => b.done.map((d) => d.video.id))).toEqual([['x'], [], ['y']]);
    expect(batches.flatMap((b) => b.errors.map((e) => e.item.video.id))).toEqual(['wide']);
    expect(batches.flatMap((b) => b.errors)[0].error).toMatch(/has rgb features of width 13, the model expects 12/);
  });

  it('sizes a batch of windows by the video budget, well past the 64 videos of a batch', () => {
    const demoLike = { rgbDim: 1024, audioDim: 128, embed: 32, lstm: 32, head1: 64, head2: 32, classes: 10 };
    expect(windowsPerBatch(demoLike, { length: 5, hop: 5 })).toBeGreaterThan(64);
    const fullSize = { rgbDim: 1024, audioDim: 128, embed: 512, lstm: 1024, head1: 8192, head2: 4096, classes: 3862 };
    // The full-size model's windows fill the same 32 MB as its videos do.
    expect(windowsPerBatch(fullSize, { length: 5, hop: 5 })).toBe(
      Math.floor((32 << 20) / (4 * (1024 + 128 + 1024 + 16 * 1024 + 4 * 1024) * 5)),
    );
    expect(windowsPerBatch(fullSize, { length: 5, hop: 1 }, { batchSize: 9 })).toBe(9);
  });
});
