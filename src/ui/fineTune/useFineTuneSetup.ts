/**
 * The fine-tune card's settings as the user sees them: the mode, head and
 * parameters they chose, the rest fitted to the data by the policy
 * (core/training/policy.ts), the worker's plan for them, and whether Start can
 * run. One hook, so that the form, the controls and the card read one setup.
 */
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import type { SampleSetEntry } from '../../core/demo/sampleSets';
import {
  defaultHeadLayers,
  defaultMode,
  defaultPatience,
  FINETUNE_DEFAULTS,
  isSlowFineTune,
  recommendedSettings,
  validationCount,
  validationNote,
} from '../../core/training/policy';
import type { FineTuneMode, HeadLayers, TrainingConfig, TrainingPlan } from '../../protocol/protocol';
import { useApp, useAppShallow } from '../state/context';
import { filesKey, fineTuneClasses, hasResults, labelIdsKey, ratedCounts, trainingActive } from '../state/selectors';

/** The settings a user can change; the rest follow the data until they do. */
type Editable = Pick<TrainingConfig, 'optimizer' | 'learningRate' | 'epochs' | 'batchSize' | 'validationFraction'>;

export type FineTuneSetup = ReturnType<typeof useFineTuneSetup>;

export function useFineTuneSetup() {
  const [model, videoCount, state] = useAppShallow((s) => [s.model, s.videos.length, s.training.state]);
  const idsText = useApp((s) => labelIdsKey(s.videos));
  // The plan's time estimate needs the backend's measured speed, known once a video was predicted.
  const measured = useApp(hasResults);
  const [planTraining, start] = useAppShallow((s) => [s.planTraining, s.startTraining]);
  // Segment-rated videos loaded: the card can fine-tune on their rated segments instead (the segment challenge's recipe).
  const rated = useAppShallow((s) => ratedCounts(s.videos));
  const segmentWindow = useApp((s) => s.segments.window);
  const [trainOnSegments, setTrainOnSegments] = useState(false);
  const [custom, useCustom] = useAppShallow((s) => [s.customLabels, s.useCustomLabels]);
  const labels = useCustom ? custom : null;
  const [plan, setPlan] = useState<TrainingPlan | null>(null);
  /** What the user chose; left out, the policy decides from the data. */
  const [chosenMode, setChosenMode] = useState<FineTuneMode | null>(null);
  const [chosenHead, setChosenHead] = useState<HeadLayers | null>(null);
  const [edited, setEdited] = useState<Partial<Editable>>({});
  const labelNames = useFileLabelNames();
  const names = useMemo(
    () => (useCustom || !labelNames.text.trim() ? undefined : labelNames.text.split(',').map((n) => n.trim())),
    [useCustom, labelNames.text],
  );
  const ids = useMemo(() => (idsText ? idsText.split(',').map(Number) : []), [idsText]);

  // The model's own classes stay the default when the files' labels are them; named ids and the user's classes are new classes.
  const suggestedMode = defaultMode(ids, model?.classNames ?? [], { names, custom: useCustom });
  const mode: FineTuneMode = useCustom && chosenMode === 'same-labels' ? 'new-head' : (chosenMode ?? suggestedMode);
  // A large head trains its logit layer alone unless the user picks the whole head.
  const headLayers: HeadLayers = chosenHead ?? (model ? defaultHeadLayers(model.sizes) : FINETUNE_DEFAULTS.headLayers);

  useEffect(() => {
    let live = true;
    void planTraining(mode, headLayers, labels, names).then((p) => {
      if (live) setPlan(p);
    });
    return () => {
      live = false;
    };
  }, [planTraining, mode, headLayers, videoCount, model?.id, labels, names, measured]);

  const classesUsed = fineTuneClasses({ custom: labels, mode, fileIds: ids.length, planned: plan?.classNames.length ?? null });
  const size = { videos: plan?.labeled ?? 0, classes: Math.max(1, classesUsed) };
  const fitted = recommendedSettings(mode, size, { validationFraction: edited.validationFraction, batchSize: edited.batchSize });
  const config: TrainingConfig = {
    ...FINETUNE_DEFAULTS,
    mode,
    headLayers,
    learningRate: fitted.learningRate,
    epochs: fitted.epochs,
    batchSize: fitted.batchSize,
    validationFraction: fitted.validationFraction,
    ...edited,
  };
  const heldOut = validationCount(size.videos, config.validationFraction);

  const running = trainingActive(state);
  const onSegments = trainOnSegments && rated.videos > 0;
  const canStart = !running && model !== null && (onSegments ? rated.videos >= 2 : (plan?.labeled ?? 0) >= 2);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!canStart) return;
    void start({ ...config, labels, classNames: names, segments: onSegments ? { window: segmentWindow } : null });
  };

  return {
    model,
    plan,
    config,
    fitted,
    size,
    ids,
    names,
    labelNames,
    useCustom,
    chosenMode,
    edited,
    running,
    canStart,
    rated,
    onSegments,
    heldOut,
    patience: defaultPatience(config.epochs, size.videos - heldOut, config.batchSize),
    steps: Math.ceil(Math.max(1, size.videos - heldOut) / Math.max(1, config.batchSize)),
    smallValidation: plan && plan.labeled >= 2 ? validationNote(size, config.validationFraction) : null,
    slow: plan !== null && model !== null && isSlowFineTune(model.sizes, config.mode, plan, config.epochs),
    setChosenMode,
    setChosenHead,
    setTrainOnSegments,
    submit,
    edit: (p: Partial<Editable>) => setEdited((e) => ({ ...e, ...p })),
    resetEdits: () => setEdited({}),
  };
}

/**
 * Names for the files' label ids, comma-separated from id 0 (optional). A
 * bundled sample set (public/samples/index.json, `sets`) names its label ids:
 * its names fill the field until the user types.
 */
function useFileLabelNames() {
  const files = useApp((s) => filesKey(s.videos));
  const sampleIndex = useApp((s) => s.sampleIndex);
  const [text, setText] = useState('');
  const [typed, setTyped] = useState(false);
  useEffect(() => {
    if (typed || !files) return;
    let live = true;
    const loaded = new Set(files.split('\n'));
    sampleIndex()
      .then((idx) => {
        const set = ((idx as { sets?: SampleSetEntry[] }).sets ?? []).find((x) => x.files.some((f) => loaded.has(f.file)));
        if (live && set) setText(set.classNames.join(', '));
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [files, typed, sampleIndex]);
  return {
    text,
    type: (t: string) => {
      setText(t);
      setTyped(true);
    },
  };
}
