import type { TrainingView } from '../state/slices/training';
import { trainingActive } from '../state/selectors';

interface Props {
  training: TrainingView;
  /** This video's live view, once it has arrived. */
  live: TrainingView['live'];
  onToggle: (showLive: boolean) => void;
}

/**
 * Above the selected video while a fine-tune runs (and after, until its model
 * is saved or replaced): says which model the cards below show, at which
 * epoch, and switches between the fine-tune and the loaded model.
 */
export function LiveFineTuneBar({ training, live, onToggle }: Props) {
  const active = trainingActive(training.state);
  if (!live) {
    if (!active) return null;
    return (
      <p className="live-bar" role="status" data-testid="live-bar" data-live="waiting">
        <span className="live-dot" aria-hidden="true" />
        {training.state === 'caching'
          ? 'Fine-tuning: caching the videos; this video’s live view follows when training starts.'
          : 'Fine-tuning: this video’s live view follows after the current batch. Below: the loaded model.'}
      </p>
    );
  }
  const showing = training.showLive;
  const K = training.classNames.length || live.result.probabilities.length;
  // Early stopping may have put an earlier epoch's weights back at the end: say which.
  const last = training.epochs.at(-1);
  const kept =
    !active && last?.bestEpoch !== undefined && last.epoch === live.epoch && last.bestEpoch !== live.epoch ? last.bestEpoch : null;
  const when =
    kept !== null
      ? kept === 0
        ? 'back to the starting weights, which no epoch beat on validation'
        : `with the weights of epoch ${kept}, the best on validation`
      : live.epoch === 0
        ? 'before the first epoch'
        : `after epoch ${live.epoch}${training.epochsPlanned ? ` of ${training.epochsPlanned}` : ''}`;
  const frozen = training.mode === 'new-head' || training.mode === 'same-labels';
  return (
    <div
      className={`live-bar${showing ? ' live-bar-on' : ''}`}
      data-testid="live-bar"
      data-live={showing ? 'fine-tune' : 'loaded'}
      data-epoch={live.epoch}
    >
      <p role="status" aria-live="polite">
        {active && <span className="live-dot" aria-hidden="true" />}
        {showing ? (
          <>
            <strong>{active ? 'Fine-tuning, live' : 'Fine-tuned'}</strong>: {when}, over the {K} class{K === 1 ? '' : 'es'} being trained.
            {frozen ? ' The encoders are frozen in this mode, so attention stays the loaded model’s.' : ''}
          </>
        ) : (
          <>Showing the loaded model. The fine-tune’s view of this video ({when}) is one click away.</>
        )}
      </p>
      <button type="button" className="btn btn-small" aria-pressed={showing} onClick={() => onToggle(!showing)}>
        {showing ? 'Show the loaded model' : 'Show the fine-tune'}
      </button>
    </div>
  );
}
