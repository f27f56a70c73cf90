import { describe, expect, it } from 'vitest';
import { FINETUNE_DEFAULTS } from '../../../core/training/policy';
import { fileEvent, storeHarness, TEST_MODEL, testResult } from '../../../../tools/testing/storeHarness';

describe('the fine-tune slice', () => {
  const epoch = (n: number) => ({
    epoch: n,
    trainLoss: 1 / n,
    validationLoss: 2 / n,
    validationGap: 0.5,
    validationHitAt1: 0.5,
    seconds: 0.01,
  });

  it('shows epoch reports in order, batched, and flushes them before the state that follows', () => {
    const { state, fake } = storeHarness();
    fake.emit({
      type: 'trainingProgress',
      progress: {
        phase: 'start',
        classNames: ['x', 'y'],
        trainVideos: 8,
        validationVideos: 2,
        epochs: 3,
        before: { loss: 3, gap: 0.1, hitAt1: 0 },
      },
    });
    for (let i = 1; i <= 3; i++) fake.emit({ type: 'trainingProgress', progress: { phase: 'epoch', report: epoch(i) } });
    // Batched: not in the state yet...
    expect(state().training.epochs).toHaveLength(0);
    // ...but a state change never overtakes them.
    fake.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'done' } });
    const t = state().training;
    expect(t.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(t.state).toBe('done');
    expect(t.classNames).toEqual(['x', 'y']);
  });

  it('keeps the user’s classes multi-label and re-indexes assignments when a class is removed', () => {
    const { state: st } = storeHarness();
    st().addClass('alpha');
    st().addClass(' beta ');
    st().addClass('alpha');
    st().addClass('gamma');
    expect(st().customLabels.classNames).toEqual(['alpha', 'beta', 'gamma']);
    st().toggleLabel('f#0', 2);
    st().toggleLabel('f#0', 0);
    st().toggleLabel('f#1', 1);
    st().toggleLabel('f#2', 0);
    st().toggleLabel('f#2', 0);
    expect(st().customLabels.assignments).toEqual({ 'f#0': [0, 2], 'f#1': [1] });
    st().removeClass(1);
    expect(st().customLabels).toEqual({ classNames: ['alpha', 'gamma'], assignments: { 'f#0': [0, 1] } });
  });

  it('asks for the selected video’s live view as it trains, follows the selection, and drops it with the model', async () => {
    const { state: st, fake } = storeHarness();
    fake.emit({ type: 'model', model: TEST_MODEL });
    fake.emit(fileEvent('a', [[0], [1]]));
    st().selectVideo(1);
    await st().startTraining({ ...FINETUNE_DEFAULTS, epochs: 5 });
    expect(fake.calls.find((c) => c.type === 'startTraining')?.args).toMatchObject({ config: { watch: 'a#1' } });
    fake.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'running' } });
    fake.emit({ type: 'trainingPrediction', epoch: 2, result: testResult('a#1', [0.3, 0.7]) });
    expect(st().training.live).toMatchObject({ epoch: 2, result: { key: 'a#1' } });
    expect(st().training).toMatchObject({ mode: 'new-head', customLabels: false, showLive: true });
    st().selectVideo(0);
    expect(fake.calls.filter((c) => c.type === 'watchTraining').map((c) => c.args)).toEqual([{ key: 'a#0' }]);
    st().setShowLive(false);
    expect(st().training.showLive).toBe(false);
    // What the worker can only do after the run says so at once.
    await st().chooseBackend('cpu');
    expect(st().notices.at(-1)?.message).toBe('The backend switches to cpu when the fine-tune ends; stop it to do this now.');
    // Once it is over, selecting another video asks for nothing.
    fake.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'done' } });
    st().selectVideo(1);
    expect(fake.calls.filter((c) => c.type === 'watchTraining')).toHaveLength(1);
    fake.emit({ type: 'model', model: { ...TEST_MODEL, id: 'tuned' } });
    expect(st().training.live).toBeNull();
  });

  it('shows why a fine-tune failed, and names a saved model in the URL', async () => {
    const saved = { ...TEST_MODEL, id: 'trained:1' };
    const { state: st, url } = storeHarness('', {
      startTraining: () => {
        throw new Error('fine-tuning needs at least 2 labeled videos (got 1)');
      },
      saveTrained: () => saved,
    });
    await st().startTraining(FINETUNE_DEFAULTS);
    expect(st().training).toMatchObject({ state: 'error', message: 'fine-tuning needs at least 2 labeled videos (got 1)' });
    expect(st().notices.at(-1)?.message).toBe('The fine-tune failed: fine-tuning needs at least 2 labeled videos (got 1)');
    await st().saveTrained();
    expect(st().training).toMatchObject({ saved, busy: null });
    expect(url()).toBe('?model=cache%3Atrained%3A1');
  });
});
