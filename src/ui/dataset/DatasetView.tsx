import { useDeferredValue, useId, useMemo, useState } from 'react';
import { download } from '../download';
import { formatMetric, formatProbability } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import { SegmentTable } from '../timeline/SegmentMetrics';
import { FileNotes } from '../library/FileNotes';
import { ClassTable } from './ClassTable';
import { ConfusionList } from './ConfusionList';
import {
  type DatasetRow,
  datasetRows,
  filterRows,
  NO_FILTER,
  type RowFilter,
  rowsCsv,
  type Show,
  type SortKey,
  sortRows,
} from './datasetRows';
import { type Column, nextSort, type TableSort, VirtualTable } from './VirtualTable';

const NO_NAMES: string[] = [];
type Tab = 'videos' | 'classes' | 'confusions' | 'segments';
const TABS: { id: Tab; label: string }[] = [
  { id: 'videos', label: 'Videos' },
  { id: 'classes', label: 'Classes' },
  { id: 'confusions', label: 'Confused pairs' },
  { id: 'segments', label: 'Segments' },
];
const SHOW: { id: Show; label: string }[] = [
  { id: 'all', label: 'All videos' },
  { id: 'labeled', label: 'With labels' },
  { id: 'misses', label: 'Top class wrong' },
  { id: 'failed', label: 'Failed' },
];

