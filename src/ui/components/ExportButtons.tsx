import { useApp, useAppShallow } from '../state/context';
import { exportCsv, exportJson, type ExportRow } from '../export/exportDocuments';
import { download } from '../download';

export function ExportButtons() {
  const [model, videos] = useAppShallow((s) => [s.model, s.videos]);
  const topK = useApp((s) => s.settings.topK);
  const rows: ExportRow[] = videos.filter((v) => v.result).map(({ result, status: _s, message: _m, ...video }) => ({ video, result: result! }));
  const ready = model !== null && rows.length > 0;
  const title = ready ? `${rows.length} video${rows.length === 1 ? '' : 's'} with results` : 'No results to export yet';
  return (
    <div className="export-buttons" role="group" aria-label="Export predictions">
      <button type="button" className="btn" disabled={!ready} title={title}
        onClick={() => download('predictions.json', 'application/json', JSON.stringify(exportJson(model!, rows, topK)) + '\n')}>
        Export JSON
      </button>
      <button type="button" className="btn" disabled={!ready} title={title}
        onClick={() => download('predictions.csv', 'text/csv', exportCsv(model!, rows))}>
        Export CSV
      </button>
    </div>
  );
}
