import { useApp, useAppShallow } from '../state/context';
import { type FileLoad, fileLoadText, fileNeedsNote } from '../state/slices/library';
import type { VideoRow } from '../state/slices/videos';

// Videos listed per file, once per list.
const countsOf = new WeakMap<readonly VideoRow[], Map<string, number>>();
function listedByFile(videos: readonly VideoRow[]): Map<string, number> {
  let m = countsOf.get(videos);
  if (!m) {
    m = new Map();
    for (const v of videos) m.set(v.file, (m.get(v.file) ?? 0) + 1);
    countsOf.set(videos, m);
  }
  return m;
}

/**
 * Files that were not read whole, or whose videos were held back as
 * duplicates: one line each, with Resume (reads on past the videos listed)
 * or "Add them again".
 */
export function FileNotes() {
  const loads = useApp((s) => s.fileLoads);
  const counts = useApp((s) => listedByFile(s.videos));
  const [resume, addDuplicates, dismiss] = useAppShallow((s) => [s.resumeFile, s.addDuplicates, s.dismissFile]);
  const reading = useApp((s) => s.work?.load.state === 'reading');
  const notes = Object.values(loads).filter(fileNeedsNote);
  if (!notes.length) return null;
  return (
    <ul className="file-notes" aria-label="Files not read whole" data-testid="file-notes">
      {notes.map((f: FileLoad) => {
        const text = fileLoadText(f, counts.get(f.file) ?? 0);
        return (
          <li key={f.file} className={`file-note file-note-${f.state}`} data-testid="file-note" data-file={f.file} data-state={f.state}>
            <span className="file-note-text">{text}</span>
            <span className="file-note-actions">
              {f.state !== 'done' && f.resumable && (
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={reading}
                  onClick={() => void resume(f.file)}
                  aria-label={`Resume reading ${f.file}`}
                >
                  Resume
                </button>
              )}
              {f.state === 'done' && (
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => void addDuplicates(f.file)}
                  aria-label={`Add the videos of ${f.file} already listed again`}
                >
                  Add them again
                </button>
              )}
              <button
                type="button"
                className="btn btn-small btn-ghost"
                onClick={() => dismiss(f.file)}
                aria-label={`Dismiss the note on ${f.file}`}
              >
                Dismiss
              </button>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
