import { type FormEvent, useId, useState } from 'react';
import { formatBytes, formatCount } from '../formatNumbers';
import { ConfirmDelete } from '../library/ConfirmDelete';
import { useApp, useAppShallow } from '../state/context';
import { SETTINGS } from '../state/urlState';
import { FilePicker } from './FilePicker';
import { ProgressBar } from './ProgressBar';

export function ModelPanel() {
  const [model, loading, error] = useAppShallow((s) => [s.model, s.loading, s.modelError]);
  // With no videos, the empty state in the main area says why the model failed and what to do: said once, there.
  const emptyStateShown = useApp((s) => s.videos.length === 0);
  return (
    <section className="card" aria-labelledby="model-title" data-testid="model-panel">
      <div className="card-head">
        <h2 id="model-title">Model</h2>
        {model?.fromCache && <span className="tag">from cache</span>}
      </div>
      {loading && (
        <ProgressBar
          label={`${loading.task === 'convert' ? 'Converting' : 'Loading'} ${loading.name}`}
          loaded={loading.loaded}
          total={loading.total}
          detail={loading.file ?? undefined}
        />
      )}
      {model ? (
        <div className="model-info" data-testid="model-info">
          <p className="model-name">{model.name}</p>
          <dl className="facts">
            <div>
              <dt>Variant</dt>
              <dd>{model.variant}</dd>
            </div>
            <div>
              <dt>Classes</dt>
              <dd>{model.sizes.classes.toLocaleString('en-US')}</dd>
            </div>
            <div>
              <dt>Parameters</dt>
              <dd>{formatCount(model.parameters)}</dd>
            </div>
            <div>
              <dt>Size</dt>
              <dd>{formatBytes(model.bytes)}</dd>
            </div>
          </dl>
          {model.description && <p className="muted small">{model.description}</p>}
        </div>
      ) : !loading && !error ? (
        <p className="muted small">Starting…</p>
      ) : null}
      {error && !loading && (
        <p className="error-text small" data-testid="model-panel-error">
          {emptyStateShown ? 'No model loaded: the main area says why, and what to do.' : <>The model could not be loaded: {error}</>}
        </p>
      )}
      <FrameCap />
      <details className="model-more" open={(!model && !!error) || undefined}>
        <summary>Load another model</summary>
        <ModelSources />
      </details>
      <CachedModels />
    </section>
  );
}

function ModelSources() {
  const loadUrl = useApp((s) => s.loadModelUrl);
  const addFiles = useApp((s) => s.addFiles);
  const busy = useApp((s) => s.loading !== null);
  const [url, setUrl] = useState('');
  const urlId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (url.trim()) void loadUrl(url);
  };
  return (
    <div className="model-sources">
      <form onSubmit={submit} className="url-form">
        <label htmlFor={urlId} className="field-label">
          model.json URL
        </label>
        <div className="input-row">
          <input id={urlId} type="url" placeholder="https://…/model.json" value={url} onChange={(e) => setUrl(e.target.value)} />
          <button type="submit" className="btn" disabled={busy || !url.trim()}>
            Load
          </button>
        </div>
      </form>
      <div className="source-buttons">
        {/* A folder: a converted model (model.json and shards), a Paddle parameter folder, or an exported model's folder. */}
        <FilePicker
          label="Open a model folder"
          className="btn btn-small file-label"
          pick="folder"
          onFiles={(files) => void addFiles(files)}
        />
        <FilePicker
          label="Convert Paddle weights"
          className="btn btn-small file-label"
          accept=".pdparams,.pdckpt,.pdmodel,.pdiparams"
          onFiles={(files) => void addFiles(files)}
        />
      </div>
      <p className="muted small">
        Or drop them on the page: a converted model folder, a Paddle <code>.pdparams</code> or <code>.pdckpt</code>, a parameter folder, or
        an exported <code>.pdmodel</code> with its <code>.pdiparams</code>. Paddle weights are converted here, in your browser, and cached.
      </p>
    </div>
  );
}

function CachedModels() {
  const [cached, currentId] = useAppShallow((s) => [s.cachedModels, s.model?.id ?? null]);
  const loadModel = useApp((s) => s.loadModel);
  const remove = useApp((s) => s.deleteCachedModel);
  const [asking, setAsking] = useState<string | null>(null);
  const askFor = cached.find((m) => m.id === asking);
  if (cached.length === 0) return null;
  const total = cached.reduce((n, m) => n + m.bytes, 0);
  return (
    <div className="cached" data-testid="cached-models">
      <h3>
        Cached in this browser <span className="muted">· {formatBytes(total)}</span>
      </h3>
      <ul>
        {cached.map((m) => (
          <li key={m.id} className="cached-row">
            <div className="cached-main">
              <span className="cached-name" title={m.source}>
                {m.name}
              </span>
              <span className="muted small">
                {formatBytes(m.bytes)} · {new Date(m.savedAt).toLocaleDateString()}
              </span>
            </div>
            <div className="cached-actions">
              {m.id !== currentId ? (
                <button
                  type="button"
                  className="btn btn-small btn-ghost"
                  onClick={() => void loadModel({ kind: 'cached', id: m.id })}
                  aria-label={`Load ${m.name}`}
                >
                  Load
                </button>
              ) : (
                <span className="tag">in use</span>
              )}
              <button
                type="button"
                className="btn btn-small btn-ghost btn-danger"
                onClick={() => setAsking(m.id)}
                aria-label={`Delete ${m.name} from the cache`}
              >
                Delete
              </button>
            </div>
          </li>
        ))}
      </ul>
      {askFor && (
        <ConfirmDelete
          model={askFor}
          inUse={askFor.id === currentId}
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            void remove(askFor.id);
          }}
        />
      )}
    </div>
  );
}

/** The frame cap: at most this many frames of each video added from now on are used (300, as YouTube-8M's reader). */
function FrameCap() {
  const id = useId();
  const [cap, setCap] = useAppShallow((s) => [s.settings.maxFrames, s.setMaxFrames]);
  const [text, setText] = useState(String(cap));
  const commit = () => {
    const n = Number(text);
    if (Number.isInteger(n) && n >= 1) void setCap(n);
    else setText(String(cap));
  };
  return (
    <div className="frame-cap">
      <label className="field-inline small" htmlFor={id}>
        <span className="field-label">{SETTINGS.maxFrames.label}</span>
        <input
          id={id}
          type="number"
          min={1}
          step={1}
          inputMode="numeric"
          value={text}
          className="frame-cap-input"
          onChange={(e) => setText(e.target.value)}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
          }}
          aria-describedby={`${id}-help`}
          data-testid="frame-cap"
        />
      </label>
      <p id={`${id}-help`} className="muted small">
        For files added from now on; longer videos are cut, and the page says so.
      </p>
    </div>
  );
}
