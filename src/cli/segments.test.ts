import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZES, randomPaddleParams, rng, toRefParams } from '../../tools/testing/random';
import { writeCombined } from '../core/paddle/combined';
import { fluid1CombinedOrder } from '../core/model/paddleLayout';
import { writeTfRecordFeatures, type Yt8mVideo } from '../core/features/tfrecordFeatures';
import { dequantize } from '../core/features/dequantize';
import { referenceForward } from '../../tools/testing/referenceModel';
import { SegmentRanking } from '../core/segments/segmentRanking';
import { segmentMap } from '../core/segments/segmentMap';
import { submissionLines } from '../core/segments/submission';
import { percentG } from '../core/segments/pythonFloat';
import { ratedDemoRecord, ratedDemoVideos } from '../core/demo/segmentSamples';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

async function cli(script: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(tsx, [path.join(root, 'src/cli', script), ...args], { cwd: root, maxBuffer: 64 << 20 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

/** A segment-rated video of `frames` frames: ratings on its 5-frame segments, about half positive. */
function ratedVideo(frames: number, seed: number, labels = true): Yt8mVideo {
  const r = rng(seed);
  const frame = (dim: number) => Uint8Array.from({ length: dim }, () => Math.floor(r() * 256));
  const starts = Array.from({ length: Math.ceil(frames / 5) }, (_, i) => i * 5);
  const rated = starts.flatMap((s) => [0, 1, 2, 3, 4, 5, 6].filter(() => r() < 0.3).map((c) => ({ c, s, score: r() < 0.5 ? 1 : 0 })));
  return {
    id: `seg-${seed}`,
    ...(labels ? { labels: [seed % SMALL_SIZES.classes] } : {}),
    rgb: Array.from({ length: frames }, () => frame(SMALL_SIZES.rgbDim)),
    audio: Array.from({ length: frames }, () => frame(SMALL_SIZES.audioDim)),
    segments: { labels: rated.map((x) => x.c), startTimes: rated.map((x) => x.s), scores: rated.map((x) => x.score) },
  };
}

interface WindowLine {
  id: string;
  video: string;
  file: string;
  start: number;
  frames: number;
  probabilities: number[];
  top: { class: number; name: string; probability: number }[];
}

describe('the command line on segments: predict --segments, evaluate --segments', () => {
  let dir: string;
  const params = randomPaddleParams('fluid1', SMALL_SIZES, 41);
  const videos = [ratedVideo(7, 1), ...Array.from({ length: 24 }, (_, i) => ratedVideo(3 + ((i * 5) % 23), 10 + i))];
  const model = () => path.join(dir, 'model');
  const files = () => [path.join(dir, 'a.tfrecord'), path.join(dir, 'b.tfrecord')];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-cli-seg-'));
    await writeFile(path.join(dir, 'w.pdparams'), writeCombined(fluid1CombinedOrder().map((n) => params.get(n)!)));
    expect((await cli('convert.ts', [path.join(dir, 'w.pdparams'), '--out', model()])).code).toBe(0);
    await writeFile(files()[0], writeTfRecordFeatures(videos.slice(0, 10)));
    await writeFile(files()[1], writeTfRecordFeatures(videos.slice(10)));
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("--jsonl writes one object per window, in file order: id <video>:<start>, its frames (7 frames: 5 and 2), every probability (the float64 reference's), the top classes", async () => {
    const res = await cli('predict.ts', ['--model', model(), '--segments', '--jsonl', '--top-k', '3', ...files()]);
    expect(res.code).toBe(0);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as WindowLine);
    const want = videos.flatMap((v) => Array.from({ length: Math.ceil(v.rgb.length / 5) }, (_, i) => `${v.id}:${i * 5}`));
    expect(lines.map((l) => l.id)).toEqual(want);
    expect(lines.slice(0, 2).map((l) => [l.video, l.start, l.frames])).toEqual([
      ['seg-1', 0, 5],
      ['seg-1', 5, 2],
    ]);
    expect(Object.keys(lines[0])).toEqual(['id', 'video', 'file', 'start', 'frames', 'probabilities', 'top']);
    const ref = toRefParams(params);
    for (const l of [lines[0], lines[1], lines[lines.length - 1]]) {
      const v = videos.find((x) => x.id === l.video)!;
      const rows = (f: Uint8Array[]) =>
        Float64Array.from(dequantize(Uint8Array.from(f.slice(l.start, l.start + l.frames).flatMap((x) => Array.from(x)))));
      const p = referenceForward(ref, 'fluid1', rows(v.rgb), rows(v.audio), l.frames).probabilities;
      l.probabilities.forEach((x, c) => expect(Math.abs(x - p[c])).toBeLessThanOrEqual(1e-5));
      expect(l.top).toHaveLength(3);
      expect(l.top[0].probability).toBe(Math.max(...l.probabilities));
    }
    expect(res.stderr).toMatch(/^predict: 25 videos in [\d.]+ s/m);
  }, 120_000);

  it("--submission writes the challenge's Class,Segments file: per class at most K windows, best first, as upstream ranks them", async () => {
    const out = path.join(dir, 'submission.csv');
    const res = await cli('predict.ts', ['--model', model(), '--segments', '--submission', out, '--k', '6', ...files()]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/submission: 7 classes, at most 6 windows each, written to /);
    const text = await readFile(out, 'utf8');
    const rows = text.trim().split('\n');
    expect(rows[0]).toBe('Class,Segments');
    expect(rows.slice(1).map((r) => Number(r.split(',')[0]))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // The same file from the windows' own probabilities (the --jsonl run), ranked here.
    const jsonl = await cli('predict.ts', ['--model', model(), '--segments', '--jsonl', ...files()]);
    const ranking = new SegmentRanking({ classes: SMALL_SIZES.classes, k: 6 });
    for (const l of jsonl.stdout
      .trim()
      .split('\n')
      .map((x) => JSON.parse(x) as WindowLine))
      ranking.addWindow({ id: l.video, frames: 0 }, l.start, l.probabilities);
    expect(text).toBe([...submissionLines(ranking)].join(''));
    for (const row of rows.slice(1)) {
      const ids = row.split(',')[1].split(' ');
      expect(ids.length).toBe(6);
      expect(new Set(ids).size).toBe(6);
      for (const id of ids) expect(id).toMatch(/^seg-\d+:\d+$/);
    }
    // Best first: the scores upstream reads back do not rise along a line.
    const byId = new Map(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((x) => JSON.parse(x) as WindowLine)
        .map((l) => [l.id, l.probabilities]),
    );
    const [c, ids] = rows[1].split(',');
    const scores = ids.split(' ').map((id) => percentG(byId.get(id)![Number(c)]));
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  }, 120_000);

  it('evaluate --segments prints the segment MAP (per class, classes counted) beside the video figures, as the submission would score', async () => {
    const res = await cli('evaluate.ts', ['--model', model(), '--segments', ...files()]);
    expect(res.code).toBe(0);
    const m = JSON.parse(res.stdout);
    expect(Object.keys(m)).toEqual(['videos', 'hit_at_1', 'perr', 'gap', 'map', 'segments']);
    expect(m.videos).toBe(25);
    const s = m.segments;
    expect(s.k).toBe(100000);
    expect(s.window).toEqual({ length: 5, hop: 5 });
    expect(s.classes_counted).toBe(s.per_class.length);
    expect(s.windows).toBe(videos.reduce((n, v) => n + Math.ceil(v.rgb.length / 5), 0));
    expect(s.rated_segments).toBe(videos.reduce((n, v) => n + v.segments!.labels.length, 0));
    for (const c of s.per_class) {
      expect(c.ap).toBeGreaterThanOrEqual(0);
      expect(c.ap).toBeLessThanOrEqual(1);
      expect(c.name).toBe(`class ${c.class}`);
    }
    // The same figure from the windows' probabilities and the files' ratings, ranked and scored here.
    const jsonl = await cli('predict.ts', ['--model', model(), '--segments', '--jsonl', ...files()]);
    const ranking = new SegmentRanking({ classes: SMALL_SIZES.classes });
    const byVideo = new Map(
      videos.map((v) => [
        v.id,
        {
          id: v.id,
          frames: v.rgb.length,
          segments: v.segments!.labels.map((c, i) => ({ class: c, start: v.segments!.startTimes[i], score: v.segments!.scores[i] })),
        },
      ]),
    );
    for (const v of byVideo.values()) ranking.addVideo(v);
    for (const l of jsonl.stdout
      .trim()
      .split('\n')
      .map((x) => JSON.parse(x) as WindowLine))
      ranking.addWindow(byVideo.get(l.video)!, l.start, l.probabilities);
    const want = segmentMap(ranking);
    expect(s.map).toBe(want.map);
    expect(s.per_class.map((c: { ap: number }) => c.ap)).toEqual(want.perClass.map((c) => c.ap));
  }, 120_000);

  it('evaluate --segments gives the video figures evaluate gives alone, and the same output in passes of 3 videos (--batch-size)', async () => {
    // The command line's engine predicts each video and its windows in one pass (SimdModel.predictWithWindows).
    const [plain, both, small] = await Promise.all([
      cli('evaluate.ts', ['--model', model(), ...files()]),
      cli('evaluate.ts', ['--model', model(), '--segments', ...files()]),
      cli('evaluate.ts', ['--model', model(), '--segments', '--batch-size', '3', ...files()]),
    ]);
    for (const r of [plain, both, small]) expect(r.code).toBe(0);
    const { segments, ...video } = JSON.parse(both.stdout);
    expect(video).toEqual(JSON.parse(plain.stdout));
    expect(segments.windows).toBe(videos.reduce((n, v) => n + Math.ceil(v.rgb.length / 5), 0));
    expect(JSON.parse(small.stdout)).toEqual(JSON.parse(both.stdout));
  }, 120_000);

  it('evaluate --segments at hop 1 and another K, and without video labels gives the segment figures alone', async () => {
    const res = await cli('evaluate.ts', ['--model', model(), '--segments', '--hop', '1', '--k', '50', files()[0]]);
    expect(res.code).toBe(0);
    const s = JSON.parse(res.stdout).segments;
    expect(s.window).toEqual({ length: 5, hop: 1 });
    expect(s.k).toBe(50);
    expect(s.windows).toBe(videos.slice(0, 10).reduce((n, v) => n + v.rgb.length, 0));
    expect(s.ratings_unused.no_window).toBe(0);
    const unlabeled = path.join(dir, 'unlabeled.tfrecord');
    await writeFile(unlabeled, writeTfRecordFeatures([ratedVideo(12, 90, false), ratedVideo(9, 91, false)]));
    const alone = await cli('evaluate.ts', ['--model', model(), '--segments', unlabeled]);
    expect(alone.code).toBe(0);
    expect(Object.keys(JSON.parse(alone.stdout))).toEqual(['segments']);
    expect(alone.stderr).toMatch(/no video carries video-level labels: the video figures are left out/);
    // --segments-only: the windows alone, the same segment figures.
    const only = await cli('evaluate.ts', ['--model', model(), '--segments', '--segments-only', '--hop', '1', '--k', '50', files()[0]]);
    expect(only.code).toBe(0);
    expect(JSON.parse(only.stdout)).toEqual({ segments: s });
  }, 120_000);

  it('says what is wrong in one line: no ratings, a bad flag, a segment flag without --segments, nothing to write', async () => {
    const plain = path.join(dir, 'plain.tfrecord');
    await writeFile(plain, writeTfRecordFeatures([{ ...ratedVideo(6, 70), segments: undefined }]));
    const cases: [string, string[], RegExp][] = [
      ['evaluate.ts', ['--segments', plain], /^error: none of the videos carry segment ratings/m],
      ['evaluate.ts', ['--segments', '--hop', '0', plain], /^error: --hop must be a positive whole number, not '0'/m],
      ['evaluate.ts', ['--k', '5', plain], /^error: --k is a setting of --segments: add --segments/m],
      [
        'predict.ts',
        ['--segments', plain],
        /^error: --segments writes windows as --jsonl lines \(one per window\) or as a --submission file/m,
      ],
      [
        'predict.ts',
        ['--submission', path.join(dir, 'x.csv'), plain],
        /^error: --submission writes the segment challenge's file: add --segments/m,
      ],
      [
        'predict.ts',
        ['--segments', '--submission', path.join(dir, 'no/such/dir/x.csv'), plain],
        /^error: \S+x\.csv: cannot write \(ENOENT\)/m,
      ],
      ['evaluate.ts', ['--segments', '--rated-classes', path.join(dir, 'missing.csv'), plain], /^error: \S+missing\.csv: cannot read/m],
    ];
    for (const [script, args, message] of cases) {
      const res = await cli(script, ['--model', model(), ...args]);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr, args.join(' ')).toMatch(message);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  }, 180_000);
});

describe('npm run finetune -- --segments', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-ft-seg-'));
    await writeFile(path.join(dir, 'rated.tfrecord'), writeTfRecordFeatures(ratedDemoVideos(40, 9300).map(ratedDemoRecord)));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("refines the demo's own classes on the rated windows, splits by video, reports the validation segment MAP before and after, and writes a model predict reads", async () => {
    const out = path.join(dir, 'tuned');
    const res = await cli('finetune.ts', [
      '--model',
      'public/models/demo',
      '--out',
      out,
      '--segments',
      '--epochs',
      '5',
      '--validation',
      '0.25',
      path.join(dir, 'rated.tfrecord'),
    ]);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report.mode).toBe('same-labels');
    expect(report.segments).toBe(true);
    expect(report.epochs).toHaveLength(5);
    expect(report.validation.videos).toBe(10);
    expect(report.train.videos).toBe(30);
    for (const when of ['before', 'after']) {
      expect(report[when].segments.map).toBeGreaterThan(0);
      expect(report[when].segments.videos).toBe(10);
      expect(report[when].loss).toBeGreaterThan(0);
    }
    expect(res.stderr).toMatch(/validation segment MAP before: 0\.\d{4}/);
    expect(res.stderr).toMatch(/validation segment MAP after: 0\.\d{4}/);
    const predicted = await cli('predict.ts', ['--model', out, '--segments', '--jsonl', path.join(dir, 'rated.tfrecord')]);
    expect(predicted.code).toBe(0);
    expect(JSON.parse(predicted.stdout.split('\n')[0]).probabilities).toHaveLength(10);
    const refused = await cli('finetune.ts', [
      '--model',
      'public/models/demo',
      '--out',
      path.join(dir, 'x'),
      '--segments',
      '--mode',
      'new-head',
      path.join(dir, 'rated.tfrecord'),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: --segments trains the model's own classes/m);
  }, 300_000);
});
