import { useId, useMemo, useState } from 'react';
import type { ClassFigures } from '../../protocol/protocol';
import { formatMetric } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import { hasResults } from '../state/selectors';
import { type Column, nextSort, type TableSort, VirtualTable } from './VirtualTable';

const K_CHOICES = [1, 3, 5, 10, 20];

interface ClassRow extends ClassFigures {
  name: string;
}

/** Per-class figures of the loaded model on the labelled videos; every class the model has, searchable by name. */
export function ClassTable({ classNames, onOpenClass }: { classNames: readonly string[]; onOpenClass: (c: number) => void }) {
  const id = useId();
  const [report, k, setK] = useAppShallow((s) => [s.dataset.report, s.dataset.k, s.setDatasetK]);
  const anyResults = useApp(hasResults);
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<TableSort>({ column: 'positives', descending: true });
  const rows = useMemo(() => {
    const figures = report?.figures?.classes;
    const q = search.trim().toLowerCase();
    const all: ClassRow[] = classNames.map((name, c) => ({
      ...(figures?.[c] ?? { class: c, positives: 0, predicted: 0, truePositives: 0, precision: null, recall: null, ap: 0 }),
      name,
    }));
    const matched = q ? all.filter((r) => r.name.toLowerCase().includes(q) || String(r.class) === q) : all;
    const key = sort.column as keyof ClassRow;
    const sign = sort.descending ? -1 : 1;
    return matched.sort((a, b) => {
      const va = a[key];
      const vb = b[key];
      if (va === null || vb === null) return va === vb ? a.class - b.class : va === null ? 1 : -1;
      const d = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      return d !== 0 ? sign * d : a.class - b.class;
    });
  }, [report, classNames, search, sort]);
  const pct = (x: number | null) => (x === null ? '–' : formatMetric(x));
  const columns: Column<ClassRow>[] = [
    {
      id: 'name',
      header: 'Class',
      sortable: true,
      cell: (r) => (
        <button type="button" className="link-button" onClick={() => onOpenClass(r.class)} title={`Show the videos of ${r.name}`}>
          {r.name}
        </button>
      ),
    },
    { id: 'positives', header: 'Labelled videos', numeric: true, sortable: true, cell: (r) => r.positives },
    {
      id: 'predicted',
      header: `In top ${k}`,
      title: `Videos with this class among their ${k} highest`,
      numeric: true,
      sortable: true,
      cell: (r) => r.predicted,
    },
    {
      id: 'precision',
      header: `Precision@${k}`,
      title: `Of the videos with this class in their top ${k}, the share labelled with it`,
      numeric: true,
      sortable: true,
      cell: (r) => pct(r.precision),
    },
    {
      id: 'recall',
      header: `Recall@${k}`,
      title: `Of the videos labelled with this class, the share with it in their top ${k}`,
      numeric: true,
      sortable: true,
      cell: (r) => pct(r.recall),
    },
    {
      id: 'ap',
      header: 'AP',
      title: 'Average precision as mAP counts it (each video’s top 20, over all the class’s labelled videos)',
      numeric: true,
      sortable: true,
      cell: (r) => formatMetric(r.ap),
    },
  ];
  return (
    <>
      <div className="table-tools">
        <label className="field-inline" htmlFor={`${id}-search`}>
          <span className="field-label">Find a class</span>
          <input
            id={`${id}-search`}
            type="search"
            value={search}
            autoComplete="off"
            placeholder={`${classNames.length.toLocaleString('en-US')} classes by name`}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="class-search"
          />
        </label>
        <label className="field-inline" htmlFor={`${id}-k`}>
          <span className="field-label">Top-k</span>
          <select id={`${id}-k`} value={k} onChange={(e) => setK(Number(e.target.value))}>
            {K_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!report?.figures && (
        <p className="muted small">{anyResults ? 'The figures need predicted videos with labels.' : 'Waiting for predictions.'}</p>
      )}
      <VirtualTable
        rows={rows}
        columns={columns}
        rowKey={(r) => String(r.class)}
        sort={sort}
        caption="Per-class figures on the labelled videos"
        onSort={(c) => setSort(nextSort(sort, c, c !== 'name'))}
        testId="dataset-classes"
      />
    </>
  );
}
