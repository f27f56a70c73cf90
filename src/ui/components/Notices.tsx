import { useRef, useState } from 'react';
import { useApp, useAppShallow } from '../state/context';
import type { Notice } from '../state/slices/notices';

/** A notice's first words, to tell its dismiss button from the others'. */
function gist(message: string): string {
  const words = message.split(/\s+/);
  return words.length > 8 ? `${words.slice(0, 8).join(' ')}…` : message;
}

/**
 * Errors, warnings and notes, where the user is looking wherever they have
 * scrolled: a stack at the bottom of the window, in a live region (errors as
 * alerts), the same message once with a count, at most MAX_NOTICES, each
 * dismissible and all at once. A dismissed notice hands focus to the next.
 */
export function Notices() {
  const [notices, dropped] = useAppShallow((s) => [s.notices, s.noticesDropped]);
  const [dismiss, dismissAll] = useAppShallow((s) => [s.dismiss, s.dismissAll]);
  const list = useRef<HTMLDivElement>(null);

  const focusAfter = (index: number) => {
    // The next notice's dismiss button (or the one before), else the main area.
    requestAnimationFrame(() => {
      const buttons = list.current?.querySelectorAll<HTMLButtonElement>('.notice-dismiss') ?? [];
      const next = buttons[Math.min(index, buttons.length - 1)];
      (next ?? document.getElementById('main'))?.focus({ preventScroll: true });
    });
  };

  return (
    <section className="toasts" aria-label="Messages" data-testid="notices" data-count={notices.length}>
      <div ref={list} className="toasts-list" aria-live="polite">
        {notices.map((n, i) => (
          <NoticeItem
            key={n.id}
            notice={n}
            onDismiss={() => {
              dismiss(n.id);
              focusAfter(i);
            }}
          />
        ))}
      </div>
      {(notices.length > 1 || dropped > 0) && (
        <div className="toasts-foot">
          {dropped > 0 && (
            <span className="muted small">
              {dropped} older message{dropped === 1 ? '' : 's'} dropped
            </span>
          )}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              dismissAll();
              focusAfter(0);
            }}
            data-testid="dismiss-all"
          >
            Dismiss all {notices.length} messages
          </button>
        </div>
      )}
    </section>
  );
}

/** Past this many characters a message is cut to three lines on a phone, with a button to read it whole. */
const LONG_MESSAGE = 110;

function NoticeItem({ notice: n, onDismiss }: { notice: Notice; onDismiss: () => void }) {
  const [open, setOpen] = useState(false);
  const long = n.message.length > LONG_MESSAGE;
  return (
    <div
      className={`notice toast notice-${n.level}${open ? ' toast-open' : ''}`}
      role={n.level === 'error' ? 'alert' : undefined}
      data-testid={`notice-${n.level}`}
      data-count={n.count}
    >
      {n.level === 'info' ? <InfoIcon /> : <AlertIcon />}
      <div className="toast-body">
        <p>
          <span className="sr-only">{n.level === 'info' ? 'Note' : n.level === 'warning' ? 'Warning' : 'Error'}: </span>
          {n.message}
          {n.count > 1 && (
            <span className="notice-count" title={`said ${n.count} times`}>
              {' '}
              ×{n.count}
            </span>
          )}
        </p>
        {long && (
          <button type="button" className="link-btn toast-more" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Show less' : 'Show all'}
            <span className="sr-only"> of the message: {gist(n.message)}</span>
          </button>
        )}
      </div>
      <button type="button" className="icon-btn notice-dismiss" onClick={onDismiss} aria-label={`Dismiss this message: ${gist(n.message)}`}>
        <CloseIcon />
      </button>
    </div>
  );
}

/** Why the page runs on the backend it does (a fallback, a software adapter), above the results. */
export function BackendNote() {
  const [reason, state] = useAppShallow((s) => [s.backend?.reason ?? null, s.backend?.state]);
  const failed = state === 'failed';
  const hidden = useApp((s) => s.backendNoteHidden);
  const hide = useApp((s) => s.hideBackendNote);
  if (!reason || (hidden === reason && !failed)) return null;
  return (
    <div className={`notice backend-note notice-${failed ? 'error' : 'info'}`} data-testid="backend-reason" role="status">
      <InfoIcon />
      <p>{reason}</p>
      {!failed && (
        <button type="button" className="icon-btn" onClick={() => hide(reason)} aria-label="Hide this note">
          <CloseIcon />
        </button>
      )}
    </div>
  );
}

function CloseIcon() {
  return (
    <svg
      width="16"
      height="16"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      aria-hidden="true"
    >
      <path d="M6 6l12 12M18 6 6 18" />
    </svg>
  );
}

function InfoIcon() {
  return (
    <svg
      className="notice-icon"
      width="18"
      height="18"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      aria-hidden="true"
    >
      <circle cx="12" cy="12" r="9" />
      <path d="M12 11v5M12 8h.01" />
    </svg>
  );
}

function AlertIcon() {
  return (
    <svg
      className="notice-icon"
      width="18"
      height="18"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d="M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
      <path d="M12 9v4M12 17h.01" />
    </svg>
  );
}
