import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useEffect, useLayoutEffect, useRef } from 'react';
import { FEATURE_FORMAT_LABELS, listed } from '../../core/features/featureFormats';
import { formatProbability } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import { videoCounts } from '../state/selectors';
import type { VideoRow } from '../state/slices/videos';
import { FileNotes } from '../library/FileNotes';
import { FineTuneOffer } from '../library/FineTuneOffer';
import { FileButtons } from './FileButtons';
import { LoadProgressBar } from './LoadProgressBar';

/** A stable empty list: a selector must not return a new array each time (React would re-render forever). */
const NO_NAMES: string[] = [];

const STATUS_LABEL: Record<VideoRow['status'], string> = { queued: 'Queued', running: 'Running', done: 'Done', error: 'Failed' };

/** Rows are of one height, so that thousands of them scroll without laying all of them out. */
const ROW_HEIGHT = 50;

/**
 * The list's card. It reads whether there are videos, not the videos: while a
 * shard streams in, the list changes with every batch of results, and only
 * the list itself (and the rows whose video changed) need to render again.
 */
export function VideoPanel() {
  const [hasVideos, hasModel] = useAppShallow((s) => [s.videos.length > 0, s.model !== null]);
  const clear = useApp((s) => s.clearVideos);
  return (
    <section id="videos" className="card" aria-labelledby="videos-title" tabIndex={-1}>
      <div className="card-head">
        <h2 id="videos-title">Videos</h2>
        {hasVideos && (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void clear()} aria-label="Clear the list of videos">
            Clear
          </button>
        )}
      </div>
      {/* Before any video the main area offers these (one of each on the page, so that each name is one control's). */}
      {hasVideos && <FileButtons />}
      {hasVideos && <FineTuneOffer />}
      <LoadProgressBar />
      <FileNotes />
      {hasVideos ? (
        <VideoList waitingForModel={!hasModel} />
      ) : (
        <p className="muted small hint">
          No videos yet. Drop feature files anywhere on the page: {listed(FEATURE_FORMAT_LABELS)}, many at once (whole YouTube-8M shards
          too), or start from the main area.
        </p>
      )}
    </section>
  );
}

function VideoList({ waitingForModel }: { waitingForModel: boolean }) {
  const videos = useApp((s) => s.videos);
  const selected = useApp((s) => Math.min(s.settings.video, s.videos.length - 1));
  const [select, remove] = useAppShallow((s) => [s.selectVideo, s.removeVideo]);
  const classNames = useApp((s) => s.model?.classNames ?? NO_NAMES);
  const scroller = useRef<HTMLDivElement>(null);
  const list = useVirtualizer({
    count: videos.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  // Brings the selected row into view when the selection moves (or starts past the first row, from the URL).
  // Not for row 0 at mount: it is in view, and scrolling measures the list, a forced layout while a load begins.
  const shown = useRef(0);
  useEffect(() => {
    if (selected < 0 || selected === shown.current) return;
    shown.current = selected;
    // A row in full view (a click on it) needs no scroll: scrolling to it anyway lays the page out at once, in the click's own task.
    const row = list.measurementsCache[selected];
    const top = list.scrollOffset ?? 0;
    const height = list.scrollRect?.height ?? 0;
    if (row && height > 0 && row.start >= top && row.end <= top + height) return;
    list.scrollToIndex(selected, { align: 'auto' });
  }, [selected, list]);

  const onKey = (e: KeyboardEvent) => {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: selected + 1,
      ArrowUp: selected - 1,
      Home: 0,
      End: videos.length - 1,
      PageDown: selected + page,
      PageUp: selected - page,
    };
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      if (videos[selected]) void remove(videos[selected].key);
      return;
    }
    if (!(e.key in moves)) return;
    e.preventDefault();
    select(Math.max(0, Math.min(videos.length - 1, moves[e.key])));
  };

  // The set's size on every row in view, set here rather than as a row's prop: as a shard streams in the count
  // grows with every batch, and a prop would render every row again each time (the rows are memoized for this).
  const total = videos.length;
  useLayoutEffect(() => {
    for (const row of scroller.current?.querySelectorAll('[role=option]') ?? []) row.setAttribute('aria-setsize', String(total));
  });

  const { done, failed } = videoCounts(videos);
  return (
    <>
      <p className="muted small list-summary" data-testid="list-summary" aria-live="polite">
        {total.toLocaleString('en-US')} video{total === 1 ? '' : 's'} · {done.toLocaleString('en-US')} predicted
        {failed > 0 && (
          <>
            {' '}
            · <span className="error-text">{failed.toLocaleString('en-US')} failed</span>
          </>
        )}
        {waitingForModel ? ' · waiting for the model' : ''}
      </p>
      <div
        ref={scroller}
        className="video-list"
        role="listbox"
        tabIndex={0}
        aria-label="Videos (arrow keys to move, Delete to remove)"
        // Only an option in the page can be the active one (the list renders the rows in view).
        aria-activedescendant={
          videos[selected] && list.getVirtualItems().some((i) => i.index === selected) ? optionId(selected) : undefined
        }
        onKeyDown={onKey}
        data-testid="video-list"
      >
        <div style={{ height: list.getTotalSize(), position: 'relative' }}>
          {list.getVirtualItems().map((item) => {
            const v = videos[item.index];
            const top = v.result?.figures.top;
            return (
              <VideoOption
                key={v.key}
                video={v}
                position={item.index}
                start={item.start}
                selected={item.index === selected}
                topName={top === undefined ? null : (classNames[top] ?? `class ${top}`)}
                onSelect={select}
              />
            );
          })}
        </div>
      </div>
    </>
  );
}

/**
 * One row of the list. Memoized: while a shard streams in, the list renders
 * for every batch of results, and only the rows whose video changed need to
 * (React's development build, which `npm start` serves, makes every element
 * it creates cost much more than the production build does).
 */
const VideoOption = memo(function VideoOption({
  video: v,
  position,
  start,
  selected,
  topName,
  onSelect,
}: {
  video: VideoRow;
  position: number;
  start: number;
  selected: boolean;
  topName: string | null;
  onSelect: (index: number) => void;
}) {
  const top = v.result?.figures.top;
  return (
    <div
      id={optionId(position)}
      role="option"
      aria-selected={selected}
      aria-posinset={position + 1}
      data-index={position}
      data-status={v.status}
      data-testid="video-row"
      className="video-row"
      style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${start}px)` }}
      onClick={() => onSelect(position)}
    >
      <div className="video-row-main">
        <span className="video-id" title={`${v.file}, video ${v.index}`}>
          {v.id}
        </span>
        <span className="video-meta">
          {v.frames} s
          {v.labels && v.labels.length > 0 && (
            <>
              {' '}
              · {v.labels.length} label{v.labels.length === 1 ? '' : 's'}
            </>
          )}
          {top !== undefined && v.result && (
            <>
              {' '}
              ·{' '}
              <span className="video-top">
                {topName} {formatProbability(v.result.probabilities[top])}
              </span>
            </>
          )}
        </span>
      </div>
      <span className={`status status-${v.status}`} title={v.message}>
        {v.status === 'running' && <span className="spinner" aria-hidden="true" />}
        {STATUS_LABEL[v.status]}
      </span>
    </div>
  );
});

function optionId(index: number): string {
  return `video-option-${index}`;
}
