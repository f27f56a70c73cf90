/**
 * Writes public/vocabulary/yt8m_vocabulary.csv, the class names the app loads,
 * from the full YouTube-8M 2018 vocabulary in ../shared/data. Only
 * Index, KnowledgeGraphId, Name and Vertical1 are kept: the Wikipedia
 * descriptions make the full file 3.6 MB and the app shows names only.
 *
 *   npx tsx scripts/copy-vocabulary.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import { parseVocabularyCsv } from '../src/core/vocabulary/vocabulary';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, '..', 'shared', 'data', 'yt8m_vocabulary.csv');
const target = join(root, 'public', 'vocabulary', 'yt8m_vocabulary.csv');
const columns = ['Index', 'KnowledgeGraphId', 'Name', 'Vertical1'];

const text = readFileSync(source, 'utf8');
// Validates the indices and names the same way the app will read them back.
const names = parseVocabularyCsv(text, source);

const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
  header: true,
  delimiter: ',',
  skipEmptyLines: 'greedy',
});
for (const column of columns) {
  if (!parsed.meta.fields?.includes(column)) throw new Error(`${source}: no "${column}" column`);
}
const rows = parsed.data.map((row) => columns.map((c) => row[c] ?? '')).sort((a, b) => Number(a[0]) - Number(b[0]));
const out = Papa.unparse({ fields: columns, data: rows }, { newline: '\n' }) + '\n';

// The trimmed file must give back exactly the same names.
const again = parseVocabularyCsv(out, target);
if (again.length !== names.length || again.some((n, i) => n !== names[i])) {
  throw new Error('the trimmed vocabulary does not read back to the same names');
}

mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, out);
console.log(`${relative(root, target)}: ${names.length} classes, ${Buffer.byteLength(out)} bytes`);
