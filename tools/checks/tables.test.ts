/**
 * Each kind of thing is listed in its table alone: the feature formats in
 * src/core/features/featureFormats.ts, the backends in src/core/backends.ts,
 * the URL settings in src/ui/state/urlState.ts. Everything else reads the
 * table, so a new row reaches every list; a list written by hand elsewhere (a
 * page text, a CLI usage line, a query parameter read directly) would not, and
 * fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../src/core/backends';
import { FEATURE_FORMATS } from '../../src/core/features/featureFormats';
import { SETTINGS } from '../../src/ui/state/urlState';

const root = path.resolve(__dirname, '../..');

/** The product's source files (tests beside the code are not product). */
function sources(dir = 'src'): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.tsx?$/.test(e.name) && !/\.(test|fixtures)\.tsx?$/.test(e.name) ? [rel] : [];
  });
}

/** `file:line: text` for each line where `isList` holds, outside `owner`. */
function listsOutside(owner: string, isList: (line: string) => boolean, files = sources()): string[] {
  return files
    .filter((f) => f !== owner)
    .flatMap((f) =>
      readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (isList(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A line naming at least `least` of `names` (whole words, any case). */
function naming(names: readonly string[], least: number): (line: string) => boolean {
  const patterns = [...new Set(names.map((n) => n.toLowerCase()))].map((n) => new RegExp(`(^|[^\\w.])${escape(n)}(?![\\w])`, 'i'));
  return (line) => patterns.filter((p) => p.test(line)).length >= least;
}

const BACKEND_NAME = BACKENDS.map((b) => escape(b.name)).join('|');
/** Two backends quoted on one line (an array, a record), or joined by '|' (a usage line). */
function backendList(line: string): boolean {
  const quoted = BACKENDS.filter((b) => new RegExp(`['"\`]${escape(b.name)}['"\`]`).test(line));
  return quoted.length >= 2 || new RegExp(`\\b(${BACKEND_NAME})\\|(${BACKEND_NAME})\\b`).test(line);
}

const PARAMETER = Object.values(SETTINGS)
  .map((s) => escape(s.url))
  .join('|');
/** A query parameter of a setting read or written directly, or written into a link. */
function urlParameter(line: string): boolean {
  return new RegExp(`\\.(get|set|has|delete|append)\\(\\s*['"\`](${PARAMETER})['"\`]|[?&](${PARAMETER})=`).test(line);
}

describe('one table per kind of thing', () => {
  it('lists the feature formats only in featureFormats.ts', () => {
    const names = FEATURE_FORMATS.flatMap((f) => [f.label, ...f.extensions]);
    // Three formats on one line is a list (two can be a sentence: "a .npy or a .json").
    const byLabel = naming(
      FEATURE_FORMATS.map((f) => f.label),
      3,
    );
    const byExtension = naming(
      FEATURE_FORMATS.flatMap((f) => f.extensions),
      3,
    );
    expect(names.length).toBeGreaterThan(0);
    expect(listsOutside('src/core/features/featureFormats.ts', (l) => byLabel(l) || byExtension(l))).toEqual([]);
  });

  it('lists the backends only in backends.ts', () => {
    expect(listsOutside('src/core/backends.ts', backendList)).toEqual([]);
  });

  it('reads and writes URL parameters only in urlState.ts', () => {
    expect(listsOutside('src/ui/state/urlState.ts', urlParameter, sources('src/ui'))).toEqual([]);
  });

  it('would catch a list written by hand', () => {
    const byLabel = naming(
      FEATURE_FORMATS.map((f) => f.label),
      3,
    );
    expect(byLabel('Drop feature files: TFRecord, pkl, npy or JSON')).toBe(true);
    expect(byLabel('a .npy or a .json')).toBe(false);
    expect(
      naming(
        FEATURE_FORMATS.flatMap((f) => f.extensions),
        3,
      )('accept=".tfrecord,.pkl,.npy"'),
    ).toBe(true);
    expect(backendList("choice(values.backend, ['wasm', 'cpu'] as const, '--backend', 'wasm')")).toBe(true);
    expect(backendList('[--backend wasm|cpu]')).toBe(true);
    expect(backendList("if (name === 'wasm') releaseThreads();")).toBe(false);
    expect(urlParameter("const k = p.get('topk');")).toBe(true);
    expect(urlParameter('<a href="?view=dataset">')).toBe(true);
    expect(urlParameter('useApp((s) => s.settings.view)')).toBe(false);
  });
});
