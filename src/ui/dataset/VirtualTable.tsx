import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useRef } from 'react';

export interface Column<R> {
  id: string;
  header: string;
  /** What a screen reader says for the header when it differs (units, what k is). */
  title?: string;
  cell: (row: R) => ReactNode;
  numeric?: boolean;
  /** Sortable columns get a button in their header. */
  sortable?: boolean;
}

export interface TableSort {
  column: string;
  descending: boolean;
}

const ROW_HEIGHT = 36;

/**
 * A table of thousands of rows that lays out only those in view: a real
 * <table> (so it reads as one), with spacer rows above and below what is
 * rendered, a sticky header of sort buttons (aria-sort says the order), and
 * aria-rowcount/aria-rowindex for the rows not in the page.
 */
export function VirtualTable<R>({
  rows,
  columns,
  rowKey,
  sort,
  onSort,
  caption,
  testId,
  height = 440,
}: {
  rows: readonly R[];
  columns: readonly Column<R>[];
  rowKey: (row: R) => string;
  sort: TableSort;
  onSort: (column: string) => void;
  caption: string;
  testId: string;
  height?: number;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const list = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = list.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = list.getTotalSize() - (items.at(-1)?.end ?? 0);
  // A table a little taller than the box is shown whole (no box that scrolls a few pixels above empty space);
  // only a long one scrolls inside its box.
  const fits = (rows.length + 1) * ROW_HEIGHT <= 1.5 * height;
  return (
    <div ref={scroller} className="table-scroll" style={fits ? undefined : { maxHeight: height }} data-testid={testId}>
      <table className="data-table" aria-rowcount={rows.length + 1}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((c) => {
              const sorted = sort.column === c.id;
              return (
                <th
                  key={c.id}
                  scope="col"
                  className={c.numeric ? 'num' : undefined}
                  aria-sort={sorted ? (sort.descending ? 'descending' : 'ascending') : undefined}
                  title={c.title}
                >
                  {c.sortable ? (
                    <button type="button" className="sort-button" onClick={() => onSort(c.id)} data-column={c.id}>
                      {c.header}
                      <span aria-hidden="true" className="sort-mark">
                        {sorted ? (sort.descending ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {top > 0 && <tr aria-hidden="true" className="spacer" style={{ height: top }} />}
          {items.map((item) => {
            const row = rows[item.index];
            return (
              <tr key={rowKey(row)} aria-rowindex={item.index + 2} style={{ height: ROW_HEIGHT }} data-testid={`${testId}-row`}>
                {columns.map((c) => (
                  <td key={c.id} className={c.numeric ? 'num tabular' : undefined}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            );
          })}
          {bottom > 0 && <tr aria-hidden="true" className="spacer" style={{ height: bottom }} />}
        </tbody>
      </table>
      {rows.length === 0 && <p className="muted small table-empty">Nothing matches.</p>}
    </div>
  );
}

/** The next sort after a click on `column`: the other way round, or a new column (numbers high first). */
export function nextSort(sort: TableSort, column: string, numeric: boolean): TableSort {
  return sort.column === column ? { column, descending: !sort.descending } : { column, descending: numeric };
}
