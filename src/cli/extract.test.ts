import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeatureFile } from '../core/features/read';
import { decodeSequenceExample } from '../core/containers/sequenceExample';
import { readTfRecords } from '../core/containers/tfrecord';
import type { PredictionDocument } from '../core/predictionDocument';
import { asStored, pcaNpyFiles, referenceExtract, standInPca, type StandInPca, writeTgz } from '../../tools/testing/extractorFixtures';
import { inceptionStandIn, type StandIn } from '../../tools/testing/inceptionStandIn';
import { referenceRun, writeGraphDef } from '../../tools/testing/tfGraph';
import { expectedTaken, makeVideo, mp4WithoutFrames, probeFrameTimes, type TestVideo } from '../../tools/testing/testVideos';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

async function cli(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(tsx, [path.join(root, 'src/cli', script), ...args], {
      cwd: root,
      maxBuffer: 64 << 20,
      env: { ...process.env, ...env },
    });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

/**
 * `npm run extract` end to end on the Inception stand-in (the published
 * graph's ops and wiring, narrow) and videos made by the test: the records
 * against the float64 reference of the same graph and PCA on the frames the
 * rule takes, within one quantization level per value; then predict,
 * evaluate and finetune read the file as any other.
 */
describe('npm run extract', () => {
  let dir: string;
  let standIn: StandIn;
  let pca: StandInPca;
  const videos = new Map<string, TestVideo>();
  const p = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-extract-'));
    standIn = inceptionStandIn({ size: 'small', seed: 7 });
    await writeFile(
      p('inception-2015-12-05.tgz'),
      await writeTgz([
        { name: 'classify_image_graph_def.pb', bytes: standIn.bytes },
        { name: 'LICENSE', bytes: new TextEncoder().encode('stand-in') },
      ]),
    );
    videos.set('walk.mp4', await makeVideo(dir, 'walk.mp4', { width: 64, height: 48, count: 100, rate: '30000/1001', seed: 1 }));
    videos.set('dog.mkv', await makeVideo(dir, 'dog.mkv', { width: 56, height: 40, count: 60, rate: '25/2', seed: 2 }));
    videos.set(
      'bursts.mkv',
      await makeVideo(dir, 'bursts.mkv', { width: 40, height: 40, count: 9, times: [0, 0.5, 0.999, 1, 1.7, 2.999, 3, 3.2, 4.4], seed: 3 }),
    );
    // The PCA is fitted loosely to a few frames' features, so that quantized values spread over the range.
    const calib = [videos.get('walk.mp4')!.frames[10], videos.get('dog.mkv')!.frames[5], videos.get('bursts.mkv')!.frames[2]];
    const sizes = [
      [64, 48],
      [56, 40],
      [40, 40],
    ];
    const feats = calib.map(
      (f, i) =>
        referenceRun(standIn.nodes, 'DecodeJpeg', { shape: [sizes[i][1], sizes[i][0], 3], data: Float64Array.from(f) }, 'pool_3/_reshape')
          .data,
    );
    pca = standInPca(feats, 11);
    await writeFile(p('yt8m_pca.tgz'), await writeTgz(pcaNpyFiles(pca)));
    await writeFile(p('videos.csv'), `${p('walk.mp4')},3;1\ndog.mkv,2\n`);
  }, 300_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('extracts each video as the float64 reference does (within one quantization level per value), with labels from the CSV', async () => {
    const res = await cli('extract.ts', [
      '--inception',
      p('inception-2015-12-05.tgz'),
      '--pca',
      p('yt8m_pca.tgz'),
      '--out',
      p('mine.tfrecord'),
      '--labels',
      p('videos.csv'),
      '--batch-size',
      '2',
      p('walk.mp4'),
      p('dog.mkv'),
      p('bursts.mkv'),
    ]);
    expect(res.stderr).toMatch(/note: .*rgb alone/);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/94 convolutions fused/);
    expect(res.stderr).toMatch(/video 3\/3 .*bursts\.mkv: 4 frames in/);
    const summary = JSON.parse(res.stdout);
    expect(summary.videos.map((v: { id: string; frames: number }) => [v.id, v.frames])).toEqual([
      ['walk', 4],
      ['dog', 5],
      ['bursts', 4],
    ]);
    const { videos: read, warnings } = readFeatureFile(new Uint8Array(await readFile(p('mine.tfrecord'))), 'mine.tfrecord');
    expect(warnings).toEqual([]);
    expect(read.map((v) => [v.id, v.labels])).toEqual([
      ['walk', [1, 3]],
      ['dog', [2]],
      ['bursts', undefined],
    ]);
    const stored = asStored(pca);
    let worst = 0;
    let inner = 0;
    let total = 0;
    for (const v of read) {
      const src = videos.get(`${v.id}${v.id === 'walk' ? '.mp4' : '.mkv'}`)!;
      const taken = expectedTaken(await probeFrameTimes(src.path));
      expect(v.frames).toBe(taken.length);
      const records = readTfRecords(new Uint8Array(await readFile(p('mine.tfrecord'))), 'mine.tfrecord').records;
      const meanRgb = (decodeSequenceExample(records[read.indexOf(v)]).context.get('mean_rgb') as { values: number[] }).values;
      const refMean = new Float64Array(1024);
      taken.forEach((i, t) => {
        const ref = referenceExtract(standIn.nodes, stored, { width: src.width, height: src.height, data: src.frames[i] });
        for (let j = 0; j < 1024; j++) {
          const q = (v.rgb as Uint8Array)[t * 1024 + j];
          worst = Math.max(worst, Math.abs(q - ref.quantized[j]));
          if (q > 0 && q < 255) inner++;
          total++;
          refMean[j] += ref.pca[j] / taken.length;
        }
      });
      meanRgb.forEach((m, j) => expect(Math.abs(m - refMean[j])).toBeLessThan(1e-3));
      expect(Array.from(v.audio as Uint8Array).every((x) => x === 0)).toBe(true);
    }
    expect(worst).toBeLessThanOrEqual(1);
    // Not a trivial test: most values fall inside the range, not on its clipped ends.
    expect(inner / total).toBeGreaterThan(0.9);
  }, 600_000);

  it('predict and evaluate read the file as any other, and a fine-tune runs on the extracted clips', async () => {
    const pred = await cli('predict.ts', ['--model', 'public/models/demo', '--top-k', '3', p('mine.tfrecord')]);
    expect(pred.code).toBe(0);
    const doc = JSON.parse(pred.stdout) as PredictionDocument;
    expect(doc.videos.map((v) => [v.id, v.frames])).toEqual([
      ['walk', 4],
      ['dog', 5],
      ['bursts', 4],
    ]);
    expect(doc.videos[0].probabilities.every((x) => x >= 0 && x <= 1)).toBe(true);
    const ev = await cli('evaluate.ts', ['--model', 'public/models/demo', p('mine.tfrecord')]);
    expect(ev.code).toBe(0);
    expect(Object.keys(JSON.parse(ev.stdout))).toEqual(expect.arrayContaining(['videos', 'hit_at_1', 'perr', 'map']));
    await writeFile(p('classes.txt'), 'zero\none\ntwo\nthree\n');
    const ft = await cli('finetune.ts', [
      '--model',
      'public/models/demo',
      '--out',
      p('tuned'),
      '--mode',
      'new-head',
      '--labels',
      p('classes.txt'),
      '--epochs',
      '2',
      '--validation',
      '0',
      p('mine.tfrecord'),
    ]);
    expect(ft.stderr).not.toMatch(/error/);
    expect(ft.code).toBe(0);
    expect(JSON.parse(ft.stdout).epochs).toHaveLength(2);
    await access(p('tuned/model.json'));
  }, 300_000);

  it('bad videos among good ones: one sentence each naming the file, the others still extracted', async () => {
    await writeFile(p('notes.mp4'), 'this is not a video');
    const whole = await readFile(videos.get('walk.mp4')!.path);
    await writeFile(p('cut.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
    await writeFile(p('silent.mkv'), await readFile(videos.get('dog.mkv')!.path));
    // An audio-only file: no video stream.
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=d=1', p('tone.mka')]);
    await mp4WithoutFrames(dir, 'noframes.mp4');
    const res = await cli('extract.ts', [
      '--inception',
      p('inception-2015-12-05.tgz'),
      '--pca',
      p('yt8m_pca.tgz'),
      '--out',
      p('mixed.tfrecord'),
      p('notes.mp4'),
      p('cut.mp4'),
      p('tone.mka'),
      p('missing.mp4'),
      p('noframes.mp4'),
      p('silent.mkv'),
    ]);
    // Done in part: five videos failed, one was written.
    expect(res.code).toBe(3);
    const lines = res.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    for (const f of ['notes.mp4', 'cut.mp4', 'tone.mka', 'missing.mp4', 'noframes.mp4'])
      expect(lines.some((l) => l.startsWith(`warning: ${p(f)}: `) && l.endsWith('(video skipped)'))).toBe(true);
    expect(lines.find((l) => l.includes('tone.mka'))).toMatch(/no video stream/);
    const { videos: read } = readFeatureFile(new Uint8Array(await readFile(p('mixed.tfrecord'))), 'mixed.tfrecord');
    expect(read.map((v) => v.id)).toEqual(['silent']);
    expect(lines.find((l) => l.includes('noframes.mp4'))).toMatch(/cannot decode it|no frames/);
    expect(JSON.parse(res.stdout).failed).toHaveLength(5);
  }, 300_000);

  it('nothing extracted: exit 2, no file written', async () => {
    const res = await cli('extract.ts', [
      '--inception',
      p('inception-2015-12-05.tgz'),
      '--pca',
      p('yt8m_pca.tgz'),
      '--out',
      p('none.tfrecord'),
      p('notes.mp4'),
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/error: no video could be extracted \(1 failed\): nothing was written/);
    await expect(access(p('none.tfrecord'))).rejects.toThrow();
    await expect(access(p('none.tfrecord.partial'))).rejects.toThrow();
  }, 120_000);

  it('extractor files that are not the published ones: one line naming the file (and the node)', async () => {
    const other = writeGraphDef([
      { name: 'DecodeJpeg', op: 'Placeholder' },
      { name: 'y', op: 'Relu', inputs: ['DecodeJpeg'] },
    ]);
    await writeFile(p('other.pb'), other);
    const withOp = inceptionStandIn({ size: 'small', seed: 7 }).nodes.map((n) =>
      n.name === 'mixed_4/tower/conv_1' ? { ...n, op: 'Gelu' } : n,
    );
    await writeFile(p('odd.pb'), writeGraphDef(withOp));
    await writeFile(p('mean.npy'), pcaNpyFiles(pca)[0].bytes);
    await writeFile(p('eigenvals.npy'), pcaNpyFiles(pca)[1].bytes);
    const { writeNpy } = await import('../core/containers/npy');
    await writeFile(p('eigenvecs.npy'), writeNpy({ dtype: 'float32', shape: [1100, 1000], data: new Float32Array(1_100_000) }));
    const tryIt = (inception: string, pcaPath: string) =>
      cli('extract.ts', ['--inception', inception, '--pca', pcaPath, '--out', p('x.tfrecord'), p('walk.mp4')]);
    const cases: [Promise<{ stderr: string; code: number }>, RegExp][] = [
      [tryIt(p('other.pb'), p('yt8m_pca.tgz')), /^error: \S*other\.pb: the graph has no output node "pool_3\/_reshape"/],
      [
        tryIt(p('odd.pb'), p('yt8m_pca.tgz')),
        /^error: \S*odd\.pb: the node "mixed_4\/tower\/conv_1" is a Gelu op, which the extractor cannot run/,
      ],
      [tryIt(p('yt8m_pca.tgz'), p('yt8m_pca.tgz')), /^error: \S*yt8m_pca\.tgz: the archive holds no classify_image_graph_def\.pb/],
      [tryIt(p('inception-2015-12-05.tgz'), dir), /^error: \S*eigenvecs\.npy: has shape \[1100, 1000\], expected \[1100, 2048\]/],
      [tryIt(p('videos.csv'), p('yt8m_pca.tgz')), /^error: \S*videos\.csv: not a TensorFlow GraphDef/],
    ];
    for (const [res, want] of cases) {
      const r = await res;
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(want);
    }
  }, 300_000);

  it('without ffmpeg: a clear message saying how to install it', async () => {
    const res = await cli(
      'extract.ts',
      ['--inception', p('inception-2015-12-05.tgz'), '--pca', p('yt8m_pca.tgz'), '--out', p('x.tfrecord'), p('walk.mp4')],
      { FFMPEG_PATH: '/nonexistent/ffmpeg' },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^error: \/nonexistent\/ffmpeg is not installed or not on the PATH: .*apt-get install ffmpeg/);
  }, 60_000);
});
