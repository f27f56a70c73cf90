import { useId } from 'react';
import { useApp, useAppShallow } from '../state/context';
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

export function ExportButtons() {
  const [model, videos] = useAppShallow((s) => [s.model, s.videos]);
  const topK = useApp((s) => s.settings.topK);
  const notify = useApp((s) => s.notify);
  const id = useId();
  const rows: ExportRow[] = videos.filter((v) => v.result).map(({ result, status: _s, message: _m, ...video }) => ({ video, result: result! }));
  // Failed videos never finish: they do not make an export partial.
  const total = videos.filter((v) => v.status !== 'error').length;
  const reading = useApp((s) => s.work?.load.state === 'reading');
  const partial = exportNote(rows.length, total, reading);
  const ready = model !== null && rows.length > 0;
  const save = (name: string, type: string, text: string) => {
    download(name, type, text);
    if (partial) notify('info', `${name}: ${partial.charAt(0).toLowerCase()}${partial.slice(1)} Export again once all of them are done.`);
  };
  return (
    <div className="export-buttons" role="group" aria-label="Export predictions" aria-describedby={partial ? id : undefined}>
      <button type="button" className="btn" disabled={!ready} title={ready ? partial ?? `${rows.length} video${rows.length === 1 ? '' : 's'} with results` : 'No results to export yet'}
        onClick={() => save('predictions.json', 'application/json', JSON.stringify(exportJson(model!, rows, topK)) + '\n')}>
        <span className="export-verb">Export </span>JSON
      </button>
      <button type="button" className="btn" disabled={!ready} title={ready ? partial ?? `${rows.length} video${rows.length === 1 ? '' : 's'} with results` : 'No results to export yet'}
        onClick={() => save('predictions.csv', 'text/csv', exportCsv(model!, rows))}>
        <span className="export-verb">Export </span>CSV
      </button>
      {ready && partial && <span id={id} className="sr-only" data-testid="export-partial">{partial}</span>}
    </div>
  );
}
