/**
 * The videos and labels CSV of the published extractor
 * (`extract_tfrecords_main.py --input_videos_csv`): one row per video,
 * `<video path>,<label ids joined by ;>`, no header (a first row whose labels
 * are not ids is taken for one). A video matches a row by its path as given
 * or by its file name; a video without a row gets no labels.
 */
import Papa from 'papaparse';
import { fail } from '../errors';

export interface VideoLabelRow {
  /** The path as the CSV writes it. */
  path: string;
  labels: number[];
  /** 1-based line of the CSV, for messages. */
  line: number;
}

const baseName = (p: string) => p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);

export function parseVideoLabels(text: string, file: string): VideoLabelRow[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const bad = parsed.errors.find((e) => e.code !== 'UndetectableDelimiter');
  if (bad) fail(file, `line ${(bad.row ?? 0) + 1} is not valid CSV (${bad.message})`);
  const rows: VideoLabelRow[] = [];
  parsed.data.forEach((cells, i) => {
    const [path = '', ids = ''] = cells.map((c) => c.trim());
    const parts = ids === '' ? [] : ids.split(';').map((s) => s.trim());
    const numeric = parts.every((s) => /^\d+$/.test(s));
    if (i === 0 && !numeric) return; // a header
    if (!path) fail(file, `line ${i + 1} has no video path`);
    if (cells.length > 2 && cells.slice(2).some((c) => c.trim() !== ''))
      fail(file, `line ${i + 1} has ${cells.length} fields, expected 2: <video path>,<label ids joined by ;>`);
    if (!numeric) fail(file, `line ${i + 1}: "${ids}" is not a list of label ids joined by ; (for example 3;17;204)`);
    rows.push({ path, labels: parts.map(Number), line: i + 1 });
  });
  if (rows.length === 0) fail(file, 'it lists no videos: expected lines of <video path>,<label ids joined by ;>');
  return rows;
}

/** The row of a video: the one naming it by the path as given, else the only one with its file name. */
export function labelsFor(rows: readonly VideoLabelRow[], video: string, file: string): number[] | undefined {
  const exact = rows.find((r) => r.path === video);
  if (exact) return exact.labels;
  const byName = rows.filter((r) => baseName(r.path) === baseName(video));
  if (byName.length > 1)
    fail(
      file,
      `lines ${byName.map((r) => r.line).join(' and ')} both name a video called ${baseName(video)}: write ${video} as the command line gives it`,
    );
  return byName[0]?.labels;
}
