import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import type { SampleSetEntry } from '../../core/demo/sampleSets';
import { EXPORT_FORMAT_LABELS, type ExportFormat } from '../../core/export/formats';
import {
  defaultHeadLayers, defaultMode, defaultPatience, FINETUNE_DEFAULTS, isSlowFineTune, recommendedSettings, validationCount, validationNote,
} from '../../core/training/policy';
import type { FineTuneMode, HeadLayers, TrainingConfig, TrainingPlan, TrainingValidation } from '../../protocol/protocol';
import { formatMetric } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import { trainingActive } from '../state/selectors';
import type { VideoRow } from '../state/slices/videos';
import { LabelEditor } from '../components/LabelEditor';
import { keptEpoch, LossChart, QualityChart } from '../components/LossChart';
import { MetricsGlossary } from '../components/MetricsGlossary';
import { download } from '../download';
import { slowWarning } from './fineTuneEstimate';
import { SegmentTrainingResult, SegmentTrainingToggle, useRatedCounts } from '../timeline/SegmentTraining';
import './FineTuneCard.css';

const MODES: { value: FineTuneMode; label: string; help: string }[] = [
  { value: 'new-head', label: 'New head', help: 'teach new labels: the encoders stay frozen, a new classifier learns your classes (fast)' },
  { value: 'same-labels', label: 'Same labels', help: 'keep the model’s own classes and refine its head on your videos' },
  { value: 'all', label: 'Everything', help: 'train every layer on your labels (slow; for small models)' },
];

const DOWNLOADS: { format: ExportFormat; label: string }[] = (['tfjs-zip', 'pdparams-combined', 'pdparams-pickle'] as const)
  .map((format) => ({ format, label: `Download ${EXPORT_FORMAT_LABELS[format]}` }));

/** Multiply-adds in words: 3.2 G, 410 M. */
function formatMacs(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, u] of units) if (n >= v) return `${(n / v).toFixed(n / v >= 100 ? 0 : 1)} ${u}`;
  return String(Math.round(n));
}

/** The settings a user can change; the rest follow the data until they do. */
type Editable = Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'epochs' | 'batchSize' | 'validationFraction'>;

// Derived from the video list once per list (it changes with every prediction; these only with the files).
const idsOf = new WeakMap<readonly VideoRow[], string>();
const filesOf = new WeakMap<readonly VideoRow[], string>();
/** The label ids the files use, sorted, as a string (a stable selector value). */
function labelIdsKey(videos: readonly VideoRow[]): string {
  let k = idsOf.get(videos);
  if (k === undefined) {
    const ids = new Set<number>();
    for (const v of videos) for (const l of v.labels ?? []) ids.add(l);
    k = [...ids].sort((a, b) => a - b).join(',');
    idsOf.set(videos, k);
  }
  return k;
}
function filesKey(videos: readonly VideoRow[]): string {
  let k = filesOf.get(videos);
  if (k === undefined) {
    k = [...new Set(videos.map((v) => v.file))].join('\n');
    filesOf.set(videos, k);
  }
  return k;
}

