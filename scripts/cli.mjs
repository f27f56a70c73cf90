#!/usr/bin/env node
/**
 * The command line as users start it (`npm run predict -- ...`): the
 * command's prebuilt bundle (esbuild: the sources as one file per command,
 * tfjs left in node_modules), so that a start costs Node
 * loading plain JavaScript, not tsx transpiling the TypeScript sources at
 * every start (about a second of CPU before anything is read). The bundle is
 * built at the first start and again whenever a source, package.json or the
 * lock file changed (about half a second), into dist-cli/<hash of the sources'
 * names, sizes and times>/: an immutable folder, so that processes started at
 * once (a job array on one machine) and a process still running an older
 * build never see a half-written one.
 *
 *   node scripts/cli.mjs <command> [args...]      commands: predict evaluate merge convert finetune export extract
 *   node scripts/cli.mjs --build                  builds (if needed) and prints the folder
 *
 * In a container, build at image time (`npm run build:cli`); nothing is
 * written at run time while the sources are unchanged.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const COMMANDS = ['predict', 'evaluate', 'merge', 'convert', 'finetune', 'export', 'extract'];
const OUT = path.join(root, 'dist-cli');

/** The sources the bundle is made of, by name, size and time: any change makes another folder. */
function sourcesHash() {
  const h = createHash('sha256');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ts|json|wasm)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) {
        const s = statSync(full);
        h.update(`${path.relative(root, full)}\0${s.size}\0${s.mtimeMs}\n`);
      }
    }
  };
  for (const dir of ['src/cli', 'src/node', 'src/kernels', 'src/core']) walk(path.join(root, dir));
  for (const file of ['package.json', 'package-lock.json', 'scripts/cli.mjs']) {
    const s = statSync(path.join(root, file));
    h.update(`${file}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * The folder of the current bundle, built if missing. Two levels below the
 * root, as src/cli/ is: the sources' paths relative to their own file
 * (public/vocabulary from src/cli/vocabulary.ts) hold in the bundle too.
 */
export async function bundleDir() {
  const dir = path.join(OUT, sourcesHash());
  if (existsSync(path.join(dir, 'built'))) return dir;
  const tmp = `${dir}.${process.pid}.tmp`;
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: root,
    entryPoints: [
      ...COMMANDS.map((c) => ({ in: `src/cli/${c}.ts`, out: c })),
      { in: 'src/node/lstmHelper.worker.ts', out: 'lstmHelper.worker' },
    ],
    outdir: tmp,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    // tfjs stays in node_modules (tfjs-backend-wasm finds its .wasm files and thread glue beside its own code,
    // and only --backend cpu, finetune and export load it), as does onnxruntime-node (a native library, loaded
    // only by the engine that runs on it, when it is installed); the other packages are bundled.
    external: ['@tensorflow/*', 'onnxruntime-node'],
    define: { __ALSTM_BUNDLE__: 'true' },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(tmp, 'built'), new Date().toISOString() + '\n');
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process built the same sources first: its folder is as good.
    rmSync(tmp, { recursive: true, force: true });
  }
  // Older builds go once nothing can still be starting from them (an hour after they were made).
  for (const e of readdirSync(OUT)) {
    const old = path.join(OUT, e);
    if (old !== dir && Date.now() - statSync(old).mtimeMs > 3600_000) rmSync(old, { recursive: true, force: true });
  }
  return dir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, ...rest] = process.argv.slice(2);
  if (command === '--build') {
    process.stdout.write(path.relative(root, await bundleDir()) + '\n');
  } else if (!COMMANDS.includes(command)) {
    // --help asked for it (exit 0); anything else is a usage error (exit 2), as in every command.
    const help = command === '--help' || command === '-h';
    (help ? process.stdout : process.stderr).write(
      `usage: node scripts/cli.mjs <${COMMANDS.join('|')}> [args...]   (each command's --help says more)\n`,
    );
    process.exit(help ? 0 : 2);
  } else {
    const dir = await bundleDir();
    // The command sees its arguments as if it had been started itself.
    process.argv = [process.argv[0], path.join(dir, `${command}.mjs`), ...rest];
    await import(pathToFileURL(path.join(dir, `${command}.mjs`)).href);
  }
}
