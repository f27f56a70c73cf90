import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZES, randomPaddleParams, rng } from '../../tools/testing/random';
import { writeCombined } from '../core/paddle/combined';
import { fluid1CombinedOrder } from '../core/model/paddleLayout';
import { writeTfRecordFeatures, type Yt8mVideo } from '../core/features/tfrecordFeatures';

const root = path.resolve(__dirname, '../..');

interface Result {
  stdout: string;
  stderr: string;
  code: number;
}

/** The command line as users start it (node scripts/cli.mjs, the bundled CLI), with extra environment. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts/cli.mjs'), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ stdout, stderr, code: code ?? 1 }));
  });
}

/** A video with labels (most of them) and segment ratings on its 5-frame segments. */
function ratedVideo(frames: number, seed: number): Yt8mVideo {
  const r = rng(seed);
  const frame = (dim: number) => Uint8Array.from({ length: dim }, () => Math.floor(r() * 256));
  const starts = Array.from({ length: Math.ceil(frames / 5) }, (_, i) => i * 5);
  const rated = starts.flatMap((s) => [0, 1, 2, 3, 4, 5, 6].filter(() => r() < 0.3).map((c) => ({ c, s, score: r() < 0.5 ? 1 : 0 })));
  return {
    id: `vid-${seed}`,
    ...(seed % 7 === 3 ? {} : { labels: [seed % SMALL_SIZES.classes, (seed * 3) % SMALL_SIZES.classes] }),
    rgb: Array.from({ length: frames }, () => frame(SMALL_SIZES.rgbDim)),
    audio: Array.from({ length: frames }, () => frame(SMALL_SIZES.audioDim)),
    segments: { labels: rated.map((x) => x.c), startTimes: rated.map((x) => x.s), scores: rated.map((x) => x.score) },
  };
}

