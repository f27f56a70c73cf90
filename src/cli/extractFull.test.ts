import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { readFeatureFile } from '../core/features/read';
import { asStored, pcaNpyFiles, referencePca, standInPca, writeTgz } from '../../tools/testing/extractorFixtures';
import { inceptionStandIn } from '../../tools/testing/inceptionStandIn';
import { referenceRun } from '../../tools/testing/tfGraph';
import { expectedTaken, makeVideo, probeFrameTimes } from '../../tools/testing/testVideos';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

/**
 * The full-size stand-in (the published graph's layer shapes, 299x299, a
 * 96 MB GraphDef in a .tgz) through `npm run extract`, against the float64
 * reference of the same graph and PCA on the frames the rule takes.
 */
describe('npm run extract with the full-size Inception stand-in', () => {
  let dir = '';
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it('agrees with the float64 reference within one quantization level per value', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-extract-full-'));
    const standIn = inceptionStandIn({ size: 'full', seed: 5 });
    expect(standIn.parameters).toBeGreaterThan(21_000_000);
    await writeFile(
      path.join(dir, 'inception-2015-12-05.tgz'),
      await writeTgz([{ name: 'classify_image_graph_def.pb', bytes: standIn.bytes }]),
    );
    const video = await makeVideo(dir, 'clip.mp4', { width: 80, height: 60, count: 30, rate: '25', seed: 9 });
    const taken = expectedTaken(await probeFrameTimes(video.path));
    expect(taken).toEqual([0, 25]);
    const features = taken.map(
      (i) =>
        referenceRun(standIn.nodes, 'DecodeJpeg', { shape: [60, 80, 3], data: Float64Array.from(video.frames[i]) }, 'pool_3/_reshape').data,
    );
    const pca = standInPca(features, 3, 1024);
    await writeFile(path.join(dir, 'yt8m_pca.tgz'), await writeTgz(pcaNpyFiles(pca)));
    const out = path.join(dir, 'clip.tfrecord');
    const { stderr } = await run(
      path.join(root, 'node_modules/.bin/tsx'),
      [
        path.join(root, 'src/cli/extract.ts'),
        '--inception',
        path.join(dir, 'inception-2015-12-05.tgz'),
        '--pca',
        path.join(dir, 'yt8m_pca.tgz'),
        '--out',
        out,
        video.path,
      ],
      { cwd: root, maxBuffer: 64 << 20 },
    );
    expect(stderr).toMatch(/317 nodes from DecodeJpeg:0 to pool_3\/_reshape:0 \(94 convolutions fused/);
    const [v] = readFeatureFile(new Uint8Array(await readFile(out)), 'clip.tfrecord').videos;
    expect(v.frames).toBe(2);
    const stored = asStored(pca);
    let worst = 0;
    features.forEach((x, t) => {
      const ref = referencePca(x, stored);
      for (let j = 0; j < 1024; j++) worst = Math.max(worst, Math.abs((v.rgb as Uint8Array)[t * 1024 + j] - ref.quantized[j]));
    });
    expect(worst).toBeLessThanOrEqual(1);
  }, 900_000);
});
