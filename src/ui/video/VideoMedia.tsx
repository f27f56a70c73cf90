import { useEffect, useRef, useState } from 'react';
import { download } from '../download';
import { formatTime } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import { frameAt } from './videoDrop';
import './video.css';

/**
 * An extracted video itself, above its predictions: the player (its time
 * kept in the store, so the heatmaps, the evidence and the segment timeline
 * follow it and seek it), the filmstrip of the frames the features were made
 * from, and the features as a TFRecord to download.
 */
export function VideoMedia({ file }: { file: string }) {
  const media = useApp((s) => s.media[file]);
  const [seek, setTime, seekVideo] = useAppShallow((s) => [s.playback.seek, s.setPlaybackTime, s.seekVideo]);
  const time = useApp((s) => (s.playback.name === file ? s.playback.time : 0));
  const note = useApp((s) => s.extractor?.note ?? '');
  const player = useRef<HTMLVideoElement>(null);
  const strip = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (!seek || seek.name !== file || !player.current) return;
    player.current.currentTime = seek.time;
  }, [seek, file]);
  // A new video starts at its beginning in the store too.
  useEffect(() => setTime(file, 0), [file, setTime]);

  const current = media ? frameAt(media.times, time) : 0;
  // The filmstrip's buttons are mounted a few dozen at a time, so that a 300-frame video's detail never holds up the page.
  const shown = useChunked(media?.times.length ?? 0, file);
  useEffect(() => {
    strip.current?.querySelector<HTMLElement>(`[data-t="${current}"]`)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [current]);

  if (!media) return null;
  const tile = media.filmstrip;
  const stem = file.replace(/\.[^.]+$/, '');
  return (
    <section className="card video-media" aria-labelledby="video-media-title" data-testid="video-media">
      <div className="card-head">
        <h3 id="video-media-title">The video</h3>
        <button
          type="button"
          className="btn btn-small"
          data-testid="download-tfrecord"
          onClick={() => download(`${stem}.tfrecord`, 'application/octet-stream', media.tfrecord)}
        >
          Download features (TFRecord)
        </button>
      </div>
      {media.url && (
        <video
          ref={player}
          className="video-player"
          src={media.url}
          controls
          preload="metadata"
          data-testid="video-player"
          onTimeUpdate={(e) => setTime(file, e.currentTarget.currentTime)}
          onSeeked={(e) => setTime(file, e.currentTarget.currentTime)}
          aria-label={`${file}: the video the features were extracted from`}
        />
      )}
      <p className="muted small">
        {media.frames} frames taken, one a second, of {media.considered.toLocaleString('en-US')} decoded ({media.codec}, {media.width}×
        {media.height}) in {media.seconds.toFixed(1)} s. Playing moves the cursor on the heatmaps; a cell or a frame below seeks the video.{' '}
        {note}
      </p>
      <ol ref={strip} className="filmstrip" aria-label="The frames the features were made from" data-testid="filmstrip">
        {media.times.slice(0, shown).map((_, t) => (
          <li key={t}>
            <button
              type="button"
              className={`filmstrip-frame${t === current ? ' filmstrip-current' : ''}`}
              data-t={t}
              aria-current={t === current ? 'true' : undefined}
              onClick={() => seekVideo(file, media.times[t])}
              aria-label={`Frame ${t} at ${formatTime(media.times[t])}: seek the video there`}
            >
              {tile && (
                <span
                  className="filmstrip-image"
                  aria-hidden="true"
                  style={{
                    width: tile.tileWidth,
                    height: tile.tileHeight,
                    backgroundImage: `url(${tile.url})`,
                    backgroundPosition: `-${(t % tile.columns) * tile.tileWidth}px -${Math.floor(t / tile.columns) * tile.tileHeight}px`,
                  }}
                />
              )}
              <span className="small tabular">{formatTime(media.times[t])}</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}

const CHUNK = 40;

/** How many of n items to render: CHUNK at first, CHUNK more each frame until all are. */
function useChunked(n: number, key: string): number {
  const [count, setCount] = useState(Math.min(n, CHUNK));
  useEffect(() => {
    let shown = Math.min(n, CHUNK);
    setCount(shown);
    let handle = 0;
    const more = () => {
      if (shown >= n) return;
      shown = Math.min(n, shown + CHUNK);
      setCount(shown);
      handle = requestAnimationFrame(more);
    };
    handle = requestAnimationFrame(more);
    return () => cancelAnimationFrame(handle);
  }, [n, key]);
  return count;
}
