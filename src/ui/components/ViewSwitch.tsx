import type { ComponentType } from 'react';
import { DatasetView } from '../dataset/DatasetView';
import { useApp, useAppShallow } from '../state/context';
import { SETTINGS, type UrlState } from '../state/urlState';
import { VideoDetail } from './VideoDetail';

/**
 * The views of the same videos, one row each for the URL's `view` choices
 * (urlState.ts; the compiler asks for a row here for each): its tab, and what
 * the main area shows.
 */
export const VIEWS: Record<UrlState['view'], { tab: string; counted?: boolean; Body: ComponentType }> = {
  video: { tab: 'Selected video', Body: VideoDetail },
  dataset: { tab: 'Dataset', counted: true, Body: DatasetView },
};

/** The selected video, or the whole dataset: two views of the same videos. */
export function ViewSwitch() {
  const [view, setView] = useAppShallow((s) => [s.settings.view, s.setView]);
  const count = useApp((s) => s.videos.length);
  return (
    <nav className="view-switch" aria-label="Views">
      {SETTINGS.view.choices.map((v) => (
        <button key={v} type="button" className="tab" aria-pressed={view === v} onClick={() => setView(v)} data-testid={`view-${v}`}>
          {VIEWS[v].tab}
          {VIEWS[v].counted ? (
            <>
              {' '}
              <span className="muted">({count.toLocaleString('en-US')})</span>
            </>
          ) : null}
        </button>
      ))}
    </nav>
  );
}
