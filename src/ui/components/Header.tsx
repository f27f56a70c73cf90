import { BACKEND_CHOICE_LABEL, adapterLabel, type BackendChoice } from '../../protocol/protocol';
import { useApp, useAppShallow } from '../state/context';
import { SETTINGS } from '../state/urlState';
import { ExportButtons } from './ExportButtons';

export function Header() {
  return (
    <header className="header">
      <div className="brand">
        <img src="/favicon.svg" alt="" width={28} height={28} />
        <div>
          <h1>
            AttentionLSTM<span className="brand-tail"> playground</span>
          </h1>
          <p className="brand-sub">YouTube-8M video classification in your browser</p>
        </div>
      </div>
      <div className="header-tools">
        <BackendControl />
        <ExportButtons />
      </div>
    </header>
  );
}

function BackendControl() {
  const requested = useApp((s) => s.settings.backend);
  const choose = useApp((s) => s.chooseBackend);
  return (
    <div className="backend-control">
      <label className="field-inline">
        <span className="field-label">{SETTINGS.backend.label}</span>
        <select value={requested} onChange={(e) => void choose(e.target.value as BackendChoice)} aria-describedby="backend-status">
          {SETTINGS.backend.choices.map((c) => (
            <option key={c} value={c}>
              {BACKEND_CHOICE_LABEL[c]}
            </option>
          ))}
        </select>
      </label>
      <BackendBadge />
    </div>
  );
}

/** The backend in use and the adapter, always visible. */
function BackendBadge() {
  const [status] = useAppShallow((s) => [s.backend]);
  const state = status?.state ?? 'starting';
  const active = status?.active ?? null;
  const adapter = adapterLabel(status?.adapter ?? null);
  return (
    <div id="backend-status" className="backend-badge" data-state={state} data-testid="backend-status" role="status" aria-live="polite">
      <span className={`dot dot-${state}`} aria-hidden="true" />
      <span className="backend-name">
        <span className="sr-only">Running on </span>
        <span data-testid="active-backend" data-backend={active ?? ''}>
          {active ?? (state === 'failed' ? 'none' : 'starting…')}
        </span>
        {state === 'recovering' && <span className="muted"> (recovering)</span>}
        {state === 'warming' && <span className="muted"> ({active === 'webgpu' ? 'compiling kernels' : 'preparing the model'}…)</span>}
        {active === 'wasm' && status?.threads && (
          <span className="muted" data-testid="wasm-threads" data-threads={status.threads}>
            {' '}
            · {status.threads} {status.threads === 1 ? 'thread' : 'threads'}
          </span>
        )}
      </span>
      <span className="backend-adapter" data-testid="adapter" title={adapter ?? undefined}>
        {adapter ? <>GPU: {adapter}</> : status ? 'no WebGPU adapter' : ''}
      </span>
    </div>
  );
}
