import { useId } from 'react';
import { useApp, useAppGetState, useAppShallow } from '../state/context';
import type { VideoRow } from '../state/slices/videos';
import { exportCsv, exportJson, type ExportRow } from '../export/exportDocuments';
import { download } from '../download';

/**
 * What an export holds while videos are still being read or predicted, or
 * null when it holds them all: said before (the buttons' description) and
 * after (a notice), so that it is never silently partial.
 */
export function exportNote(finished: number, listed: number, reading: boolean): string | null {
  if (finished >= listed && !reading) return null;
  const n = finished.toLocaleString('en-US');
  const m = listed.toLocaleString('en-US');
  return reading
    ? `Holds the ${n} finished video${finished === 1 ? '' : 's'} of the ${m} read so far; the files are still being read and predicted.`
    : `Holds the ${n} finished video${finished === 1 ? '' : 's'} of ${m}; the other ${(listed - finished).toLocaleString('en-US')} are still being predicted.`;
}

/** Videos with results, and videos that will have them (failed ones never do: they do not make an export partial). */
function exportCounts(videos: readonly VideoRow[]): [finished: number, listed: number] {
  let finished = 0;
  let listed = 0;
  for (const v of videos) {
    if (v.result) finished++;
    if (v.status !== 'error') listed++;
  }
  return [finished, listed];
}

function exportRows(videos: readonly VideoRow[]): ExportRow[] {
  return videos.filter((v) => v.result).map(({ result, status: _s, message: _m, ...video }) => ({ video, result: result! }));
}

export function ExportButtons() {
  // Counts only while results stream in: the rows themselves are built on a click (building them on every
  // batch of a shard's results was most of what the page allocated).
  const [model, finished, listed] = useAppShallow((s) => [s.model, ...exportCounts(s.videos)] as const);
  const getState = useAppGetState();
  const topK = useApp((s) => s.settings.topK);
  const notify = useApp((s) => s.notify);
  const id = useId();
  const reading = useApp((s) => s.work?.load.state === 'reading');
  const partial = exportNote(finished, listed, reading);
  const ready = model !== null && finished > 0;
  const title = ready ? (partial ?? `${finished} video${finished === 1 ? '' : 's'} with results`) : 'No results to export yet';
  // What is saved, and its note, are read at the click: results may have arrived since the last render.
  const save = (name: string, type: string, text: (rows: ExportRow[]) => string) => {
    const now = getState();
    const [done, all] = exportCounts(now.videos);
    const note = exportNote(done, all, now.work?.load.state === 'reading');
    download(name, type, text(exportRows(now.videos)));
    if (note) notify('info', `${name}: ${note.charAt(0).toLowerCase()}${note.slice(1)} Export again once all of them are done.`);
  };
  return (
    <div className="export-buttons" role="group" aria-label="Export predictions" aria-describedby={partial ? id : undefined}>
      <button
        type="button"
        className="btn"
        disabled={!ready}
        title={title}
        onClick={() => save('predictions.json', 'application/json', (rows) => JSON.stringify(exportJson(model!, rows, topK)) + '\n')}
      >
        <span className="export-verb">Export </span>JSON
      </button>
      <button
        type="button"
        className="btn"
        disabled={!ready}
        title={title}
        onClick={() => save('predictions.csv', 'text/csv', (rows) => exportCsv(model!, rows))}
      >
        <span className="export-verb">Export </span>CSV
      </button>
      {ready && partial && (
        <span id={id} className="sr-only" data-testid="export-partial">
          {partial}
        </span>
      )}
    </div>
  );
}
