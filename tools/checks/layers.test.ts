/**
 * The layer check (`npm run check:layers`, part of npm test) on a small tree
 * of its own: each import against the direction ui -> worker -> kernels ->
 * core is reported, and the imports the rules allow are not.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const depcruise = path.join(root, 'node_modules/.bin/depcruise');

/** The fixture tree: one file per layer, and one file per forbidden import. */
const FILES: Record<string, string> = {
  'src/core/model.ts': 'export const model = 1;\n',
  'src/kernels/kernel.ts': "import { model } from '../core/model';\nexport const kernel = model;\n",
  'src/protocol/protocol.ts': "import type { Sizes } from '../core/sizes';\nexport type P = Sizes;\n",
  'src/protocol/client.ts': 'export const client = 1;\n',
  'src/worker/handlers.ts': "import type { P } from '../protocol/protocol';\nexport const handlers: P[] = [];\n",
  'src/worker/engine.ts': "import { kernel } from '../kernels/kernel';\nexport const engine = kernel;\n",
  'src/core/sizes.ts': 'export interface Sizes { n: number }\n',
  'src/ui/view.ts':
    "import { client } from '../protocol/client';\nimport type { P } from '../protocol/protocol';\nimport { model } from '../core/model';\nexport const v: P | number = client + model;\n",
  // Against the direction:
  'src/core/bad-up.ts': "import { engine } from '../worker/engine';\nexport const x = engine;\n",
  'src/core/bad-node.ts': "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
  'src/kernels/bad-up.ts': "import { client } from '../protocol/client';\nexport const x = client;\n",
  'src/protocol/bad-worker.ts': "import { engine } from '../worker/engine';\nexport const x = engine;\n",
  'src/worker/bad-up.ts': "import { v } from '../ui/view';\nexport const x = v;\n",
  'src/ui/bad-engine.ts': "import { engine } from '../worker/engine';\nexport const x = engine;\n",
  'src/ui/bad-kernel.ts': "import type { } from '../kernels/kernel';\nexport const x = 1;\n",
  'src/node/adapter.ts': "import { kernel } from '../kernels/kernel';\nexport const adapter = kernel;\n",
  'src/node/bad-up.ts': "import { engine } from '../worker/engine';\nexport const x = engine;\n",
  'src/cli/command.ts': "import { adapter } from '../node/adapter';\nexport const command = adapter;\n",
  'src/cli/bad-page.ts': "import { v } from '../ui/view';\nexport const x = v;\n",
  // A cycle of value imports (a cycle through type-only imports is allowed).
  'src/core/cycle-a.ts': "import { b } from './cycle-b';\nexport const a = () => b;\n",
  'src/core/cycle-b.ts': "import { a } from './cycle-a';\nexport const b = () => a;\n",
  'src/core/types-a.ts': "import type { B } from './types-b';\nexport interface A { b?: B }\n",
  'src/core/types-b.ts': "import type { A } from './types-a';\nexport interface B { a?: A }\n",
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', strict: true } }),
};

describe('the layer check', () => {
  let dir: string;
  let report = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-layers-'));
    for (const [file, text] of Object.entries(FILES)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    // The project's own rules, run on the fixture tree: the command fails, and says why.
    const r = await run(depcruise, ['src', '--config', path.join(root, '.dependency-cruiser.cjs'), '--output-type', 'err'], {
      cwd: dir,
    }).then(
      () => null,
      (e) => e,
    );
    expect(r, 'depcruise should fail on the fixture tree').not.toBeNull();
    report = `${r.stdout}${r.stderr}`;
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['core-is-pure', 'src/core/bad-up.ts', 'src/worker/engine.ts'],
    ['core-has-no-node', 'src/core/bad-node.ts', 'fs'],
    ['kernels-use-core-only', 'src/kernels/bad-up.ts', 'src/protocol/client.ts'],
    ['protocol-is-shared', 'src/protocol/bad-worker.ts', 'src/worker/engine.ts'],
    ['worker-never-reaches-up', 'src/worker/bad-up.ts', 'src/ui/view.ts'],
    ['ui-talks-to-the-worker-through-its-protocol', 'src/ui/bad-engine.ts', 'src/worker/engine.ts'],
    ['ui-talks-to-the-worker-through-its-protocol', 'src/ui/bad-kernel.ts', 'src/kernels/kernel.ts'],
    ['node-adapters-serve-the-cli', 'src/node/bad-up.ts', 'src/worker/engine.ts'],
    ['cli-has-no-page', 'src/cli/bad-page.ts', 'src/ui/view.ts'],
    ['no-circular', 'src/core/cycle-a.ts', 'src/core/cycle-b.ts'],
  ])('reports %s: %s -> %s', (rule, from, to) => {
    expect(report).toMatch(new RegExp(`error ${rule}: ${from.replace(/\./g, '\\.')} →\\s+${to.replace(/\./g, '\\.')}`));
  });

  it('allows the imports along the direction', () => {
    for (const good of [
      'src/kernels/kernel.ts →',
      'src/worker/engine.ts →',
      'src/ui/view.ts →',
      'src/node/adapter.ts →',
      'src/cli/command.ts →',
      'src/core/types-a.ts →',
      'src/worker/handlers.ts →',
    ]) {
      expect(report).not.toContain(`: ${good}`);
    }
    // Nine files against the direction, and one cycle (reported once).
    expect(report).toMatch(/x 10 dependency violations/);
  });
});

/** The run-time rule (.dependency-cruiser.runtime.cjs): the page's bundle never loads tfjs, though its types may. */
describe('the page bundle check', () => {
  let dir: string;
  let report = '';
  const tfjs = {
    'node_modules/@tensorflow/tfjs-core/package.json': JSON.stringify({
      name: '@tensorflow/tfjs-core',
      main: 'index.js',
      types: 'index.d.ts',
    }),
    'node_modules/@tensorflow/tfjs-core/index.js': 'export const tensor = 1;\n',
    'node_modules/@tensorflow/tfjs-core/index.d.ts': 'export declare const tensor: number;\nexport type Tensor = number;\n',
  };
  const files: Record<string, string> = {
    ...tfjs,
    'src/core/uses-tfjs.ts': "import { tensor } from '@tensorflow/tfjs-core';\nexport const t = tensor;\n",
    'src/core/types-only.ts': "import type { Tensor } from '@tensorflow/tfjs-core';\nexport type T = Tensor;\n",
    'src/ui/fine.ts': "import type { T } from '../core/types-only';\nexport const x: T = 1;\n",
    'src/ui/bad-loads-tfjs.ts': "import { t } from '../core/uses-tfjs';\nexport const x = t;\n",
    'tsconfig.json': FILES['tsconfig.json'],
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-runtime-'));
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    const r = await run(depcruise, ['src/ui', '--config', path.join(root, '.dependency-cruiser.runtime.cjs'), '--output-type', 'err'], {
      cwd: dir,
    }).then(
      () => null,
      (e) => e,
    );
    expect(r, 'depcruise should fail on the fixture tree').not.toBeNull();
    report = `${r.stdout}${r.stderr}`;
  }, 60_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reports page-never-loads-tfjs for a value import that reaches tfjs, not for a type-only one', () => {
    expect(report).toMatch(/error page-never-loads-tfjs: src\/ui\/bad-loads-tfjs\.ts/);
    expect(report).not.toMatch(/src\/ui\/fine\.ts/);
    expect(report).toMatch(/x 1 dependency violations/);
  });
});
