import { useApp, useAppShallow } from '../state/context';

/** Errors and warnings, and the note about the backend; each stays until dismissed. */
export function Notices() {
  const notices = useApp((s) => s.notices);
  const dismiss = useApp((s) => s.dismiss);
  const [reason, state] = useAppShallow((s) => [s.backend?.reason ?? null, s.backend?.state]);
  if (!notices.length && !reason) return null;
  return (
    <div className="notices">
      {reason && (
        <div className={`notice notice-${state === 'failed' ? 'error' : 'info'}`} data-testid="backend-reason">
          <InfoIcon />
          <p>{reason}</p>
        </div>
      )}
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'} data-testid={`notice-${n.level}`}>
          {n.level === 'info' ? <InfoIcon /> : <AlertIcon />}
          <p>{n.message}</p>
          <button type="button" className="icon-btn" onClick={() => dismiss(n.id)} aria-label="Dismiss this message">
            <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18" /></svg>
          </button>
        </div>
      ))}
    </div>
  );
}

function InfoIcon() {
  return (
    <svg className="notice-icon" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true">
      <circle cx="12" cy="12" r="9" /><path d="M12 11v5M12 8h.01" />
    </svg>
  );
}

function AlertIcon() {
  return (
    <svg className="notice-icon" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" /><path d="M12 9v4M12 17h.01" />
    </svg>
  );
}
