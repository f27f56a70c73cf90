/** Start, Pause/Resume and Stop of a fine-tune, and the words for where it stands. */
import { useAppShallow } from '../state/context';
import type { TrainingView } from '../state/slices/training';

/**
 * First in the card, so that the keyboard reaches them at once; aria-disabled
 * rather than disabled, so that the button pressed keeps the focus as the run
 * starts, pauses and stops. Start submits the settings form (`form`).
 */
export function RunControls({ form, canStart, running }: { form: string; canStart: boolean; running: boolean }) {
  const [state, pause, resume, stop] = useAppShallow((s) => [s.training.state, s.pauseTraining, s.resumeTraining, s.stopTraining]);
  return (
    <div className="training-buttons" role="group" aria-label="Fine-tune controls">
      <button type="submit" form={form} className="btn btn-primary" aria-disabled={!canStart || undefined}>
        Start
      </button>
      <button
        type="button"
        className="btn"
        aria-disabled={(state !== 'running' && state !== 'paused') || undefined}
        onClick={() => {
          if (state === 'paused') void resume();
          else if (state === 'running') void pause();
        }}
      >
        {state === 'paused' ? 'Resume' : 'Pause'}
      </button>
      <button
        type="button"
        className="btn"
        aria-disabled={!running || undefined}
        onClick={() => {
          if (running) void stop();
        }}
      >
        Stop
      </button>
    </div>
  );
}

export function runStateText(state: TrainingView['state'], done: number, planned: number): string {
  switch (state) {
    case 'idle':
      return 'not started';
    case 'caching':
      return 'caching features…';
    case 'running':
      return `training · epoch ${done} of ${planned}`;
    case 'paused':
      return `paused after epoch ${done}`;
    case 'stopped':
      return `stopped after epoch ${done}`;
    case 'done':
      return `done · ${done} epochs`;
    default:
      return 'failed';
  }
}