/** Every video of the dataset at once: a table of videos, per-class figures, and the classes most often confused. */
export function DatasetView() {
  const id = useId();
  const [tab, setTab] = useState<Tab>('videos');
  const [filter, setFilter] = useState<RowFilter>(NO_FILTER);
  const classNames = useApp((s) => s.model?.classNames ?? NO_NAMES);
  const report = useApp((s) => s.dataset.report);
  // A class or a confused pair opens the videos behind it.
  const showVideos = (f: Partial<RowFilter>) => {
    setFilter({ ...NO_FILTER, ...f });
    setTab('videos');
  };
  return (
    <section className="card dataset" aria-labelledby={`${id}-title`} data-testid="dataset-view">
      <div className="card-head">
        <h2 id={`${id}-title`}>Dataset</h2>
        {report && (
          <span className="muted small" data-testid="dataset-counts">
            {report.videos.toLocaleString('en-US')} videos · {report.predicted.toLocaleString('en-US')} predicted ·{' '}
            {report.labeled.toLocaleString('en-US')} labelled
            {report.failed > 0 && <> · {report.failed.toLocaleString('en-US')} failed</>}
          </span>
        )}
      </div>
      <FileNotes />
      <div className="tabs" role="tablist" aria-label="Dataset views">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`${id}-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`${id}-panel`}
            className="tab"
            onClick={() => setTab(t.id)}
            data-testid={`dataset-tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${tab}`} className="tab-panel">
        {tab === 'videos' && <VideoTable filter={filter} setFilter={setFilter} classNames={classNames} />}
        {tab === 'classes' && <ClassTable classNames={classNames} onOpenClass={(c) => showVideos({ classIndex: c })} />}
        {tab === 'segments' && <SegmentTable classNames={classNames} />}
        {tab === 'confusions' && (
          <ConfusionList classNames={classNames} onOpenPair={(label, predicted) => showVideos({ confusion: { label, predicted } })} />
        )}
      </div>
    </section>
  );
}

function VideoTable({
  filter,
  setFilter,
  classNames,
}: {
  filter: RowFilter;
  setFilter: (f: RowFilter) => void;
  classNames: readonly string[];
}) {
  const id = useId();
  // Deferred: rebuilding and sorting thousands of rows as results arrive never holds up a click.
  const videos = useDeferredValue(useApp((s) => s.videos));
  const [select, setView] = useAppShallow((s) => [s.selectVideo, s.setView]);
  const [sort, setSort] = useState<TableSort>({ column: 'index', descending: false });
  const all = useMemo(() => datasetRows(videos, classNames), [videos, classNames]);
  const shown = useMemo(
    () => sortRows(filterRows(all, filter), { key: sort.column as SortKey, descending: sort.descending }),
    [all, filter, sort],
  );
  const open = (row: DatasetRow) => {
    select(row.index);
    setView('video');
  };
  const columns: Column<DatasetRow>[] = [
    {
      id: 'id',
      header: 'Video',
      sortable: true,
      cell: (r) => (
        <button type="button" className="link-button" onClick={() => open(r)} title={`Open ${r.id}`}>
          {r.id}
        </button>
      ),
    },
    { id: 'frames', header: 'Frames', numeric: true, sortable: true, cell: (r) => r.frames },
    { id: 'labels', header: 'Labels', cell: (r) => r.labels || <span className="muted">none</span> },
    {
      id: 'top',
      header: 'Top class',
      sortable: true,
      cell: (r) =>
        r.status === 'error' ? (
          <span className="error-text" title={r.message ?? undefined}>
            failed
          </span>
        ) : (
          (r.top ?? <span className="muted">{r.status}</span>)
        ),
    },
    {
      id: 'probability',
      header: 'p(top)',
      title: 'Probability of the top class',
      numeric: true,
      sortable: true,
      cell: (r) => (r.probability === null ? '' : formatProbability(r.probability)),
    },
    {
      id: 'ap',
      header: 'AP',
      title: 'The video’s average precision: how high its labels rank among all classes (1: its labels are its top classes)',
      numeric: true,
      sortable: true,
      cell: (r) => (r.ap === null ? '' : <span className={r.hit === false ? 'miss' : undefined}>{formatMetric(r.ap)}</span>),
    },
    { id: 'file', header: 'File', sortable: true, cell: (r) => <span className="muted">{r.file}</span> },
  ];
  return (
    <>
      <div className="table-tools">
        <label className="field-inline" htmlFor={`${id}-search`}>
          <span className="field-label">Search</span>
          <input
            id={`${id}-search`}
            type="search"
            value={filter.search}
            placeholder="id, label or predicted class"
            autoComplete="off"
            onChange={(e) => setFilter({ ...filter, search: e.target.value })}
            data-testid="dataset-search"
          />
        </label>
        <label className="field-inline" htmlFor={`${id}-show`}>
          <span className="field-label">Show</span>
          <select
            id={`${id}-show`}
            value={filter.show}
            onChange={(e) => setFilter({ ...filter, show: e.target.value as Show })}
            data-testid="dataset-show"
          >
            {SHOW.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => setSort({ column: 'ap', descending: false })}
          data-testid="dataset-worst"
        >
          Worst first
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={shown.length === 0}
          onClick={() => download('dataset.csv', 'text/csv', rowsCsv(shown))}
        >
          Export the table (CSV)
        </button>
      </div>
      {(filter.classIndex !== null || filter.confusion) && (
        <p className="small filter-note">
          {filter.classIndex !== null && (
            <>
              Videos with <strong>{classNames[filter.classIndex] ?? `class ${filter.classIndex}`}</strong> as a label or as their top
              class.{' '}
            </>
          )}
          {filter.confusion && (
            <>
              Videos labelled <strong>{classNames[filter.confusion.label]}</strong> whose top class is{' '}
              <strong>{classNames[filter.confusion.predicted]}</strong>.{' '}
            </>
          )}
          <button type="button" className="link-button" onClick={() => setFilter({ ...filter, classIndex: null, confusion: null })}>
            Show all
          </button>
        </p>
      )}
      <p className="muted small" aria-live="polite" data-testid="dataset-shown">
        {shown.length.toLocaleString('en-US')} of {all.length.toLocaleString('en-US')} videos
      </p>
      <p className="muted small ap-legend" data-testid="ap-legend">
        AP in <span className="miss">red</span>: the video’s top class is not one of its labels.
      </p>
      <p className="muted small table-scroll-hint">The table scrolls sideways: Top class, p(top), AP and File are to the right.</p>
      <VirtualTable
        rows={shown}
        columns={columns}
        rowKey={(r) => r.key}
        sort={sort}
        caption="Videos of the dataset"
        onSort={(c) => setSort(nextSort(sort, c, columns.find((x) => x.id === c)?.numeric ?? false))}
        testId="dataset-videos"
      />
    </>
  );
}
