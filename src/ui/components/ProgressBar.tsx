import { formatBytes } from '../formatNumbers';

/** Progress in bytes, as a real progressbar for assistive technology. */
export function ProgressBar({ label, loaded, total, detail }: { label: string; loaded: number; total: number; detail?: string }) {
  const pct = total > 0 ? Math.min(100, (100 * loaded) / total) : 0;
  return (
    <div className="progress" data-testid="load-progress">
      <div className="progress-text">
        <span>{label}</span>
        <span className="muted tabular">
          {formatBytes(loaded)} of {formatBytes(total)}
        </span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={loaded}
        aria-valuetext={`${formatBytes(loaded)} of ${formatBytes(total)} (${pct.toFixed(0)}%)`}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      {detail && <p className="muted small progress-detail">{detail}</p>}
    </div>
  );
}