describe('a sharded evaluation: three worker processes, their parts merged', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const model = () => path.join(dir, 'model');
  const names = ['shard-b.tfrecord', 'shard-c.tfrecord', 'shard-a.tfrecord'];
  const files = () => names.map((n) => path.join(dir, n));
  const served = new Map<string, Uint8Array>();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-shards-'));
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 77);
    await writeFile(path.join(dir, 'w.pdparams'), writeCombined(fluid1CombinedOrder().map((n) => params.get(n)!)));
    const conv = await cli(['convert', path.join(dir, 'w.pdparams'), '--out', model()]);
    expect(conv.code, conv.stderr).toBe(0);
    for (const [i, n] of names.entries()) {
      const bytes = writeTfRecordFeatures(Array.from({ length: 6 + i * 3 }, (_, v) => ratedVideo(3 + ((v * 7 + i) % 19), 100 * i + v)));
      await writeFile(path.join(dir, n), bytes);
      served.set(`/${n}`, bytes);
    }
    await writeFile(path.join(dir, 'list.txt'), `# the split\n${files().join('\n')}\n`);
    // Serves the files, each connection dropped after 700 bytes the first three times it is asked.
    const asked = new Map<string, number>();
    server = createServer((req, res) => {
      const body = served.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      const n = (asked.get(req.url!) ?? 0) + 1;
      asked.set(req.url!, n);
      const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')!;
      const start = Number(m[1]);
      const end = Math.min(body.length - 1, Number(m[2]));
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${body.length}`, 'Content-Length': end - start + 1 });
      const drop = n > 1 && n <= 4;
      res.write(body.subarray(start, drop ? Math.min(end + 1, start + 700) : end + 1), () => (drop ? res.destroy() : res.end()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 300_000);
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  it('three workers (--shard auto from JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID), merged: the same figures, bit for bit, as one run', async () => {
    const one = await cli(['evaluate', '--model', model(), '--segments', ...files()]);
    expect(one.code, one.stderr).toBe(0);
    const figures = JSON.parse(one.stdout);
    expect(figures.segments.videos).toBe(6 + 9 + 12);
    const parts = path.join(dir, 'parts');
    await mkdir(parts);
    const part = (i: number) => path.join(parts, `part-${i}.json`);
    const common = ['evaluate', '--model', model(), '--segments', '--files-from', path.join(dir, 'list.txt'), '--shard', 'auto'];
    // Started together, as a scheduler starts them: two as a Kubernetes Indexed Job's pods, one as a Slurm array task numbered from 1.
    const workers = await Promise.all([
      cli([...common, '--shard-count', '3', '--partial', part(0)], { JOB_COMPLETION_INDEX: '0' }),
      cli([...common, '--shard-count', '3', '--partial', part(1)], { JOB_COMPLETION_INDEX: '1' }),
      cli([...common, '--partial', part(2)], { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '3' }),
    ]);
    for (const w of workers) {
      expect(w.code, w.stderr).toBe(0);
      expect(w.stdout).toBe('');
    }
    // Worker i took the i-th file by name.
    expect(workers.map((w) => /^part (\d)\/3: (\d+) inputs/m.exec(w.stderr)!.slice(1))).toEqual([
      ['0', '1'],
      ['1', '1'],
      ['2', '1'],
    ]);
    expect(JSON.parse(await readFile(part(2), 'utf8')).inputs.covered).toEqual([path.join(dir, 'shard-c.tfrecord')]);
    // Written atomically: no temporary file is left beside the parts.
    expect((await readdir(parts)).sort()).toEqual(['part-0.json', 'part-1.json', 'part-2.json']);
    const merged = await cli(['merge', part(2), part(0), part(1)]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(one.stdout);
    expect(merged.stderr).toMatch(/^merge: 3 parts, 3 inputs$/m);

    // A worker run again replaces its part; a part missing is named.
    const again = await cli([...common, '--shard-count', '3', '--partial', part(1)], { JOB_COMPLETION_INDEX: '1' });
    expect(again.code, again.stderr).toBe(0);
    expect((await cli(['merge', part(0), part(1), part(2)])).stdout).toBe(one.stdout);
    const missing = await cli(['merge', part(0), part(2)]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: missing the part of shard 1 of 3: run that worker (--shard i/3) and merge again\n');
    // Parts of other settings are refused.
    const other = path.join(parts, 'other.json');
    expect(
      (
        await cli([
          'evaluate',
          '--model',
          model(),
          '--segments',
          '--hop',
          '1',
          '--files-from',
          path.join(dir, 'list.txt'),
          '--shard',
          '1/3',
          '--partial',
          other,
        ])
      ).code,
    ).toBe(0);
    const mixed = await cli(['merge', part(0), other, part(2)]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(
      /^error: .*other\.json and .*part-0\.json were made with different settings \(--hop: 5 and 1\): merge parts made with the same flags$/m,
    );
    const dup = await cli(['merge', part(0), part(0)]);
    expect(dup.stderr).toMatch(/both shard 0\/3, written at the same time: keep one/);
  }, 600_000);

  it('reads inputs over http, through dropped connections: the same figures as the local files', async () => {
    const local = await cli(['evaluate', '--model', model(), ...files()]);
    expect(local.code, local.stderr).toBe(0);
    const remote = await cli(['evaluate', '--model', model(), ...names.map((n) => `${base}/${n}`)], { ALSTM_HTTP_BACKOFF_MS: '1' });
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stdout).toBe(local.stdout);
    const gone = await cli(['evaluate', '--model', model(), `${base}/none.tfrecord`, files()[0]]);
    // Done in part: one input skipped.
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(
      new RegExp(`^warning: ${base}/none\\.tfrecord: the server answered HTTP 404 Not Found \\(no such file\\) \\(file skipped\\)$`, 'm'),
    );
  }, 300_000);

  it("predict --jsonl --shard: the workers' lines together are one run's; without --jsonl a shard is refused", async () => {
    const one = await cli(['predict', '--model', model(), '--jsonl', ...files()]);
    expect(one.code, one.stderr).toBe(0);
    const shares = await Promise.all([0, 1].map((i) => cli(['predict', '--model', model(), '--jsonl', '--shard', `${i}/2`, ...files()])));
    const lines = (t: string) => t.trim().split('\n').filter(Boolean).sort();
    expect(lines(shares.map((s) => s.stdout).join(''))).toEqual(lines(one.stdout));
    const doc = await cli(['predict', '--model', model(), '--shard', '0/2', ...files()]);
    expect(doc.code).toBe(2);
    expect(doc.stderr).toMatch(/^error: --shard writes each worker's predictions as --jsonl lines/);
    const sub = await cli([
      'predict',
      '--model',
      model(),
      '--segments',
      '--submission',
      path.join(dir, 'sub.csv'),
      '--shard',
      '0/2',
      ...files(),
    ]);
    expect(sub.stderr).toMatch(
      /^error: --submission ranks the windows of every video at once, which a shard cannot: give each worker --partial part\.json, then npm run merge -- --submission out\.csv parts\/\*$/m,
    );
    const empty = await cli(['predict', '--model', model(), '--jsonl', '--shard', '5/6', ...files()]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe('');
  }, 300_000);

  it('predict --segments --partial on two workers, merge --submission: the submission of one run, byte for byte', async () => {
    const one = path.join(dir, 'one.csv');
    const single = await cli(['predict', '--model', model(), '--segments', '--k', '8', '--submission', one, ...files()]);
    expect(single.code, single.stderr).toBe(0);
    const parts = await Promise.all(
      [0, 1].map(async (i) => {
        const p = path.join(dir, `sub-part-${i}.json`);
        const w = await cli(['predict', '--model', model(), '--segments', '--k', '8', '--shard', `${i}/2`, '--partial', p, ...files()]);
        expect(w.code, w.stderr).toBe(0);
        expect(w.stdout).toBe('');
        return p;
      }),
    );
    const merged = path.join(dir, 'merged.csv');
    const m = await cli(['merge', '--submission', merged, ...parts]);
    expect(m.code, m.stderr).toBe(0);
    expect(m.stdout).toBe('');
    expect(await readFile(merged, 'utf8')).toBe(await readFile(one, 'utf8'));
    const bare = await cli(['merge', ...parts]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/give --submission out\.csv to write the merged submission/);
    // Parts of predict and of evaluate do not mix.
    const ev = path.join(dir, 'ev-part-1.json');
    expect(
      (
        await cli([
          'evaluate',
          '--model',
          model(),
          '--segments',
          '--segments-only',
          '--k',
          '8',
          '--shard',
          '1/2',
          '--partial',
          ev,
          ...files(),
        ])
      ).code,
    ).toBe(0);
    expect((await cli(['merge', '--submission', merged, parts[0], ev])).stderr).toMatch(
      /different settings \(command: predict and evaluate\)/,
    );
  }, 300_000);
});
