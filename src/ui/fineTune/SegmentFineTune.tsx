/** Fine-tuning on rated segments in the fine-tune card: its switch, and the segment MAP it reached. */
import { useId } from 'react';
import type { TrainingReport } from '../../protocol/protocol';
import { formatMetric } from '../formatNumbers';

/**
 * "Fine-tune on the rated segments": the segment challenge's recipe (a
 * video-level model, then a short fine-tune on rated segments) from the
 * fine-tune card; shown when segment-rated videos are loaded.
 */
export function SegmentFineTuneToggle({
  checked,
  onChange,
  disabled,
  rated,
}: {
  checked: boolean;
  onChange: (on: boolean) => void;
  disabled: boolean;
  rated: { videos: number; ratings: number };
}) {
  const id = useId();
  if (rated.videos === 0) return null;
  return (
    <div className="segment-training" data-testid="segment-training">
      <label className="check">
        <input
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={`${id}-help`}
          data-testid="train-on-segments"
        />
        Fine-tune on the rated segments ({rated.ratings.toLocaleString('en-US')} ratings of {rated.videos.toLocaleString('en-US')} video
        {rated.videos === 1 ? '' : 's'})
      </label>
      <p id={`${id}-help`} className="muted small">
        Each rated segment’s window becomes an example of the model’s own classes: rated positive 1, rated negative 0, every other class
        left out of the loss. Videos are held out whole for validation, and the result shows their segment MAP before and after.
        “Everything” trains every layer; any other mode refines the head.
      </p>
    </div>
  );
}

/** The validation videos' segment MAP before and after a fine-tune on rated segments. */
export function SegmentFineTuneResult({ report }: { report: TrainingReport }) {
  const s = report.segments;
  if (!s) return null;
  const better = s.before !== null && s.after !== null ? s.after - s.before : null;
  return (
    <div className="segment-training-result" data-testid="segment-training-result">
      <dl className="metrics training-compare">
        <div className="metric">
          <dt>Validation segment MAP</dt>
          <dd>
            <span data-before={s.before ?? undefined}>{s.before === null ? '—' : formatMetric(s.before)}</span> →{' '}
            <strong data-after={s.after ?? undefined}>{s.after === null ? '—' : formatMetric(s.after)}</strong>
            {better !== null && (
              <span className={better >= 0 ? 'good small' : 'bad small'}>
                {' '}
                ({better >= 0 ? '+' : ''}
                {formatMetric(better)})
              </span>
            )}
          </dd>
        </div>
      </dl>
      <p className="muted small">
        {s.examples.toLocaleString('en-US')} rated segments as examples (windows of {s.window.length} s); {s.trainVideos} video
        {s.trainVideos === 1 ? '' : 's'} trained, {s.validationVideos} held out; MAP over {s.classesCounted} class
        {s.classesCounted === 1 ? '' : 'es'} of the held-out videos’ windows (every {s.window.hop} s).
        {s.validationVideos === 0 && ' No video was held out, so there is no segment MAP to compare: raise “Validation %”.'}
        {s.notes.length > 0 && <> {s.notes.join(' ')}</>}
      </p>
    </div>
  );
}