/** Fine-tuning the current model on the labeled videos, in the page: settings, live curves, results, downloads. */
export function FineTuneCard() {
  const id = useId();
  const [model, videoCount, training] = useAppShallow((s) => [s.model, s.videos.length, s.training]);
  const idsText = useApp((s) => labelIdsKey(s.videos));
  const files = useApp((s) => filesKey(s.videos));
  // The plan's time estimate needs the backend's measured speed, known once a video was predicted.
  const measured = useApp((s) => s.videos.some((v) => v.result));
  const [start, pause, resume, stop, save, exportTrained] = useAppShallow((s) => [s.startTraining, s.pauseTraining, s.resumeTraining, s.stopTraining, s.applyTrained, s.exportTrained]);
  const client = useApp((s) => s.planTraining);
  // Segment-rated videos loaded: the card can fine-tune on their rated segments instead (the segment challenge's recipe).
  const rated = useRatedCounts();
  const segmentWindow = useApp((s) => s.segments.window);
  const [trainOnSegments, setTrainOnSegments] = useState(false);
  const sampleIndex = useApp((s) => s.sampleIndex);
  const [custom, useCustom] = useAppShallow((s) => [s.customLabels, s.useCustomLabels]);
  const labels = useCustom ? custom : null;
  const [plan, setPlan] = useState<TrainingPlan | null>(null);
  /** What the user chose; left out, the policy decides from the data (core/training/policy.ts). */
  const [chosenMode, setChosenMode] = useState<FineTuneMode | null>(null);
  const [chosenHead, setChosenHead] = useState<HeadLayers | null>(null);
  const [edited, setEdited] = useState<Partial<Editable>>({});
  /** Names for the files' label ids, comma-separated from id 0 (optional); a bundled sample set brings its own. */
  const [fileNames, setFileNames] = useState('');
  const [namesTyped, setNamesTyped] = useState(false);
  const names = useMemo(() => (useCustom || !fileNames.trim() ? undefined : fileNames.split(',').map((n) => n.trim())), [useCustom, fileNames]);
  const ids = useMemo(() => (idsText ? idsText.split(',').map(Number) : []), [idsText]);

  // A bundled sample set (public/samples/index.json, `sets`) names its label ids: its names fill the field until the user types.
  useEffect(() => {
    if (namesTyped || !files) return;
    let live = true;
    const loaded = new Set(files.split('\n'));
    sampleIndex().then((idx) => {
      const set = ((idx as { sets?: SampleSetEntry[] }).sets ?? []).find((x) => x.files.some((f) => loaded.has(f.file)));
      if (live && set) setFileNames(set.classNames.join(', '));
    }).catch(() => {});
    return () => { live = false; };
  }, [files, namesTyped, sampleIndex]);

  // The model's own classes stay the default when the files' labels are them; named ids and the user's classes are new classes.
  const suggestedMode = defaultMode(ids, model?.classNames ?? [], { names, custom: useCustom });
  const mode: FineTuneMode = useCustom && chosenMode === 'same-labels' ? 'new-head' : chosenMode ?? suggestedMode;
  // A large head trains its logit layer alone unless the user picks the whole head.
  const headLayers: HeadLayers = chosenHead ?? (model ? defaultHeadLayers(model.sizes) : FINETUNE_DEFAULTS.headLayers);

  useEffect(() => {
    let live = true;
    void client(mode, headLayers, labels, names).then((p) => { if (live) setPlan(p); });
    return () => { live = false; };
  }, [client, mode, headLayers, videoCount, model?.id, labels, names, measured]);

  // The classes the labels use: the videos' ids (the model's classes for same labels), or the user's classes in use.
  const classesUsed = useCustom
    ? custom.classNames.filter((_, i) => Object.values(custom.assignments).some((ls) => ls.includes(i))).length
    : mode === 'same-labels' ? ids.length : plan?.classNames.length ?? ids.length;
  const size = { videos: plan?.labeled ?? 0, classes: Math.max(1, classesUsed) };
  const fitted = recommendedSettings(mode, size, { validationFraction: edited.validationFraction, batchSize: edited.batchSize });
  const config: TrainingConfig = {
    ...FINETUNE_DEFAULTS, mode, headLayers,
    learningRate: fitted.learningRate, epochs: fitted.epochs, batchSize: fitted.batchSize, validationFraction: fitted.validationFraction,
    ...edited,
  };
  const edit = (p: Partial<Editable>) => setEdited((e) => ({ ...e, ...p }));
  const heldOut = validationCount(size.videos, config.validationFraction);
  const patience = defaultPatience(config.epochs, size.videos - heldOut, config.batchSize);
  const steps = Math.ceil(Math.max(1, size.videos - heldOut) / Math.max(1, config.batchSize));
  const smallValidation = plan && plan.labeled >= 2 ? validationNote(size, config.validationFraction) : null;

  const { state } = training;
  const running = trainingActive(state);
  const finished = state === 'done' || state === 'stopped';
  const onSegments = trainOnSegments && rated.videos > 0;
  const canStart = !running && model !== null && (onSegments ? rated.videos >= 2 : (plan?.labeled ?? 0) >= 2);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!canStart) return;
    void start({ ...config, labels, classNames: names, segments: onSegments ? { window: segmentWindow } : null });
  };
  const last = training.epochs.at(-1);
  const kept = keptEpoch(training.epochs);
  const slow = plan !== null && model !== null && isSlowFineTune(model.sizes, config.mode, plan, config.epochs);
  const showNames = !useCustom && (config.mode !== 'same-labels' || chosenMode === null);
  const modelNames = (model?.classNames ?? []);

  return (
    <section id="finetune" tabIndex={-1} className="card training" aria-labelledby={`${id}-title`} data-testid="training" data-state={state} data-epochs={training.epochs.length} data-mode={config.mode}>
      <div className="card-head">
        <h2 id={`${id}-title`}>Fine-tune</h2>
        <span className="muted small" data-testid="training-state" role="status">{stateText(training.state, training.epochs.length, training.epochsPlanned)}</span>
      </div>
      <p className="muted small card-sub">
        Teach the model your labels, in this page: it trains on the labeled videos in the list (labels from the files, or classes you make below), holds some out to validate, and you take the weights home.
        {' '}The settings below are set from your data; Start uses them.
      </p>
      {/* First in the card, so that the keyboard reaches them at once; aria-disabled rather than disabled, so that the
          button pressed keeps the focus as the run starts, pauses and stops. */}
      <div className="training-buttons" role="group" aria-label="Fine-tune controls">
        <button type="submit" form={`${id}-form`} className="btn btn-primary" aria-disabled={!canStart || undefined}>Start</button>
        <button type="button" className="btn" aria-disabled={(state !== 'running' && state !== 'paused') || undefined}
          onClick={() => { if (state === 'paused') void resume(); else if (state === 'running') void pause(); }}>
          {state === 'paused' ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="btn" aria-disabled={!running || undefined} onClick={() => { if (running) void stop(); }}>Stop</button>
      </div>
      <LabelEditor disabled={running} />
      <form id={`${id}-form`} onSubmit={submit} className="training-form">
        <SegmentTrainingToggle checked={onSegments} onChange={setTrainOnSegments} disabled={running} rated={rated} />
        <fieldset className="training-modes" disabled={running}>
          <legend className="field-label">What to train</legend>
          {MODES.map((m) => (
            <label key={m.value} className="radio" title={m.help}>
              <input type="radio" name={`${id}-mode`} value={m.value} checked={config.mode === m.value} onChange={() => setChosenMode(m.value)}
                disabled={useCustom && m.value === 'same-labels'} />
              {m.label}
            </label>
          ))}
          {config.mode === 'new-head' && (
            <label className="field-inline small">
              Layers
              <select value={config.headLayers} onChange={(e) => setChosenHead(e.target.value as HeadLayers)} aria-label="Head layers to train">
                <option value="whole-head">whole head (fc1, fc2, logits)</option>
                <option value="last-layer">last layer only</option>
              </select>
            </label>
          )}
        </fieldset>
        <p className="small muted mode-help" data-testid="training-mode-help">
          {MODES.find((m) => m.value === config.mode)!.help.replace(/^./, (c) => c.toUpperCase())}.
          {chosenMode === null && !useCustom && config.mode === 'same-labels' && (
            <> Chosen because the files’ labels are this model’s own classes ({ids.slice(0, 3).map((i) => modelNames[i]).join(', ')}{ids.length > 3 ? ', …' : ''}): their names and what the model knows of them are kept. To teach new classes, name the label ids below or pick “New head”.</>
          )}
          {chosenMode === null && !useCustom && config.mode === 'new-head' && names && <> Chosen because the label ids are named: they are new classes.</>}
        </p>
        {showNames && (
          <label className="field">
            <span className="field-label">Names of the files’ label ids (optional, comma-separated, from id 0){config.mode === 'same-labels' ? ': naming them teaches them as new classes' : ''}</span>
            <input type="text" value={fileNames} disabled={running} onChange={(e) => { setFileNames(e.target.value); setNamesTyped(true); }}
              placeholder={config.mode === 'same-labels' ? `names for label ids ${ids.slice(0, 4).join(', ')}${ids.length > 4 ? ', …' : ''}` : plan?.classNames.join(', ') || 'class 0, class 1, …'}
              data-testid="train-class-names" />
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
          <NumberField label="Learning rate" value={config.learningRate} step="any" min={0} disabled={running} onChange={(v) => edit({ learningRate: v })} testId="lr" />
          <NumberField label="Epochs" value={config.epochs} step="1" min={1} disabled={running} onChange={(v) => edit({ epochs: Math.round(v) })} testId="epochs" />
          <NumberField label="Batch size" value={config.batchSize} step="1" min={1} disabled={running} onChange={(v) => edit({ batchSize: Math.round(v) })} testId="batch" />
          <NumberField label="Validation %" value={Math.round(config.validationFraction * 100)} step="1" min={0} max={90} disabled={running}
            onChange={(v) => edit({ validationFraction: v / 100 })} testId="validation" />
        </div>
        {plan && plan.labeled >= 2 && (
          <p className="small muted training-fitted" data-testid="training-fitted">
            {Object.keys(edited).length === 0 ? 'Set from your data' : 'Suggested for your data'} ({plan.labeled} videos, {size.classes} class{size.classes === 1 ? '' : 'es'}):
            {' '}{config.mode === 'new-head' ? 'a new layer learns at 0.01' : 'a trained head is refined at 0.001'}, {fitted.epochs} epochs ({steps} step{steps === 1 ? '' : 's'} each), {Math.round(fitted.validationFraction * 100)}% held out.
            {' '}Training stops early when the validation loss has not improved for {patience} epochs, and the best epoch’s weights are kept.
            {Object.keys(edited).length > 0 && (
              <> <button type="button" className="link-btn" disabled={running} onClick={() => setEdited({})}>Use these</button></>
            )}
          </p>
        )}
        {plan && (
          <p className="small training-plan" data-testid="training-cost">
            {plan.labeled} labeled video{plan.labeled === 1 ? '' : 's'} of {plan.videos} · {plan.classNames.length} class{plan.classNames.length === 1 ? '' : 'es'} ·
            {' '}{heldOut} held out to validate ·
            {' '}cost ≈ <span className="tabular">{formatMacs(plan.cachingMacs)}</span> multiply-adds to cache features, then
            {' '}<span className="tabular">{formatMacs(plan.epochMacs)}</span> per epoch
            {' '}(<span className="tabular">{formatMacs(plan.cachingMacs + plan.epochMacs * config.epochs)}</span> in all)
          </p>
        )}
        {plan && plan.notes.length > 0 && (
          <ul className="small muted training-notes" data-testid="training-notes">
            {plan.notes.map((n) => <li key={n}>{n.charAt(0).toUpperCase() + n.slice(1)}.</li>)}
          </ul>
        )}
        {smallValidation && (
          <p className="small notice notice-warning" role="note" data-testid="training-small-validation">
            {smallValidation.charAt(0).toUpperCase() + smallValidation.slice(1)}.
          </p>
        )}
        {plan && plan.labeled < 2 && (
          <p className="small error-text">
            {useCustom ? 'Assign your classes to at least 2 videos to fine-tune.' : 'Add at least 2 videos with labels (a TFRecord with labels, for example), or make your own classes, to fine-tune.'}
          </p>
        )}
        {slow && plan && (
          <p className="small notice notice-warning" role="note" data-testid="training-slow">
            {slowWarning(plan, config.epochs, config.mode === 'new-head' ? '“Last layer only”' : '“New head”')}
          </p>
        )}
      </form>
      {state === 'caching' && training.caching && (
        <div className="progress">
          <div className="progress-text"><span>Caching features</span><span className="muted tabular">{training.caching.done} of {training.caching.total} videos</span></div>
          <div className="progress-track" role="progressbar" aria-label="Caching features" aria-valuemin={0} aria-valuemax={training.caching.total} aria-valuenow={training.caching.done}>
            <div className="progress-fill" style={{ width: `${training.caching.total ? (100 * training.caching.done) / training.caching.total : 0}%` }} />
          </div>
        </div>
      )}
      {training.message && state === 'error' && <p className="small error-text" role="alert">{training.message}</p>}
      {training.epochs.length > 0 && (
        <div className="training-charts">
          <LossChart epochs={training.epochs} />
          <QualityChart epochs={training.epochs} />
        </div>
      )}
      {training.epochs.length > 0 && (
        <details className="values">
          <summary>Show epochs as a table</summary>
          <table data-testid="epoch-table">
            <thead><tr><th scope="col">Epoch</th><th scope="col">Training loss</th><th scope="col">Validation loss</th><th scope="col">Validation GAP</th><th scope="col">Validation Hit@1</th><th scope="col">Seconds</th></tr></thead>
            <tbody>
              {training.epochs.map((e) => (
                <tr key={e.epoch} data-epoch={e.epoch} data-train-loss={e.trainLoss} data-validation-loss={e.validationLoss} data-kept={e.epoch === kept || undefined}>
                  <td>{e.epoch}{e.epoch === kept && <span className="chip chip-small">kept</span>}</td><td className="tabular">{e.trainLoss.toFixed(4)}</td><td className="tabular">{fmt(e.validationLoss)}</td>
                  <td className="tabular">{formatMetric(e.validationGap)}</td><td className="tabular">{formatMetric(e.validationHitAt1)}</td><td className="tabular">{e.seconds.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {last && !training.report && <p className="muted small">Epoch {last.epoch}: training loss {last.trainLoss.toFixed(4)}, validation loss {fmt(last.validationLoss)}</p>}
      {last && training.report && (last.stoppedEarly || kept !== null) && (
        <p className="small training-kept" data-testid="training-kept" data-kept={kept ?? undefined}>
          {last.stoppedEarly && <>Stopped early after epoch {last.epoch}: the validation loss had not improved for {last.epoch - (last.bestEpoch ?? 0)} epochs. </>}
          {kept === 0
            ? <>Training never beat the starting point on the validation videos, so the model is kept as it was.</>
            : kept !== null ? <>The weights of epoch {kept}, the best on the validation videos, are kept: the numbers below, the live view, Save and the downloads use them.</> : null}
        </p>
      )}
      {training.report && training.before && (
        <div className="training-result">
          <h3 className="field-label">Validation ({training.validationVideos} held-out video{training.validationVideos === 1 ? '' : 's'}, {training.trainVideos} trained on): before → after</h3>
          <dl className="metrics training-compare" data-testid="training-compare">
            <Compare label="Validation loss" before={training.before.loss} after={training.report.after.loss} k="loss" />
            <Compare label="Validation GAP" before={training.before.gap} after={training.report.after.gap} k="gap" />
            <Compare label="Validation Hit@1" before={training.before.hitAt1} after={training.report.after.hitAt1} k="hitAt1" />
          </dl>
          <SegmentTrainingResult report={training.report} />
          <MetricsGlossary metrics={['gap', 'hit_at_1']} summary="What validation GAP and Hit@1 mean" />
          <table className="per-class" data-testid="per-class">
            <caption className="sr-only">Average precision per class on the validation videos</caption>
            <thead><tr><th scope="col">Class</th><th scope="col">AP on the validation videos</th><th scope="col">Labeled videos (train + validation)</th></tr></thead>
            <tbody>
              {training.report.perClass.map((c) => (
                <tr key={c.name} data-ap={Number.isNaN(c.ap) ? undefined : c.ap} data-count={c.count}>
                  <td>{c.name}</td><td className="tabular">{Number.isFinite(c.ap) ? formatMetric(c.ap) : <span title="no validation video has this class">— (none held out)</span>}</td><td className="tabular">{c.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {finished && training.report && training.report.epochs > 0 && (
        <div className="training-actions" role="group" aria-label="Keep the fine-tuned model">
          <button type="button" className="btn btn-primary" disabled={training.busy !== null || training.saved !== null} onClick={() => void save()}>
            {training.saved ? 'Saved' : training.busy === 'saving' ? 'Saving…' : 'Save model'}
          </button>
          {DOWNLOADS.map((d) => (
            <button key={d.format} type="button" className="btn" disabled={training.busy !== null || (d.format === 'pdparams-combined' && model?.variant === 'paddlevideo2')}
              title={d.format === 'pdparams-combined' && model?.variant === 'paddlevideo2' ? 'Paddle 2 loads pickles only' : undefined}
              onClick={async () => {
                const file = await exportTrained(d.format);
                if (file) download(file.name, 'application/octet-stream', file.bytes);
              }}>
              {d.label}
            </button>
          ))}
          {training.saved
            ? <p className="muted small" data-testid="training-saved">Saved as “{training.saved.name}” in this browser and applied to every listed video: it is listed under Models, and “Compare models” below sets it beside the model before, one click away.</p>
            : <p className="muted small">Save model keeps it in this browser and applies it to every listed video, beside the model before for a comparison.</p>}
        </div>
      )}
    </section>
  );
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(4) : '—';
}

function Compare({ label, before, after, k }: { label: string; before: number; after: number; k: keyof TrainingValidation }) {
  const f = k === 'loss' ? fmt : formatMetric;
  return (
    <div className="metric">
      <dt>{label}</dt>
      <dd data-metric={k} data-before={before} data-after={after}><span className="muted">{f(before)}</span> → {f(after)}</dd>
    </div>
  );
}

function NumberField({ label, value, onChange, step, min, max, disabled, testId }: {
  label: string; value: number; onChange: (v: number) => void; step: string; min?: number; max?: number; disabled: boolean; testId: string;
}) {
  const [text, setText] = useState(String(value));
  useEffect(() => setText((t) => (Number(t) === value ? t : String(value))), [value]);
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      <input type="number" inputMode="decimal" value={text} step={step} min={min} max={max} disabled={disabled} data-testid={`train-${testId}`}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (e.target.value !== '' && Number.isFinite(v) && v >= (min ?? -Infinity)) onChange(v);
        }} />
    </label>
  );
}

function stateText(state: string, done: number, planned: number): string {
  switch (state) {
    case 'idle': return 'not started';
    case 'caching': return 'caching features…';
    case 'running': return `training · epoch ${done} of ${planned}`;
    case 'paused': return `paused after epoch ${done}`;
    case 'stopped': return `stopped after epoch ${done}`;
    case 'done': return `done · ${done} epochs`;
    default: return 'failed';
  }
}
