/**
 * The dataset view's table of videos, derived from the rows the store holds:
 * one entry per video with what the table shows, filtered, searched and
 * sorted. Pure, so the view stays a rendering of it.
 */
import Papa from 'papaparse';
import { isConfusedPair } from '../../core/metrics';
import type { VideoRow } from '../state/slices/videos';

export interface DatasetRow {
  /** Position in the store's list (what "open" selects). */
  index: number;
  key: string;
  id: string;
  file: string;
  frames: number;
  labels: string;
  labelIds: readonly number[];
  top: string | null;
  topClass: number | null;
  probability: number | null;
  /** The video's average precision over its labels; null without labels or a result. */
  ap: number | null;
  hit: boolean | null;
  status: VideoRow['status'];
  message: string | null;
}

export type SortKey = 'index' | 'id' | 'frames' | 'top' | 'probability' | 'ap' | 'file';
export interface Sort {
  key: SortKey;
  descending: boolean;
}

export type Show = 'all' | 'labeled' | 'misses' | 'failed';

export interface RowFilter {
  /** Matched against the id, the labels' names and the predicted class, case-blind. */
  search: string;
  show: Show;
  /** Only videos with this class as a label or as their top class. */
  classIndex: number | null;
  /** Only videos with this true label whose top class is `confusedWith`. */
  confusion: { label: number; predicted: number } | null;
}

export const NO_FILTER: RowFilter = { search: '', show: 'all', classIndex: null, confusion: null };

export function datasetRows(videos: readonly VideoRow[], classNames: readonly string[]): DatasetRow[] {
  const name = (c: number) => classNames[c] ?? `class ${c}`;
  return videos.map((v, index) => {
    const f = v.result?.figures;
    return {
      index,
      key: v.key,
      id: v.id,
      file: v.file,
      frames: v.frames,
      labels: (v.labels ?? []).map(name).join(', '),
      labelIds: v.labels ?? [],
      top: f ? name(f.top) : null,
      topClass: f?.top ?? null,
      probability: f?.topProbability ?? null,
      ap: f?.ap ?? null,
      hit: f?.hit ?? null,
      status: v.status,
      message: v.message ?? null,
    };
  });
}

export function filterRows(rows: readonly DatasetRow[], f: RowFilter): DatasetRow[] {
  const q = f.search.trim().toLowerCase();
  return rows.filter((r) => {
    if (f.show === 'labeled' && r.labelIds.length === 0) return false;
    if (f.show === 'misses' && r.hit !== false) return false;
    if (f.show === 'failed' && r.status !== 'error') return false;
    if (f.classIndex !== null && !r.labelIds.includes(f.classIndex) && r.topClass !== f.classIndex) return false;
    if (f.confusion && !isConfusedPair(r.labelIds, r.topClass, f.confusion.label, f.confusion.predicted)) return false;
    if (q && !r.id.toLowerCase().includes(q) && !r.labels.toLowerCase().includes(q) && !(r.top ?? '').toLowerCase().includes(q))
      return false;
    return true;
  });
}

/** Sorted by `sort`, ties by list position; missing values (no result yet) last either way. */
export function sortRows(rows: readonly DatasetRow[], sort: Sort): DatasetRow[] {
  const value = (r: DatasetRow): string | number | null => r[sort.key];
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) return va === vb ? a.index - b.index : va === null ? 1 : -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c !== 0 ? sign * c : a.index - b.index;
  });
}

/** The table as CSV, the rows as shown. */
export function rowsCsv(rows: readonly DatasetRow[]): string {
  return (
    Papa.unparse(
      {
        fields: ['id', 'file', 'frames', 'labels', 'top_class', 'top_probability', 'ap', 'hit', 'status'],
        data: rows.map((r) => [
          r.id,
          r.file,
          r.frames,
          r.labels,
          r.top ?? '',
          r.probability ?? '',
          r.ap ?? '',
          r.hit === null ? '' : r.hit ? 1 : 0,
          r.status,
        ]),
      },
      { newline: '\r\n' },
    ) + '\r\n'
  );
}
