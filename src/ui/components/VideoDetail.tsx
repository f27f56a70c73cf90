import { useDeferredValue, useEffect, useState } from 'react';
import { topKIndices } from '../../core/metrics';
import { formatTime } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import { selectedVideo } from '../state/selectors';
import { AttentionCard } from './AttentionCard';
import { LiveFineTuneBar } from '../fineTune/LiveFineTuneBar';
import { ProbabilityCard } from './ProbabilityCard';
import { StagedMount } from './StagedMount';
import { VideoMedia } from '../video/VideoMedia';

/** Where a chart card will mount (StagedMount), until it does: an empty card, hidden from screen readers. */
const PENDING_CARD = <div className="card pending-card" aria-hidden="true" />;

/** The selected video: what the model thinks it is, and where it looked. */
export function VideoDetail() {
  // Deferred: a click on the list paints its selection at once, and the charts follow without blocking the page.
  // The title, the position and the numbers all come from the deferred video, so they always belong together;
  // until it catches up the detail is dimmed and says which video is on its way (never one video's title over another's numbers).
  const current = useApp(selectedVideo);
  const video = useDeferredValue(current);
  // Not the list's length: it grows with every batch while a shard streams in, and the whole detail would render
  // again each time (the eyebrow reads it on its own).
  const [model, selectedIndex, modelError, loading] = useAppShallow((s) => [
    s.model,
    Math.min(s.settings.video, s.videos.length - 1),
    s.modelError,
    s.loading !== null,
  ]);
  const index = useDeferredValue(selectedIndex);
  const stale = current !== null && video !== null && current.key !== video.key;
  const [training, assignments, setShowLive, removeVideo] = useAppShallow((s) => [
    s.training,
    s.customLabels.assignments,
    s.setShowLive,
    s.removeVideo,
  ]);
  // The class whose evidence is shown: the top class until the user picks another.
  const [picked, setPicked] = useState<number | null>(null);
  const live = training.live && training.live.result.key === video?.key ? training.live : null;
  const showLive = live !== null && training.showLive;
  useEffect(() => setPicked(null), [video?.key, model?.id, showLive]);
  if (!video) return null;
  // While a fine-tune runs, the cards can show this video as the model being trained sees it: its classes, its labels.
  const result = showLive ? live.result : video.result;
  const classNames = showLive ? training.classNames : (model?.classNames ?? []);
  const labels = showLive && training.customLabels ? (assignments[video.key] ?? []) : video.labels;
  const top = result ? topKIndices(result.probabilities, 1)[0] : null;
  const classIndex = picked ?? top;

  return (
    <article
      className={`detail${stale ? ' detail-stale' : ''}`}
      aria-labelledby="detail-title"
      aria-busy={stale}
      data-testid="video-detail"
      data-key={video.key}
      data-stale={stale || undefined}
    >
      {stale && (
        <p className="stale-note small" role="status" data-testid="detail-stale">
          Opening {current.id}… still showing {video.id}.
        </p>
      )}
      <header className="detail-head">
        <div>
          <p className="eyebrow">
            <Position index={index} record={video.index} file={video.file} />
            <button
              type="button"
              className="link-button remove-video"
              onClick={() => void removeVideo(video.key)}
              data-testid="remove-video"
            >
              Remove<span className="sr-only"> {video.id} from the list</span>
            </button>
          </p>
          <h2 id="detail-title" className="detail-title">
            {video.id}
          </h2>
          <p className="detail-meta">
            <span>
              {video.frames} frames · {formatTime(video.frames)}
            </span>
            {video.framesInFile !== null && (
              <span className="frame-cut" data-testid="frame-cut">
                {' '}
                · cut by the frame cap: the file holds {video.framesInFile.toLocaleString('en-US')} frames,{' '}
                {(video.framesInFile - video.frames).toLocaleString('en-US')} left out (Model panel, “Frames per video”)
              </span>
            )}
            {result && !showLive && (
              <span className="muted">
                {' '}
                · {result.backend}
                {result.adapter ? ` on ${result.adapter}` : ''} · {result.ms.toFixed(0)} ms
              </span>
            )}
          </p>
        </div>
        {labels && labels.length > 0 && (
          <div className="labels" aria-label="True labels">
            <span className="muted small">True labels</span>
            <ul>
              {labels.map((l) => (
                <li key={l} className="chip chip-label">
                  {classNames[l] ?? `class ${l}`}
                </li>
              ))}
            </ul>
          </div>
        )}
      </header>
      <VideoMedia file={video.file} />
      {training.state !== 'idle' && !training.saved && <LiveFineTuneBar training={training} live={live} onToggle={setShowLive} />}
      {!result ? (
        <div className="card pending-card" role="status">
          {video.status === 'error' ? (
            <p className="error-text">This video could not be classified: {video.message}</p>
          ) : !model && modelError && !loading ? (
            <p>No model is loaded, so this video waits. Load one in the Model panel.</p>
          ) : (
            <>
              <span className="spinner spinner-large" aria-hidden="true" />
              <p>{model ? 'Predicting…' : 'Waiting for the model…'}</p>
            </>
          )}
        </div>
      ) : (
        <div className="detail-grid">
          {/* Each chart mounts in a task of its own: the first results of a load arrive with the list and this page's
              first render of them, and all of it at once is one long task (React's development build most of all). */}
          <StagedMount placeholder={PENDING_CARD}>
            <ProbabilityCard
              video={video}
              labels={labels}
              result={result}
              classNames={classNames}
              selectedClass={classIndex}
              onPickClass={setPicked}
            />
          </StagedMount>
          <StagedMount frames={2} placeholder={PENDING_CARD}>
            <AttentionCard
              video={video}
              labels={labels}
              result={result}
              classNames={classNames}
              classIndex={classIndex}
              onPickClass={setPicked}
              live={showLive}
            />
          </StagedMount>
        </div>
      )}
    </article>
  );
}

/** "Video 3 of 1,000 · file, record 2": the one part of the detail that follows the list's length. */
function Position({ index, record, file }: { index: number; record: number; file: string }) {
  const total = useApp((s) => s.videos.length);
  return (
    <>
      Video {index + 1} of {total} · {file}
      {record > 0 || total > 1 ? `, record ${record}` : ''}
    </>
  );
}
