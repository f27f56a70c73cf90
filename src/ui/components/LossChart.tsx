import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EpochReport } from '../../worker/protocol';

interface Series {
  key: keyof EpochReport;
  name: string;
  className: string;
  stroke: string;
}

/** A line chart of per-epoch numbers of a fine-tune (losses, or validation GAP and Hit@1). */
export function EpochChart({ epochs, series, label, domain }: { epochs: readonly EpochReport[]; series: Series[]; label: string; domain?: [number, number] }) {
  // At most ~200 points: a long run of a small model would otherwise redraw thousands on every update.
  const step = Math.max(1, Math.ceil(epochs.length / 200));
  const data = epochs.filter((_, i) => i % step === 0 || i === epochs.length - 1)
    .map((e) => ({ ...e, validationLoss: Number.isFinite(e.validationLoss) ? e.validationLoss : null }));
  return (
    <figure className="epoch-chart" aria-label={label}>
      <figcaption className="field-label">{label}</figcaption>
      <div style={{ width: '100%', height: 200 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" className="chart-grid" />
            <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} width={44} domain={domain ?? ['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(2)} />
            <Tooltip formatter={(v) => Number(v).toFixed(4)} labelFormatter={(l) => `epoch ${l}`} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {series.map((s) => (
              <Line key={s.key} type="monotone" dataKey={s.key} name={s.name} className={s.className} stroke={s.stroke}
                strokeWidth={2} dot={epochs.length <= 20} isAnimationActive={false} connectNulls />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function LossChart({ epochs }: { epochs: readonly EpochReport[] }) {
  return (
    <EpochChart epochs={epochs} label="Loss per epoch" series={[
      { key: 'trainLoss', name: 'training loss', className: 'line-train', stroke: 'var(--accent)' },
      { key: 'validationLoss', name: 'validation loss', className: 'line-val', stroke: 'var(--warn)' },
    ]} />
  );
}

export function QualityChart({ epochs }: { epochs: readonly EpochReport[] }) {
  return (
    <EpochChart epochs={epochs} label="Validation GAP and Hit@1" domain={[0, 1]} series={[
      { key: 'validationGap', name: 'GAP', className: 'line-gap', stroke: 'var(--ok)' },
      { key: 'validationHitAt1', name: 'Hit@1', className: 'line-hit', stroke: 'var(--evidence)' },
    ]} />
  );
}
