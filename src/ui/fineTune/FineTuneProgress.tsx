/** A fine-tune as it goes: caching the features, the curves, the epochs as a table, and which epoch's weights are kept. */
import { formatMetric } from '../formatNumbers';
import { keptEpoch, LossChart, QualityChart } from '../components/LossChart';
import type { TrainingView } from '../state/slices/training';

/** A loss, or a dash where there is none (no validation videos). */
export function formatLoss(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : '—';
}

export function FineTuneProgress({ training }: { training: TrainingView }) {
  const { state, epochs } = training;
  const last = epochs.at(-1);
  const kept = keptEpoch(epochs);
  return (
    <>
      {state === 'caching' && training.caching && (
        <div className="progress">
          <div className="progress-text">
            <span>Caching features</span>
            <span className="muted tabular">
              {training.caching.done} of {training.caching.total} videos
            </span>
          </div>
          <div
            className="progress-track"
            role="progressbar"
            aria-label="Caching features"
            aria-valuemin={0}
            aria-valuemax={training.caching.total}
            aria-valuenow={training.caching.done}
          >
            <div
              className="progress-fill"
              style={{ width: `${training.caching.total ? (100 * training.caching.done) / training.caching.total : 0}%` }}
            />
          </div>
        </div>
      )}
      {training.message && state === 'error' && (
        <p className="small error-text" role="alert">
          {training.message}
        </p>
      )}
      {epochs.length > 0 && (
        <div className="training-charts">
          <LossChart epochs={epochs} />
          <QualityChart epochs={epochs} />
        </div>
      )}
      {epochs.length > 0 && (
        <details className="values">
          <summary>Show epochs as a table</summary>
          <table data-testid="epoch-table">
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                <th scope="col">Training loss</th>
                <th scope="col">Validation loss</th>
                <th scope="col">Validation GAP</th>
                <th scope="col">Validation Hit@1</th>
                <th scope="col">Seconds</th>
              </tr>
            </thead>
            <tbody>
              {epochs.map((e) => (
                <tr
                  key={e.epoch}
                  data-epoch={e.epoch}
                  data-train-loss={e.trainLoss}
                  data-validation-loss={e.validationLoss}
                  data-kept={e.epoch === kept || undefined}
                >
                  <td>
                    {e.epoch}
                    {e.epoch === kept && <span className="chip chip-small">kept</span>}
                  </td>
                  <td className="tabular">{e.trainLoss.toFixed(4)}</td>
                  <td className="tabular">{formatLoss(e.validationLoss)}</td>
                  <td className="tabular">{formatMetric(e.validationGap)}</td>
                  <td className="tabular">{formatMetric(e.validationHitAt1)}</td>
                  <td className="tabular">{e.seconds.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {last && !training.report && (
        <p className="muted small">
          Epoch {last.epoch}: training loss {last.trainLoss.toFixed(4)}, validation loss {formatLoss(last.validationLoss)}
        </p>
      )}
      {last && training.report && (last.stoppedEarly || kept !== null) && (
        <p className="small training-kept" data-testid="training-kept" data-kept={kept ?? undefined}>
          {last.stoppedEarly && (
            <>
              Stopped early after epoch {last.epoch}: the validation loss had not improved for {last.epoch - (last.bestEpoch ?? 0)}{' '}
              epochs.{' '}
            </>
          )}
          {kept === 0 ? (
            <>The fine-tune never beat the starting point on the validation videos, so the model is kept as it was.</>
          ) : kept !== null ? (
            <>
              The weights of epoch {kept}, the best on the validation videos, are kept: the numbers below, the live view, Save and the
              downloads use them.
            </>
          ) : null}
        </p>
      )}
    </>
  );
}
