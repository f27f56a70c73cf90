import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EpochReport } from '../../protocol/protocol';
import './ChartAxes.css';

interface Series {
  key: keyof EpochReport;
  name: string;
  className: string;
  stroke: string;
}

/** The epoch whose weights the fine-tune keeps (early stopping), when it is not simply the last. */
export function keptEpoch(epochs: readonly EpochReport[]): number | null {
  const last = epochs.at(-1);
  return last?.bestEpoch !== undefined && last.bestEpoch !== last.epoch ? last.bestEpoch : null;
}

/** Epoch ticks at a round step: 1, then multiples of the step up to the last epoch. */
export function epochTicks(last: number): number[] {
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000].find((s) => last / s <= 6) ?? Math.ceil(last / 6);
  const ticks = [1];
  for (let t = step; t <= last; t += step) if (t > 1) ticks.push(t);
  return ticks;
}

/** A line chart of per-epoch numbers of a fine-tune (losses, or validation GAP and Hit@1), with its axes titled. */
function EpochChart({
  epochs,
  series,
  label,
  yTitle,
  domain,
}: {
  epochs: readonly EpochReport[];
  series: Series[];
  label: string;
  yTitle: string;
  domain?: [number, number];
}) {
  // At most ~200 points: a long run of a small model would otherwise redraw thousands on every update.
  const step = Math.max(1, Math.ceil(epochs.length / 200));
  const data = epochs
    .filter((_, i) => i % step === 0 || i === epochs.length - 1)
    .map((e) => ({ ...e, validationLoss: Number.isFinite(e.validationLoss) ? e.validationLoss : null }));
  const kept = keptEpoch(epochs);
  return (
    <figure className="epoch-chart" aria-label={label}>
      <figcaption className="field-label">{label}</figcaption>
      <div style={{ width: '100%', height: 230 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 6 }}>
            <CartesianGrid strokeDasharray="3 3" className="chart-grid" />
            <XAxis
              dataKey="epoch"
              type="number"
              domain={[1, 'dataMax']}
              allowDecimals={false}
              tick={{ fontSize: 11 }}
              height={40}
              ticks={epochTicks(epochs.at(-1)?.epoch ?? 1)}
              label={{ value: 'Epoch (one pass over the training videos)', position: 'insideBottom', offset: 2, className: 'axis-title' }}
            />
            <YAxis
              tick={{ fontSize: 11 }}
              width={58}
              domain={domain ?? ['auto', 'auto']}
              tickFormatter={(v: number) => v.toFixed(2)}
              label={{
                value: yTitle,
                angle: -90,
                position: 'insideLeft',
                offset: 8,
                style: { textAnchor: 'middle' },
                className: 'axis-title',
              }}
            />
            <Tooltip formatter={(v) => Number(v).toFixed(4)} labelFormatter={(l) => `epoch ${l}`} />
            <Legend wrapperStyle={{ fontSize: 12 }} verticalAlign="top" height={22} />
            {kept !== null && kept > 0 && (
              <ReferenceLine
                x={kept}
                className="best-epoch-line"
                strokeDasharray="4 3"
                label={{ value: `kept: epoch ${kept}`, position: 'insideTopRight', className: 'best-epoch-label' }}
              />
            )}
            {series.map((s) => (
              <Line
                key={s.key}
                type="monotone"
                dataKey={s.key}
                name={s.name}
                className={s.className}
                stroke={s.stroke}
                strokeWidth={2}
                dot={epochs.length <= 20}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

export function LossChart({ epochs }: { epochs: readonly EpochReport[] }) {
  return (
    <EpochChart
      epochs={epochs}
      label="Loss per epoch"
      yTitle="Loss per video (lower is better)"
      series={[
        { key: 'trainLoss', name: 'training loss', className: 'line-train', stroke: 'var(--accent)' },
        { key: 'validationLoss', name: 'validation loss', className: 'line-val', stroke: 'var(--warn)' },
      ]}
    />
  );
}

export function QualityChart({ epochs }: { epochs: readonly EpochReport[] }) {
  return (
    <EpochChart
      epochs={epochs}
      label="Validation GAP and Hit@1 per epoch"
      yTitle="Score (0 to 1, higher is better)"
      domain={[0, 1]}
      series={[
        { key: 'validationGap', name: 'validation GAP', className: 'line-gap', stroke: 'var(--ok)' },
        { key: 'validationHitAt1', name: 'validation Hit@1', className: 'line-hit', stroke: 'var(--evidence)' },
      ]}
    />
  );
}
