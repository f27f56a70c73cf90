import type { CachedModelInfo } from '../../protocol/protocol';
import { formatBytes } from '../formatNumbers';
import { Dialog } from './Dialog';

/** Deleting a cached model cannot be undone (its weights leave the browser): asked first, Cancel first. */
export function ConfirmDelete({
  model,
  inUse,
  onConfirm,
  onCancel,
}: {
  model: CachedModelInfo;
  inUse: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Dialog
      title={`Delete “${model.name}” from this browser?`}
      testId="confirm-delete"
      onCancel={onCancel}
      actions={[
        { label: 'Cancel', onClick: onCancel },
        { label: 'Delete', onClick: onConfirm, danger: true },
      ]}
    >
      <p>
        Its weights ({formatBytes(model.bytes)}) are removed from this browser’s cache. This cannot be undone: to use it again, load its
        files again{model.source.startsWith('fine-tuned') ? ' (a fine-tuned model: download it first to keep it)' : ''}.
      </p>
      {inUse && <p className="muted small">It stays loaded until another model is, and its results stay.</p>}
    </Dialog>
  );
}
