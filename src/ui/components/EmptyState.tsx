import { DropIcon } from './icons';
import { useApp } from '../state/context';
import { FileButtons } from './FileButtons';
import { TRY_FINE_TUNING_SET, TryFineTuning } from './TryFineTuning';

/** What the main area shows before any video: how to start, in one click. */
export function EmptyState() {
  const model = useApp((s) => s.model);
  const loadSamples = useApp((s) => s.loadSamples);
  return (
    <section className="empty" aria-labelledby="empty-title">
      <div className="empty-icon"><DropIcon size={44} /></div>
      <h2 id="empty-title">Drop YouTube-8M frame features here</h2>
      <p className="muted">
        Drop <strong>TFRecord</strong>, <strong>pkl</strong>, <strong>npy</strong> or <strong>JSON</strong> feature files anywhere on the page,
        or try the bundled samples. Each video gets per-class probabilities and the model’s attention over time, second by second.
      </p>
      <FileButtons large />
      <TryFineTuning onClick={() => void loadSamples(TRY_FINE_TUNING_SET)} />
      <p className="muted small">
        {model
          ? <>Model ready: <strong>{model.name}</strong>, {model.sizes.classes.toLocaleString('en-US')} classes. Nothing leaves your computer.</>
          : 'The model is loading. Nothing leaves your computer.'}
      </p>
    </section>
  );
}
