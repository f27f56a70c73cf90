import { useEffect, useRef, useState } from 'react';
import { formatBytes, formatDuration } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import type { WorkProgress } from '../state/slices/videos';
import { WorkEstimate } from '../workEstimate';

/** What the bar says, from the work's counts and the time it has run. */
function workFigures(work: WorkProgress, now: number) {
  const { load } = work;
  const reading = load.state === 'reading';
  // Until every file is read, the videos to come are estimated from the bytes still to read.
  const fraction = load.bytesTotal > 0 ? load.bytesRead / load.bytesTotal : 0;
  const expected = reading && fraction > 0 ? Math.max(load.videosRead, Math.round(load.videosRead / fraction)) : load.videosRead;
  const finished = work.predicted + work.failed;
  const seconds = (now - work.startedAt) / 1000;
  const rate = seconds > 0.5 ? work.predicted / seconds : null;
  const left = rate && expected > finished ? (expected - finished) / rate : null;
  return { reading, expected, finished, rate, left, estimated: reading };
}

/** The progress of long work (files being read and their videos predicted), with Cancel. */
export function LoadProgressBar() {
  const [work, cancel] = useAppShallow((s) => [s.work, s.cancelLoads]);
  // Videos per second and time left move on between events too: a tick a second redraws them.
  const [, tick] = useState(0);
  const active = work !== null;
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [active]);
  const hasModel = useApp((s) => s.model !== null);
  // One estimator per piece of work: the rate, the total and the time left smoothed over the seconds it runs.
  const estimator = useRef<{ startedAt: number; estimate: WorkEstimate } | null>(null);
  if (!work) return null;
  const { load } = work;
  const now = performance.now();
  if (estimator.current?.startedAt !== work.startedAt) estimator.current = { startedAt: work.startedAt, estimate: new WorkEstimate() };
  const raw = workFigures(work, now);
  const smooth = estimator.current.estimate.update({ now, finished: raw.finished, expected: raw.expected });
  const f = { ...raw, expected: smooth.expected, rate: smooth.rate, left: smooth.left };
  const max = Math.max(1, f.expected);
  return (
    <div className="progress load-progress" data-testid="load-progress" data-state={load.state}>
      <div className="progress-text">
        <span>
          {f.reading ? (
            <>
              Reading {load.file ?? 'files'}
              {load.files > 1 ? ` (${Math.min(load.filesDone + 1, load.files)} of ${load.files} files)` : ''}
            </>
          ) : (
            'Predicting'
          )}
        </span>
        <button type="button" className="btn btn-small" onClick={() => void cancel()} data-testid="cancel-load">
          Cancel
        </button>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Videos predicted"
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={Math.min(f.finished, max)}
        aria-valuetext={`${f.finished} of ${f.estimated ? 'about ' : ''}${f.expected} videos`}
      >
        <div className="progress-fill" style={{ width: `${(100 * Math.min(f.finished, max)) / max}%` }} />
      </div>
      <p className="muted small tabular load-figures" data-testid="load-figures">
        {f.finished.toLocaleString('en-US')} of {f.estimated ? '~' : ''}
        {f.expected.toLocaleString('en-US')} videos
        {' · '}
        {formatBytes(load.bytesRead)} of {formatBytes(load.bytesTotal)}
        {f.rate !== null && <> · {f.rate.toFixed(f.rate < 10 ? 1 : 0)} videos/s</>}
        {f.left !== null && <> · {formatDuration(f.left)} left</>}
        {!hasModel && ' · waiting for the model'}
      </p>
    </div>
  );
}
