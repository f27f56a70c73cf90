/**
 * Fine-tuning the current model on the labeled videos, in the page: the run's
 * controls, the label source (the user's own classes, or the files' labels),
 * the settings, the run as it goes, its result and keeping it. The settings
 * live in useFineTuneSetup; each part of the card is a file of its own here.
 */
import { useId } from 'react';
import { LabelEditor } from './LabelEditor';
import { useApp } from '../state/context';
import { FineTuneProgress } from './FineTuneProgress';
import { FineTuneResult } from './FineTuneResult';
import { RunControls, runStateText } from './RunControls';
import { SaveActions } from './SaveActions';
import { SettingsForm } from './SettingsForm';
import { useFineTuneSetup } from './useFineTuneSetup';
import './FineTuneCard.css';

export function FineTuneCard() {
  const id = useId();
  const training = useApp((s) => s.training);
  const setup = useFineTuneSetup();
  const { state } = training;
  const finished = state === 'done' || state === 'stopped';
  return (
    <section
      id="finetune"
      tabIndex={-1}
      className="card training"
      aria-labelledby={`${id}-title`}
      data-testid="training"
      data-state={state}
      data-epochs={training.epochs.length}
      data-mode={setup.config.mode}
    >
      <div className="card-head">
        <h2 id={`${id}-title`}>Fine-tune</h2>
        <span className="muted small" data-testid="training-state" role="status">
          {runStateText(state, training.epochs.length, training.epochsPlanned)}
        </span>
      </div>
      <p className="muted small card-sub">
        Teach the model your labels, in this page: it trains on the labeled videos in the list (labels from the files, or classes you make
        below), holds some out to validate, and you take the weights home. The settings below are set from your data; Start uses them.
      </p>
      <RunControls form={`${id}-form`} canStart={setup.canStart} running={setup.running} />
      <LabelEditor disabled={setup.running} />
      <SettingsForm id={id} setup={setup} />
      <FineTuneProgress training={training} />
      <FineTuneResult training={training} />
      {finished && training.report && training.report.epochs > 0 && <SaveActions />}
    </section>
  );
}
