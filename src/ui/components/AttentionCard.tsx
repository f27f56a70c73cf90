import { memo, useId, useMemo, useState } from 'react';
import { StagedMount } from './StagedMount';
import { topKIndices } from '../../core/metrics';
import type { VideoResult } from '../../protocol/protocol';
import { formatTime } from '../formatNumbers';
import { useApp } from '../state/context';
import type { VideoRow } from '../state/slices/videos';
import { SegmentTimeline } from '../timeline/SegmentTimeline';
import { EvidenceCard } from './EvidenceCard';
import { formatScaleValue, Heatmap, type HeatmapRow, type ScaleMode } from './Heatmap';
import { useLinkedScroll } from './useLinkedScroll';
import './AttentionCard.css';
import { usePlaybackLink } from '../video/usePlaybackLink';

interface Props {
  video: VideoRow;
  labels: readonly number[] | null;
  /** The result is a fine-tune's live view: evidence (computed with the loaded model) does not apply to it. */
  live?: boolean;
  result: VideoResult;
  classNames: string[];
  classIndex: number | null;
  onPickClass: (c: number) => void;
}

/**
 * Attention over time per modality, on one colour scale (or one per row),
 * and the top frames; then, in a card of its own, the evidence over time.
 */
function AttentionCardView({ video, labels, result, classNames, classIndex, onPickClass, live = false }: Props) {
  const allEvents = useApp((s) => s.sampleEvents[video.id]);
  // Seconds picked on the segment timeline; the live view of a fine-tune has no timeline.
  const picked = useApp((s) => (s.segments.selection?.key === video.key && !live ? s.segments.selection : null));
  // A sample's events name the demo's classes: shown only when this model has those classes.
  const events = allEvents?.filter((e) => classNames[e.class] === e.name);
  const [scale, setScale] = useState<ScaleMode>('shared');
  const scaleId = useId();
  const T = video.frames;
  const playback = usePlaybackLink(video.file);
  // One zoom along time, and one sideways scroll, for the heatmap and the timeline under it: a second stays in one column.
  const [zoom, setZoom] = useState(1);
  const linkScroll = useLinkedScroll();
  const shownZoom = T > 30 ? zoom : 1; // shorter videos have no zoom

  // The same rows while the result stands: the heatmap's cells then render again only where the focus or the hover moved.
  const rows = useMemo<HeatmapRow[]>(() => {
    const describe = (v: number) => `attention ${v.toFixed(4)} (${(v * T).toFixed(2)}× uniform)`;
    return [
      { id: 'rgb', label: 'RGB', kind: 'attention', values: result.attention.rgb, describe },
      { id: 'audio', label: 'Audio', kind: 'attention', values: result.attention.audio, describe },
    ];
  }, [result, T]);

  return (
    <>
      <section className="card attention-card" aria-labelledby="att-title">
        <div className="card-head">
          <h3 id="att-title">Attention over time</h3>
          <fieldset className="scale-switch" aria-describedby={`${scaleId}-help`}>
            <legend className="sr-only">Colour scale of the rows</legend>
            {(['shared', 'per-row'] as const).map((m) => (
              <label key={m} className="scale-option">
                <input type="radio" name={`${scaleId}-scale`} value={m} checked={scale === m} onChange={() => setScale(m)} />
                {m === 'shared' ? 'One scale' : 'Scale per row'}
              </label>
            ))}
          </fieldset>
        </div>
        <p className="muted small card-sub" id={`${scaleId}-help`}>
          Where the model pooled each modality: one cell per frame (1 frame = 1 second), its shade the frame’s attention weight. Each row
          sums to 1, so uniform attention is 1/{T} = {formatScaleValue(1 / Math.max(1, T))} a frame.
          {scale === 'shared'
            ? ' Both rows share one colour scale, so their shades compare.'
            : ' Each row has its own scale: shades compare within a row, not across.'}{' '}
          Tap, hover or focus a cell (arrow keys move) for its frame, time and weight; zoom to widen the cells.
        </p>
        <Heatmap
          rows={rows}
          frames={T}
          events={events}
          classNames={classNames}
          scale={scale}
          label={`Attention over ${T} frames`}
          selection={picked}
          {...playback}
          zoom={shownZoom}
          onZoom={setZoom}
          scrollRef={linkScroll}
        />
        {!live && (
          <SegmentTimeline
            video={video}
            result={result}
            classNames={classNames}
            onPickClass={onPickClass}
            zoom={shownZoom}
            scrollRef={linkScroll}
          />
        )}
        <TopFrames result={result} frames={T} />
      </section>
      {/* A task of its own after the heatmap's: the first results of a load bring all of the detail at once. */}
      <StagedMount>
        <EvidenceCard
          video={video}
          labels={labels}
          result={result}
          classNames={classNames}
          classIndex={classIndex}
          onPickClass={onPickClass}
          live={live}
          events={events}
        />
      </StagedMount>
    </>
  );
}

function TopFrames({ result, frames }: { result: VideoResult; frames: number }) {
  const lists = [
    { id: 'rgb', label: 'RGB', values: result.attention.rgb },
    { id: 'audio', label: 'Audio', values: result.attention.audio },
  ];
  // The bars share the heatmap's default: one scale for both modalities.
  const top = Math.max(...lists.flatMap((l) => Array.from(topKIndices(l.values, 1), (t) => l.values[t])), 1e-12);
  return (
    <div className="top-frames">
      {lists.map((l) => (
        <div key={l.id}>
          <h4>
            Top {l.label} frames <span className="muted small">(time, frame, attention weight)</span>
          </h4>
          <ol data-testid={`top-frames-${l.id}`}>
            {Array.from(topKIndices(l.values, 5), (t) => (
              <li
                key={t}
                aria-label={`${formatTime(t)}, frame ${t}: weight ${l.values[t].toFixed(4)}, ${(l.values[t] * frames).toFixed(1)} times uniform`}
              >
                <span className="tabular">{formatTime(t)}</span>
                <span className="muted small">frame {t}</span>
                <span className={`mini-bar mini-${l.id}`} aria-hidden="true">
                  <span style={{ width: `${Math.min(100, (100 * l.values[t]) / top)}%` }} />
                </span>
                <span className="tabular">{l.values[t].toFixed(4)}</span>
              </li>
            ))}
          </ol>
        </div>
      ))}
    </div>
  );
}

/** Memoized: the detail renders again as a load goes on (the list's length), and this card only needs to when its video, result or class does. */
export const AttentionCard = memo(AttentionCardView);
