import { useEffect, useRef, useState } from 'react';
import { useApp, useAppShallow } from '../state/context';

/** How long an Undo is offered (ms); it waits while the pointer or the focus is on it. */
const UNDO_MS = 10_000;

/** "Removed v3 · Undo": a moment to take back a Remove or a Clear. */
export function UndoToast() {
  const offer = useApp((s) => s.undoOffer);
  const [undo, dismiss] = useAppShallow((s) => [s.undo, s.dismissUndo]);
  const [held, setHeld] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!offer || held) return;
    const t = setTimeout(dismiss, UNDO_MS);
    return () => clearTimeout(t);
  }, [offer, held, dismiss]);
  useEffect(() => setHeld(false), [offer?.id]);
  // Ctrl+Z (⌘Z) while it shows, from anywhere but a text field: the keyboard need not travel to the toast.
  useEffect(() => {
    if (!offer) return;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.key.toLowerCase() !== 'z' || !(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey) return;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      e.preventDefault();
      void undo();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [offer, undo]);
  if (!offer) return null;
  return (
    <div
      ref={ref}
      className="undo-toast"
      role="status"
      data-testid="undo-toast"
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={(e) => {
        if (!ref.current?.contains(e.relatedTarget as Node)) setHeld(false);
      }}
    >
      <span>{offer.message}</span>
      <button
        type="button"
        className="btn btn-small undo-btn"
        onClick={() => void undo()}
        aria-keyshortcuts="Control+Z"
        title="Undo (Ctrl+Z)"
      >
        Undo
      </button>
      <button type="button" className="btn btn-small btn-ghost" onClick={dismiss} aria-label="Dismiss the Undo">
        ✕
      </button>
    </div>
  );
}
