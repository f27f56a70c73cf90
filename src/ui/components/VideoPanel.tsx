import { type KeyboardEvent, useEffect, useRef } from 'react';
import { topKIndices } from '../../core/metrics';
import { formatProbability } from '../format';
import { useApp, useAppShallow } from '../state/context';
import type { VideoRow } from '../state/slices/videos';
import { FileButtons } from './FileButtons';

/** A stable empty list: a selector must not return a new array each time (React would re-render forever). */
const NO_NAMES: string[] = [];

const STATUS_LABEL: Record<VideoRow['status'], string> = { queued: 'Queued', running: 'Running', done: 'Done', error: 'Error' };

export function VideoPanel() {
  const [videos, reading, hasModel] = useAppShallow((s) => [s.videos, s.reading, s.model !== null]);
  const clear = useApp((s) => s.clearVideos);
  return (
    <section className="card" aria-labelledby="videos-title">
      <div className="card-head">
        <h2 id="videos-title">Videos</h2>
        {videos.length > 0 && (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => void clear()}>Clear</button>
        )}
      </div>
      <FileButtons />
      {reading > 0 && <p className="muted small" role="status">Reading {reading} file{reading === 1 ? '' : 's'}…</p>}
      {videos.length > 0 ? <VideoList videos={videos} waitingForModel={!hasModel} /> : (
        <p className="muted small hint">Drop feature files anywhere on the page: TFRecord, pkl, npy or JSON, many at once.</p>
      )}
    </section>
  );
}

function VideoList({ videos, waitingForModel }: { videos: VideoRow[]; waitingForModel: boolean }) {
  const selected = useApp((s) => Math.min(s.settings.video, s.videos.length - 1));
  const select = useApp((s) => s.selectVideo);
  const classNames = useApp((s) => s.model?.classNames ?? NO_NAMES);
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => {
    const el = list.current?.querySelector<HTMLElement>(`[data-index="${selected}"]`);
    el?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const onKey = (e: KeyboardEvent) => {
    const next = e.key === 'ArrowDown' ? selected + 1 : e.key === 'ArrowUp' ? selected - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? videos.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const i = Math.max(0, Math.min(videos.length - 1, next));
    select(i);
    list.current?.querySelector<HTMLElement>(`[data-index="${i}"]`)?.focus();
  };

  const done = videos.filter((v) => v.status === 'done').length;
  return (
    <>
      <p className="muted small list-summary">
        {videos.length} video{videos.length === 1 ? '' : 's'} · {done} predicted{waitingForModel ? ' · waiting for the model' : ''}
      </p>
      <ul ref={list} className="video-list" role="listbox" aria-label="Videos" onKeyDown={onKey} data-testid="video-list">
        {videos.map((v, i) => {
          const top = v.result ? topKIndices(v.result.probabilities, 1)[0] : null;
          const isSel = i === selected;
          return (
            <li
              key={v.key}
              role="option"
              aria-selected={isSel}
              tabIndex={isSel ? 0 : -1}
              data-index={i}
              data-status={v.status}
              data-testid="video-row"
              className="video-row"
              onClick={() => select(i)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  select(i);
                }
              }}
            >
              <div className="video-row-main">
                <span className="video-id" title={`${v.file}, video ${v.index}`}>{v.id}</span>
                <span className="video-meta">
                  {v.frames} s
                  {v.labels && v.labels.length > 0 && <> · {v.labels.length} label{v.labels.length === 1 ? '' : 's'}</>}
                  {top !== null && v.result && (
                    <> · <span className="video-top">{classNames[top]} {formatProbability(v.result.probabilities[top])}</span></>
                  )}
                </span>
              </div>
              <span className={`status status-${v.status}`} title={v.message}>
                {v.status === 'running' && <span className="spinner" aria-hidden="true" />}
                {STATUS_LABEL[v.status]}
              </span>
            </li>
          );
        })}
      </ul>
    </>
  );
}
