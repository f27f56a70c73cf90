/**
 * A file input that looks like a button: the label is what a user sees and clicks; the input stays in the
 * page (visually hidden by .file-input) for the keyboard and for tests that set files on it. It is emptied
 * after each pick, so that picking the same file again reports it again.
 */
import { type ReactNode, useId } from 'react';

interface Props {
  label: ReactNode;
  onFiles: (files: File[]) => void;
  className?: string;
  title?: string;
  accept?: string;
  /** One file, many, or a whole folder (the browser's folder picker). */
  pick?: 'one' | 'many' | 'folder';
  testId?: string;
}

export function FilePicker({ label, onFiles, className = 'btn file-label', title, accept, pick = 'many', testId }: Props) {
  const id = useId();
  return (
    <>
      <label htmlFor={id} className={className} title={title}>
        {label}
      </label>
      <input
        id={id}
        className="file-input"
        type="file"
        multiple={pick === 'many'}
        accept={accept}
        data-testid={testId}
        {...(pick === 'folder' ? { webkitdirectory: '', directory: '' } : {})}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length) onFiles(files);
        }}
      />
    </>
  );
}
