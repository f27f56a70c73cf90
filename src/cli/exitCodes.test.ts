/**
 * The command line as users start it (scripts/cli.mjs: the bundle): --help,
 * usage, the exit statuses (docs/cli.md) and the one-sentence messages.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTfRecordFeatures } from '../core/features/tfrecordFeatures';
import { writeNpy } from '../core/containers/npy';
import { rng } from '../../tools/testing/random';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const DEMO = 'public/models/demo';

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, 'scripts/cli.mjs'), ...args], {
      cwd: root,
      maxBuffer: 64 << 20,
      timeout: 120_000,
    });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

/** No stack trace: every line of stderr is a message, a progress line or a note. */
function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/internal error|TypeError|RangeError|ReferenceError/);
}

function video(id: string, frames: number, seed: number) {
  const r = rng(seed);
  const frame = (dim: number) => Uint8Array.from({ length: dim }, () => Math.floor(r() * 256));
  return {
    id,
    labels: [seed % 10],
    rgb: Array.from({ length: frames }, () => frame(1024)),
    audio: Array.from({ length: frames }, () => frame(128)),
  };
}

describe('the command line: help, usage and exit statuses', () => {
  let dir: string;
  const at = (name: string) => path.join(dir, name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-exit-'));
    await writeFile(at('good.tfrecord'), writeTfRecordFeatures([video('a', 4, 1), video('b', 3, 2)]));
    const r = rng(9);
    await writeFile(
      at('x.tfrecord'),
      Uint8Array.from({ length: 4000 }, () => Math.floor(r() * 256)),
    );
    await writeFile(at('wrong.json'), JSON.stringify({ id: 'wrong-widths', rgb: [[0.1, 0.2]], audio: [[0.3]] }));
    await writeFile(at('wrong-labeled.json'), JSON.stringify({ id: 'wrong-widths', rgb: [[0.1, 0.2]], audio: [[0.3]], labels: [1] }));
    await writeFile(at('deep.json'), '['.repeat(300_000) + ']'.repeat(300_000));
    await writeFile(at('v.npy'), writeNpy({ dtype: 'uint8', shape: [3, 1152], data: new Uint8Array(3 * 1152).fill(7) }));
    await writeFile(at('a-file'), 'not a folder');
    await mkdir(at('a-folder.tfrecord'));
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['predict', 'evaluate', 'merge', 'convert', 'finetune', 'export', 'extract'])(
    '%s --help prints its usage and exits 0',
    async (command) => {
      const res = await cli([command, '--help']);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`^usage: npm run ${command} -- `));
      expect(res.stdout).toMatch(/Exit status: 0 done; 2 a usage error or nothing usable; 3 done in part/);
      expect(res.stderr).toBe('');
    },
    120_000,
  );

  it('scripts/cli.mjs --help lists the commands (exit 0); no command is a usage error (exit 2)', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: node scripts\/cli\.mjs <predict\|evaluate\|merge\|convert\|finetune\|export\|extract>/);
    expect((await cli([])).code).toBe(2);
  }, 120_000);

  it('predict with no arguments shows its usage and the bundled demo model (exit 2)', async () => {
    const res = await cli(['predict']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^usage: npm run predict -- --model <dir>/);
    expect(res.stderr).toContain(`A model to try: ${DEMO}`);
  }, 120_000);

  it('a missing --model, or one that is not there, says where the demo model is', async () => {
    const none = await cli(['predict', at('good.tfrecord')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `error: --model <dir> is required: a folder made by npm run convert; the bundled demo model is ${DEMO} (try --model ${DEMO})\n`,
    );
    const gone = await cli(['evaluate', '--model', at('no-such-model'), at('good.tfrecord')]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(new RegExp(`^error: --model .*no-such-model: no such folder; the bundled demo model is ${DEMO}`));
  }, 120_000);

  it('a JSON whose widths the model cannot take exits 2 with the reason, in predict and evaluate, not 0 with no videos', async () => {
    const p = await cli(['predict', '--model', DEMO, at('wrong.json')]);
    expect(p.code).toBe(2);
    expect(p.stdout).toBe('');
    expect(p.stderr).toMatch(
      /warning: .*wrong\.json: video 0 \('wrong-widths'\) has rgb features of width 2, the model expects 1024 \(video skipped\)/,
    );
    expect(p.stderr).toMatch(/^error: none of the 1 video could be used/m);
    const e = await cli(['evaluate', '--model', DEMO, at('wrong-labeled.json')]);
    expect(e.code).toBe(2);
    expect(e.stdout).toBe('');
    const jsonl = await cli(['predict', '--jsonl', '--model', DEMO, at('wrong.json')]);
    expect(jsonl.code).toBe(2);
  }, 120_000);

  it('a run that skipped an input writes its results and exits 3, saying so', async () => {
    const res = await cli(['predict', '--model', DEMO, at('good.tfrecord'), at('x.tfrecord')]);
    expect(res.code).toBe(3);
    expect(JSON.parse(res.stdout).videos).toHaveLength(2);
    expect(res.stderr).toMatch(/x\.tfrecord: this is not a TFRecord file.*\(file skipped\)/);
    expect(res.stderr).toMatch(/warning: done in part: 1 input was skipped \(named above\); exit status 3/);
    const all = await cli(['evaluate', '--model', DEMO, at('good.tfrecord')]);
    expect(all.code).toBe(0);
  }, 120_000);

  it('random bytes named x.tfrecord give one error, naming the file once, "not a TFRecord" first', async () => {
    const res = await cli(['predict', '--model', DEMO, at('x.tfrecord')]);
    expect(res.code).toBe(2);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^error: .*x\.tfrecord: this is not a TFRecord file, or it is damaged: no record header in it has a sound length CRC \(the first one's is 0x/,
    );
    expect(lines[0].split('x.tfrecord')).toHaveLength(2);
  }, 120_000);

  it.each([
    [
      'predict a folder',
      () => ['predict', '--model', DEMO, at('a-folder.tfrecord')],
      /^error: .*a-folder\.tfrecord: is a folder, expected a file$/,
    ],
    [
      'evaluate a folder',
      () => ['evaluate', '--model', DEMO, at('a-folder.tfrecord')],
      /^error: .*a-folder\.tfrecord: is a folder, expected a file$/,
    ],
    [
      'finetune a folder',
      () => ['finetune', '--model', DEMO, '--out', at('tuned'), at('a-folder.tfrecord')],
      /^error: .*a-folder\.tfrecord: cannot read \(it is a folder, expected a file\)$/,
    ],
    [
      '300,000 nested JSON arrays',
      () => ['predict', '--model', DEMO, at('deep.json')],
      /^error: .*deep\.json: no video could be read: video 0 skipped: expected an object with "rgb" and "audio", got an array nested too deep to show$/,
    ],
    [
      'convert --out naming a file',
      () => ['convert', path.join(root, 'models/demo/AttentionLSTM_demo.pdparams'), '--out', at('a-file')],
      /^error: --out .*a-file: is a file; give a folder/,
    ],
    [
      'convert --out under a file',
      () => ['convert', path.join(root, 'models/demo/AttentionLSTM_demo.pdparams'), '--out', at('a-file/model')],
      /^error: --out .*a-file\/model: .*a-file on its path is a file, not a folder$/,
    ],
    [
      'export --out naming a folder',
      () => ['export', '--model', DEMO, '--format', 'tfjs-zip', '--out', at('a-folder.tfrecord')],
      /^error: --out .*: cannot write \(it is a folder, expected a file name\)$/,
    ],
    [
      'finetune on a .npy without labels',
      () => ['finetune', '--model', DEMO, '--out', at('tuned'), at('v.npy')],
      /^error: the labels are missing: none of the 1 videos read carries labels.*a \.npy file holds features only/,
    ],
  ])(
    '%s: one sentence, exit 2, no stack trace',
    async (_what, args, pattern) => {
      const res = await cli(args());
      noStack(res.stderr);
      expect(res.code).toBe(2);
      expect(res.stderr.trim().split('\n').at(-1)).toMatch(pattern);
    },
    120_000,
  );
});
