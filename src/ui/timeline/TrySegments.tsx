import { useId } from 'react';
import { SEGMENT_SAMPLE_SET } from '../../core/demo/sampleSets';

/** The sample set the button loads (public/samples/index.json, `sets`). */
export const TRY_SEGMENTS_SET = SEGMENT_SAMPLE_SET.name;

/** "When does it happen?" in one click: the segment-rated samples, for the timeline and the segment MAP. */
export function TrySegments({ onClick }: { onClick: () => void }) {
  const id = useId();
  return (
    <div className="try-finetune">
      <button type="button" className="btn" onClick={onClick} data-testid="try-segments" aria-describedby={`${id}-help`}>
        Try segments: when does it happen?
      </button>
      <p id={`${id}-help`} className="muted small">
        Loads 16 sample videos with events at known seconds and rated 5-second segments: each video’s timeline shows when each class
        happens, and the Metrics card the segment MAP.
      </p>
    </div>
  );
}
