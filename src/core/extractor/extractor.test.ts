import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import { InputError } from '../errors';
import { asStored, pcaNpyFiles, referenceExtract, standInPca, writeTgz } from '../../../tools/testing/extractorFixtures';
import { inceptionStandIn } from '../../../tools/testing/inceptionStandIn';
import { testFrames } from '../../../tools/testing/testVideos';
import { referenceRun } from '../../../tools/testing/tfGraph';
import { FeatureExtractor, readExtractorFiles, type ExtractorModel } from './extractor';
import { microseconds } from './frameRule';

/** The core's API as the page's worker uses it: frames one at a time with WebCodecs' microsecond timestamps, RGBA, batched. */
describe('the extractor fed frame by frame', () => {
  const W = 44;
  const H = 30;
  const standIn = inceptionStandIn({ size: 'small', seed: 12 });
  const frames = testFrames({ width: W, height: H, count: 75, seed: 4 });
  let model: ExtractorModel;
  let pca: ReturnType<typeof standInPca>;

  beforeAll(async () => {
    await useBackend('wasm');
    const feats = [0, 30].map(
      (i) => referenceRun(standIn.nodes, 'DecodeJpeg', { shape: [H, W, 3], data: Float64Array.from(frames[i]) }, 'pool_3/_reshape').data,
    );
    pca = standInPca(feats, 2);
    model = await readExtractorFiles(
      { name: 'inception-2015-12-05.tgz', bytes: await writeTgz([{ name: 'classify_image_graph_def.pb', bytes: standIn.bytes }]) },
      pcaNpyFiles(pca),
    );
    // Plain data, as the page keeps it in IndexedDB.
    model = structuredClone(model);
  }, 120_000);

  const rgba = (f: Uint8Array) => {
    const out = new Uint8Array(W * H * 4);
    for (let i = 0; i < W * H; i++) {
      out.set(f.subarray(3 * i, 3 * i + 3), 4 * i);
      out[4 * i + 3] = 255;
    }
    return out;
  };

  async function extract(batchSize: number, format: 'rgb' | 'rgba') {
    const extractor = FeatureExtractor.create(model, { batchSize });
    const video = extractor.startVideo({ id: 'clip', file: 'clip.webm', labels: [5, 2] });
    // 30 fps in microseconds, as WebCodecs gives them: 33333, 66667, ...
    for (let i = 0; i < frames.length; i++) {
      if (video.consider(microseconds(Math.round((i * 1_000_000) / 30)))) {
        await video.add({ width: W, height: H, format, data: format === 'rgba' ? rgba(frames[i]) : frames[i] });
      }
    }
    const r = await video.finish();
    extractor.dispose();
    return r;
  }

  it('takes frames 0, 30, 60 and agrees with the float64 reference, RGBA in batches as RGB one at a time', async () => {
    const a = await extract(2, 'rgba');
    const b = await extract(1, 'rgb');
    expect(a.frames).toBe(3);
    expect(a.times).toEqual([0, 1, 2]);
    expect(a.labels).toEqual([2, 5]);
    expect(a.features.rgb.length).toBe(3 * 1024);
    const stored = asStored(pca);
    [0, 30, 60].forEach((i, t) => {
      const ref = referenceExtract(standIn.nodes, stored, { width: W, height: H, data: frames[i] });
      for (let j = 0; j < 1024; j++) {
        expect(Math.abs(a.rgb[t * 1024 + j] - ref.quantized[j])).toBeLessThanOrEqual(1);
        expect(Math.abs(a.rgb[t * 1024 + j] - b.rgb[t * 1024 + j])).toBeLessThanOrEqual(1);
      }
    });
    expect(a.record.length).toBeGreaterThan(3 * 1024);
  }, 120_000);

  it('misuse and empty videos', async () => {
    const extractor = FeatureExtractor.create(model);
    const video = extractor.startVideo({ id: 'x', file: 'x.mp4' });
    await expect(video.add({ width: W, height: H, format: 'rgb', data: frames[0] })).rejects.toThrow(/add follows a consider/);
    expect(video.consider(microseconds(0))).toBe(true);
    await expect(video.add({ width: W, height: H, format: 'rgb', data: frames[0].subarray(1) })).rejects.toThrow(InputError);
    const empty = extractor.startVideo({ id: 'e', file: 'empty.mp4' });
    await expect(empty.finish()).rejects.toThrow(/^empty\.mp4: the video has no frames that could be decoded$/);
    extractor.dispose();
  });
});
