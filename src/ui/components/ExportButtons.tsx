import { useId } from 'react';
import { useApp, useAppShallow } from '../state/context';
import { exportCsv, exportJson, type ExportRow } from '../export/exportDocuments';
import { download } from '../download';

/** What an export holds while videos are still being predicted: said before and after, never silently partial. */
export function exportNote(finished: number, total: number): string | null {
  if (finished >= total) return null;
  return `Holds the ${finished.toLocaleString('en-US')} finished video${finished === 1 ? '' : 's'} of ${total.toLocaleString('en-US')}; the rest are still being predicted.`;
}

export function ExportButtons() {
  const [model, videos] = useAppShallow((s) => [s.model, s.videos]);
  const topK = useApp((s) => s.settings.topK);
  const notify = useApp((s) => s.notify);
  const id = useId();
  const rows: ExportRow[] = videos.filter((v) => v.result).map(({ result, status: _s, message: _m, ...video }) => ({ video, result: result! }));
  // Failed videos never finish: they do not make an export partial.
  const total = videos.filter((v) => v.status !== 'error').length;
  const partial = exportNote(rows.length, total);
  const ready = model !== null && rows.length > 0;
  const save = (name: string, type: string, text: string) => {
    download(name, type, text);
    if (partial) notify('info', `${name}: ${partial.charAt(0).toLowerCase()}${partial.slice(1)} Export again when they are done for all of them.`);
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
