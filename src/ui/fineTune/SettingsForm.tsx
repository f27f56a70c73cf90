/** The fine-tune's settings: what to train, the names of the files' label ids, the parameters, and what the plan costs. */
import { useEffect, useState } from 'react';
import type { FineTuneMode, HeadLayers } from '../../protocol/protocol';
import { SegmentFineTuneToggle } from './SegmentFineTune';
import { PlanSummary } from './PlanSummary';
import type { FineTuneSetup } from './useFineTuneSetup';

const MODES: { value: FineTuneMode; label: string; help: string }[] = [
  { value: 'new-head', label: 'New head', help: 'teach new labels: the encoders stay frozen, a new classifier learns your classes (fast)' },
  { value: 'same-labels', label: 'Same labels', help: 'keep the model’s own classes and refine its head on your videos' },
  { value: 'all', label: 'Everything', help: 'train every layer on your labels (slow; for small models)' },
];

export function SettingsForm({ id, setup }: { id: string; setup: FineTuneSetup }) {
  const { config, running, useCustom, chosenMode, ids, names, plan, edit } = setup;
  const modelNames = setup.model?.classNames ?? [];
  const showNames = !useCustom && (config.mode !== 'same-labels' || chosenMode === null);
  return (
    <form id={`${id}-form`} onSubmit={setup.submit} className="training-form">
      <SegmentFineTuneToggle checked={setup.onSegments} onChange={setup.setTrainOnSegments} disabled={running} rated={setup.rated} />
      <fieldset className="training-modes" disabled={running}>
        <legend className="field-label">What to train</legend>
        {MODES.map((m) => (
          <label key={m.value} className="radio" title={m.help}>
            <input
              type="radio"
              name={`${id}-mode`}
              value={m.value}
              checked={config.mode === m.value}
              onChange={() => setup.setChosenMode(m.value)}
              disabled={useCustom && m.value === 'same-labels'}
            />
            {m.label}
          </label>
        ))}
        {config.mode === 'new-head' && (
          <label className="field-inline small">
            Layers
            <select
              value={config.headLayers}
              onChange={(e) => setup.setChosenHead(e.target.value as HeadLayers)}
              aria-label="Head layers to train"
            >
              <option value="whole-head">whole head (fc1, fc2, logits)</option>
              <option value="last-layer">last layer only</option>
            </select>
          </label>
        )}
      </fieldset>
      <p className="small muted mode-help" data-testid="training-mode-help">
        {MODES.find((m) => m.value === config.mode)!.help.replace(/^./, (c) => c.toUpperCase())}.
        {chosenMode === null && !useCustom && config.mode === 'same-labels' && (
          <>
            {' '}
            Chosen because the files’ labels are this model’s own classes (
            {ids
              .slice(0, 3)
              .map((i) => modelNames[i])
              .join(', ')}
            {ids.length > 3 ? ', …' : ''}): their names and what the model knows of them are kept. To teach new classes, name the label ids
            below or pick “New head”.
          </>
        )}
        {chosenMode === null && !useCustom && config.mode === 'new-head' && names && (
          <> Chosen because the label ids are named: they are new classes.</>
        )}
      </p>
      {showNames && (
        <label className="field">
          <span className="field-label">
            Names of the files’ label ids (optional, comma-separated, from id 0)
            {config.mode === 'same-labels' ? ': naming them teaches them as new classes' : ''}
          </span>
          <input
            type="text"
            value={setup.labelNames.text}
            disabled={running}
            onChange={(e) => setup.labelNames.type(e.target.value)}
            placeholder={
              config.mode === 'same-labels'
                ? `names for label ids ${ids.slice(0, 4).join(', ')}${ids.length > 4 ? ', …' : ''}`
                : plan?.classNames.join(', ') || 'class 0, class 1, …'
            }
            data-testid="train-class-names"
          />
        </label>
      )}
      <div className="training-fields">
        <label className="field">
          <span className="field-label">Optimizer</span>
          <select value={config.optimizer} disabled={running} onChange={(e) => edit({ optimizer: e.target.value as 'adam' | 'rmsprop' })}>
            <option value="adam">Adam</option>
            <option value="rmsprop">RMSprop</option>
          </select>
        </label>
        <NumberField
          label="Learning rate"
          value={config.learningRate}
          step="any"
          min={0}
          disabled={running}
          onChange={(v) => edit({ learningRate: v })}
          testId="lr"
        />
        <NumberField
          label="Epochs"
          value={config.epochs}
          step="1"
          min={1}
          disabled={running}
          onChange={(v) => edit({ epochs: Math.round(v) })}
          testId="epochs"
        />
        <NumberField
          label="Batch size"
          value={config.batchSize}
          step="1"
          min={1}
          disabled={running}
          onChange={(v) => edit({ batchSize: Math.round(v) })}
          testId="batch"
        />
        <NumberField
          label="Validation %"
          value={Math.round(config.validationFraction * 100)}
          step="1"
          min={0}
          max={90}
          disabled={running}
          onChange={(v) => edit({ validationFraction: v / 100 })}
          testId="validation"
        />
      </div>
      <PlanSummary setup={setup} />
    </form>
  );
}

function NumberField({
  label,
  value,
  onChange,
  step,
  min,
  max,
  disabled,
  testId,
}: {
  label: string;
  value: number;
  onChange: (v: number) => void;
  step: string;
  min?: number;
  max?: number;
  disabled: boolean;
  testId: string;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText((t) => (Number(t) === value ? t : String(value))), [value]);
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input
        type="number"
        inputMode="decimal"
        value={text}
        step={step}
        min={min}
        max={max}
        disabled={disabled}
        data-testid={`train-${testId}`}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value !== '' && Number.isFinite(v) && v >= (min ?? -Infinity)) onChange(v);
        }}
      />
    </label>
  );
}
