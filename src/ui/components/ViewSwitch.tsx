import { useApp, useAppShallow } from '../state/context';

/** The selected video, or the whole dataset: two views of the same videos. */
export function ViewSwitch() {
  const [view, setView] = useAppShallow((s) => [s.settings.view, s.setView]);
  const count = useApp((s) => s.videos.length);
  return (
    <nav className="view-switch" aria-label="Views">
      <button type="button" className="tab" aria-pressed={view === 'video'} onClick={() => setView('video')} data-testid="view-video">Selected video</button>
      <button type="button" className="tab" aria-pressed={view === 'dataset'} onClick={() => setView('dataset')} data-testid="view-dataset">
        Dataset <span className="muted">({count.toLocaleString('en-US')})</span>
      </button>
    </nav>
  );
}
