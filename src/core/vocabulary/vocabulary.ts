import Papa from 'papaparse';
import { fail } from '../errors';

/**
 * Class names from a YouTube-8M vocabulary CSV: the full 2018 file
 * (`Index,TrainVideoCount,KnowledgeGraphId,Name,WikiUrl,Vertical1..3,WikiDescription`)
 * or any trimmed copy that keeps `Index` and `Name`. Parsed as real CSV because
 * the descriptions hold quoted commas and line breaks. Rows may come in any
 * order; names[i] is the row whose Index is i, and the indices must be exactly
 * 0..N-1. An empty Name becomes `class <Index>`, as classNamesFor names
 * classes without a vocabulary. Rows are counted from 1 after the header in messages.
 */
export function parseVocabularyCsv(text: string, fileName = 'vocabulary CSV'): string[] {
  const result = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    delimiter: ',',
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
  });
  const err = result.errors[0];
  if (err) {
    // papaparse counts MissingQuotes rows with the header as row 0, field-count errors without it.
    if (err.code === 'MissingQuotes') {
      const where = err.row === undefined ? 'a row' : err.row === 0 ? 'the header' : `row ${err.row}`;
      fail(fileName, `${where} opens a quoted field that is never closed (a " is missing).`);
    }
    if (err.type === 'FieldMismatch' && err.row !== undefined) {
      const index = result.data[err.row]?.Index;
      const which = index !== undefined ? ` (Index ${index})` : '';
      fail(fileName, `row ${err.row + 1}${which} does not match the header: ${err.message}.`);
    }
    fail(fileName, `the file is not valid CSV: ${err.message}.`);
  }
  const fields = result.meta.fields ?? [];
  for (const column of ['Index', 'Name']) {
    if (!fields.includes(column)) {
      fail(fileName, `the header has no "${column}" column (it has ${fields.map((f) => `"${f}"`).join(', ') || 'none'}).`);
    }
  }
  const rows = result.data;
  if (rows.length === 0) fail(fileName, 'there are no rows after the header.');
  const byIndex = new Map<number, { name: string; row: number }>();
  rows.forEach((row, r) => {
    const rawIndex = (row.Index ?? '').trim();
    if (!/^\d+$/.test(rawIndex)) fail(fileName, `row ${r + 1}: Index "${rawIndex}" is not a whole number.`);
    const index = Number(rawIndex);
    const earlier = byIndex.get(index);
    if (earlier) fail(fileName, `row ${r + 1}: Index ${index} was already given by row ${earlier.row + 1}.`);
    // The 2018 vocabulary leaves 56 names empty (e.g. Index 120, /m/0dxrf): show those as unnamed classes.
    const name = (row.Name ?? '').trim() || unnamed(index);
    byIndex.set(index, { name, row: r });
  });
  const names: string[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const entry = byIndex.get(i);
    if (!entry) {
      // N distinct indices that are not 0..N-1: some row holds one of N or more.
      const beyond = [...byIndex].find(([index]) => index >= rows.length)!;
      fail(
        fileName,
        `no row has Index ${i}, but row ${beyond[1].row + 1} has Index ${beyond[0]}: ` +
          `the indices must run 0..${rows.length - 1} without gaps.`,
      );
    }
    names[i] = entry.name;
  }
  return names;
}

/**
 * The names to show for a model with `count` classes: the vocabulary when it
 * has exactly that many names (a different count means it belongs to another
 * model, so indices would be mislabelled), otherwise `class 0`, `class 1`, ...
 */
export function classNamesFor(count: number, names?: readonly string[]): string[] {
  if (names && names.length === count) return names.slice();
  return Array.from({ length: count }, (_, i) => unnamed(i));
}

function unnamed(index: number): string {
  return `class ${index}`;
}
