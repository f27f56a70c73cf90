import { useId } from 'react';
import { FINETUNE_SAMPLE_SET } from '../../core/demo/sampleSets';
import { TRY_FINE_TUNING_SET } from '../components/TryFineTuning';
import { useApp } from '../state/context';

/** "Try fine-tuning" beside the list, while its set is not loaded in full (the empty page offers it too). */
export function FineTuneOffer() {
  const id = useId();
  const loadSamples = useApp((s) => s.loadSamples);
  const loaded = useApp(
    (s) =>
      s.videos.some((v) => v.file === FINETUNE_SAMPLE_SET.file) &&
      s.fileLoads[FINETUNE_SAMPLE_SET.file]?.state !== 'cancelled' &&
      s.fileLoads[FINETUNE_SAMPLE_SET.file]?.state !== 'failed',
  );
  if (loaded) return null;
  return (
    <p className="fine-tune-offer small">
      <button
        type="button"
        className="btn btn-small"
        onClick={() => void loadSamples(TRY_FINE_TUNING_SET)}
        data-testid="try-finetune"
        aria-describedby={`${id}-help`}
      >
        Try fine-tuning
      </button>
      <span id={`${id}-help`} className="muted">
        adds 40 sample videos of four new labels to teach the model
      </span>
    </p>
  );
}
