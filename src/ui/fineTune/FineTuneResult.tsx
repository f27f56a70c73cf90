/** What a finished fine-tune did: the held-out videos' figures before and after, and each class's AP. */
import type { TrainingValidation } from '../../protocol/protocol';
import { MetricsGlossary } from '../components/MetricsGlossary';
import { formatMetric } from '../formatNumbers';
import type { TrainingView } from '../state/slices/training';
import { SegmentFineTuneResult } from './SegmentFineTune';
import { formatLoss } from './FineTuneProgress';

export function FineTuneResult({ training }: { training: TrainingView }) {
  const { report, before } = training;
  if (!report || !before) return null;
  return (
    <div className="training-result">
      <h3 className="field-label">
        Validation ({training.validationVideos} held-out video{training.validationVideos === 1 ? '' : 's'}, {training.trainVideos} trained
        on): before → after
      </h3>
      <dl className="metrics training-compare" data-testid="training-compare">
        <Compare label="Validation loss" before={before.loss} after={report.after.loss} k="loss" />
        <Compare label="Validation GAP" before={before.gap} after={report.after.gap} k="gap" />
        <Compare label="Validation Hit@1" before={before.hitAt1} after={report.after.hitAt1} k="hitAt1" />
      </dl>
      <SegmentFineTuneResult report={report} />
      <MetricsGlossary metrics={['gap', 'hit_at_1']} summary="What validation GAP and Hit@1 mean" />
      <table className="per-class" data-testid="per-class">
        <caption className="sr-only">Average precision per class on the validation videos</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col">AP on the validation videos</th>
            <th scope="col">Labeled videos (train + validation)</th>
          </tr>
        </thead>
        <tbody>
          {report.perClass.map((c) => (
            <tr key={c.name} data-ap={Number.isNaN(c.ap) ? undefined : c.ap} data-count={c.count}>
              <td>{c.name}</td>
              <td className="tabular">
                {Number.isFinite(c.ap) ? formatMetric(c.ap) : <span title="no validation video has this class">— (none held out)</span>}
              </td>
              <td className="tabular">{c.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Compare({ label, before, after, k }: { label: string; before: number; after: number; k: keyof TrainingValidation }) {
  const f = k === 'loss' ? formatLoss : formatMetric;
  return (
    <div className="metric">
      <dt>{label}</dt>
      <dd data-metric={k} data-before={before} data-after={after}>
        <span className="muted">{f(before)}</span> → {f(after)}
      </dd>
    </div>
  );
}
