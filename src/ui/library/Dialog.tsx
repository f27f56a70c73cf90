import { type ReactNode, useEffect, useId, useRef } from 'react';
import './library.css';

/**
 * A modal question as the browser's own <dialog> asks it: focus moves in and
 * stays there, Escape answers `onCancel`, and focus goes back where it was.
 * The first action is the safe one and takes the focus.
 */
export function Dialog({
  title,
  children,
  actions,
  onCancel,
  testId,
}: {
  title: string;
  children: ReactNode;
  actions: { label: string; onClick: () => void; primary?: boolean; danger?: boolean }[];
  onCancel: () => void;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const back = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      if (back?.isConnected) back.focus({ preventScroll: true });
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={`${id}-title`} className="dialog-title">
        {title}
      </h2>
      <div id={`${id}-body`} className="dialog-body">
        {children}
      </div>
      <div className="dialog-actions">
        {actions.map((a, i) => (
          <button
            key={a.label}
            type="button"
            autoFocus={i === 0}
            onClick={a.onClick}
            className={`btn${a.primary ? ' btn-primary' : ''}${a.danger ? ' btn-danger-solid' : ''}`}
          >
            {a.label}
          </button>
        ))}
      </div>
    </dialog>
  );
}
