import { Fragment } from 'react';
import { FEATURE_FORMAT_LABELS } from '../../core/features/featureFormats';
import { DropIcon } from './icons';
import { useApp, useAppShallow } from '../state/context';
import { ChartWarmup } from './ChartWarmup';
import { FileButtons } from './FileButtons';
import { TRY_FINE_TUNING_SET, TryFineTuning } from './TryFineTuning';
import { TRY_SEGMENTS_SET, TrySegments } from '../timeline/TrySegments';

/** What the main area shows before any video: how to start, in one click, and whether the model is ready. */
export function EmptyState() {
  const loadSamples = useApp((s) => s.loadSamples);
  return (
    <section className="empty" aria-labelledby="empty-title">
      <div className="empty-icon">
        <DropIcon size={44} />
      </div>
      <h2 id="empty-title">Drop YouTube-8M frame features here</h2>
      <p className="muted">
        Drop <FormatList /> feature files anywhere on the page, or try the bundled samples. Each video gets per-class probabilities and the
        model’s attention over time, second by second.
      </p>
      <FileButtons large />
      <TryFineTuning onClick={() => void loadSamples(TRY_FINE_TUNING_SET)} />
      <TrySegments onClick={() => void loadSamples(TRY_SEGMENTS_SET)} />
      <ModelState />
      <ChartWarmup />
    </section>
  );
}

/** The formats as the table lists them, each in bold. */
function FormatList() {
  const last = FEATURE_FORMAT_LABELS.length - 1;
  return FEATURE_FORMAT_LABELS.map((label, i) => (
    <Fragment key={label}>
      {i === 0 ? '' : i === last ? ' or ' : ', '}
      <strong>{label}</strong>
    </Fragment>
  ));
}

/** The model: ready, loading, or why it is not there and what to do. */
function ModelState() {
  const [model, loading, error] = useAppShallow((s) => [s.model, s.loading, s.modelError]);
  const loadUrl = useApp((s) => s.loadModelUrl);
  if (model) {
    return (
      <p className="muted small" data-testid="empty-model">
        Model ready: <strong>{model.name}</strong>, {model.sizes.classes.toLocaleString('en-US')} classes. Nothing leaves your computer.
      </p>
    );
  }
  if (error && !loading) {
    return (
      <div className="empty-model-error" data-testid="model-error">
        <p>
          <strong>The model could not be loaded:</strong> {error}
        </p>
        <p className="muted small">
          Videos you add wait for a model. Load the demo model, or another one from the Model panel (a URL, a folder, Paddle weights).
        </p>
        <div className="empty-model-actions">
          <button type="button" className="btn btn-primary" onClick={() => void loadUrl('')}>
            Load the demo model
          </button>
          <button type="button" className="btn" onClick={() => openModelPanel()}>
            Choose another model
          </button>
        </div>
      </div>
    );
  }
  return (
    <p className="muted small" role="status" data-testid="empty-model">
      {loading ? <>Loading the model{loading.name ? <> “{loading.name}”</> : null}… </> : 'Starting… '}Nothing leaves your computer.
    </p>
  );
}

/** Opens the Model panel's "Load another model" and moves focus into it. */
function openModelPanel() {
  const details = document.querySelector<HTMLDetailsElement>('[data-testid=model-panel] details.model-more');
  if (!details) return;
  details.open = true;
  const first = details.querySelector<HTMLElement>('input, button');
  first?.focus({ preventScroll: true });
  details.scrollIntoView({ block: 'center' });
}
