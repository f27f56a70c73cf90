/** Keeping a finished fine-tune: Save (kept in this browser and applied to the videos) and the downloads. */
import { EXPORT_FORMAT_LABELS, type ExportFormat } from '../../core/export/formats';
import { download } from '../download';
import { useApp, useAppShallow } from '../state/context';

const DOWNLOADS: { format: ExportFormat; label: string }[] = (['tfjs-zip', 'pdparams-combined', 'pdparams-pickle'] as const).map(
  (format) => ({ format, label: `Download ${EXPORT_FORMAT_LABELS[format]}` }),
);

export function SaveActions() {
  const [busy, saved, save, exportTrained] = useAppShallow((s) => [s.training.busy, s.training.saved, s.applyTrained, s.exportTrained]);
  const variant = useApp((s) => s.model?.variant);
  return (
    <div className="training-actions" role="group" aria-label="Keep the fine-tuned model">
      <button type="button" className="btn btn-primary" disabled={busy !== null || saved !== null} onClick={() => void save()}>
        {saved ? 'Saved' : busy === 'saving' ? 'Saving…' : 'Save model'}
      </button>
      {DOWNLOADS.map((d) => (
        <button
          key={d.format}
          type="button"
          className="btn"
          disabled={busy !== null || (d.format === 'pdparams-combined' && variant === 'paddlevideo2')}
          title={d.format === 'pdparams-combined' && variant === 'paddlevideo2' ? 'Paddle 2 loads pickles only' : undefined}
          onClick={async () => {
            const file = await exportTrained(d.format);
            if (file) download(file.name, 'application/octet-stream', file.bytes);
          }}
        >
          {d.label}
        </button>
      ))}
      {saved ? (
        <p className="muted small" data-testid="training-saved">
          Saved as “{saved.name}” in this browser and applied to every listed video: it is listed under Models, and “Compare models” below
          sets it beside the model before, one click away.
        </p>
      ) : (
        <p className="muted small">
          Save model keeps it in this browser and applies it to every listed video, beside the model before for a comparison.
        </p>
      )}
    </div>
  );
}
