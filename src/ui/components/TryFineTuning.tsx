import { useId } from 'react';
import { FINETUNE_SAMPLE_SET } from '../../core/demo/sampleSets';
import './TryFineTuning.css';

/** The sample set the button loads: `loadSampleSet(TRY_FINE_TUNING_SET)` (public/samples/index.json, `sets`). */
export const TRY_FINE_TUNING_SET = FINETUNE_SAMPLE_SET.name;

/**
 * "Try fine-tuning" in one click: loads a bundled set of videos with four
 * labels the demo model never learned (celebration, storm, break-in,
 * traffic), whose names the fine-tune card takes from the set, so that
 * Start teaches them to a new head at once. The caller loads the set
 * (the store's `loadSampleSet(TRY_FINE_TUNING_SET)`).
 */
export function TryFineTuning({ onClick, disabled = false, large = false }: { onClick: () => void; disabled?: boolean; large?: boolean }) {
  const id = useId();
  return (
    <div className="try-finetune">
      <button
        type="button"
        className={`btn${large ? ' btn-large' : ''}`}
        onClick={onClick}
        disabled={disabled}
        data-testid="try-finetune"
        aria-describedby={`${id}-help`}
      >
        Try fine-tuning
      </button>
      <p id={`${id}-help`} className="muted small">
        Loads 40 short sample videos of four labels the demo never learned (celebration, storm, break-in, traffic); then press Start under
        Fine-tune.
      </p>
    </div>
  );
}
