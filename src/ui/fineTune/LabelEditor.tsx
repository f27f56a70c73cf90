import { type FormEvent, useId, useMemo, useState } from 'react';
import { useAppShallow } from '../state/context';
import { selectedVideo } from '../state/selectors';

/**
 * Where a fine-tune's labels come from: the files (TFRecord labels, as the
 * videos list shows them), or classes the user makes here and assigns to
 * videos, several per video if need be. The video is the one selected in the
 * list (arrow keys there, or Previous/Next here); keys 1–9 toggle classes.
 */
export function LabelEditor({ disabled }: { disabled: boolean }) {
  const id = useId();
  const [custom, on, video, index, count] = useAppShallow((s) => [
    s.customLabels,
    s.useCustomLabels,
    selectedVideo(s),
    Math.min(s.settings.video, s.videos.length - 1),
    s.videos.length,
  ]);
  const [setOn, addClass, removeClass, toggle, select] = useAppShallow((s) => [
    s.setUseCustomLabels,
    s.addClass,
    s.removeClass,
    s.toggleLabel,
    s.selectVideo,
  ]);
  const [name, setName] = useState('');
  const counts = useMemo(() => {
    const c = new Array<number>(custom.classNames.length).fill(0);
    for (const ls of Object.values(custom.assignments)) for (const l of ls) c[l]++;
    return c;
  }, [custom]);
  const assigned = video ? (custom.assignments[video.key] ?? []) : [];
  const add = (e: FormEvent) => {
    e.preventDefault();
    addClass(name);
    setName('');
  };

  return (
    <fieldset className="label-editor" disabled={disabled} data-testid="label-editor">
      <legend className="field-label">Labels</legend>
      <div className="training-modes">
        <label className="radio">
          <input type="radio" name={`${id}-src`} checked={!on} onChange={() => setOn(false)} />
          From the files
        </label>
        <label className="radio">
          <input type="radio" name={`${id}-src`} checked={on} onChange={() => setOn(true)} />
          My own classes
        </label>
      </div>
      {on && (
        <div className="label-custom">
          <form className="input-row" onSubmit={add}>
            <input
              type="text"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="New class name"
              aria-label="New class name"
            />
            <button type="submit" className="btn btn-small" disabled={!name.trim()}>
              Add class
            </button>
          </form>
          {custom.classNames.length > 0 ? (
            <ul className="class-chips" aria-label="Your classes">
              {custom.classNames.map((c, i) => (
                <li key={c} className="chip">
                  {i < 9 && <kbd className="muted">{i + 1}</kbd>} {c} <span className="muted tabular">· {counts[i]}</span>
                  <button type="button" className="icon-btn chip-remove" aria-label={`Remove class ${c}`} onClick={() => removeClass(i)}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small">Add a class for each label you want the model to learn.</p>
          )}
          {video && custom.classNames.length > 0 && (
            <div
              className="assign"
              role="group"
              aria-label={`Classes of ${video.id}`}
              onKeyDown={(e) => {
                const n = Number(e.key);
                if (
                  Number.isInteger(n) &&
                  n >= 1 &&
                  n <= Math.min(9, custom.classNames.length) &&
                  !(e.target instanceof HTMLInputElement && e.target.type === 'text')
                ) {
                  e.preventDefault();
                  toggle(video.key, n - 1);
                }
              }}
            >
              <div className="assign-head">
                <button type="button" className="btn btn-small" disabled={index <= 0} onClick={() => select(index - 1)}>
                  Previous video
                </button>
                <span className="small">
                  <strong>{video.id}</strong>{' '}
                  <span className="muted">
                    ({index + 1} of {count})
                  </span>
                </span>
                <button type="button" className="btn btn-small" disabled={index >= count - 1} onClick={() => select(index + 1)}>
                  Next video
                </button>
              </div>
              <div className="assign-boxes">
                {custom.classNames.map((c, i) => (
                  <label key={c} className="radio">
                    <input
                      type="checkbox"
                      checked={assigned.includes(i)}
                      onChange={() => toggle(video.key, i)}
                      aria-label={`${video.id} is ${c}`}
                    />
                    {c}
                  </label>
                ))}
              </div>
            </div>
          )}
        </div>
      )}
    </fieldset>
  );
}
