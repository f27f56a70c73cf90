import { useApp, useAppShallow } from '../state/context';
import { frameAt } from './videoDrop';

/**
 * Links a heatmap over a video's frames with its player, both ways: the
 * frame under the player's time is the cursor, and picking a frame seeks the
 * player to that frame's time. Nothing (no cursor, no seeking) for a video
 * that was not extracted in this page.
 */
export function usePlaybackLink(file: string): { cursor: number | null; onPickFrame?: (t: number) => void } {
  const media = useApp((s) => s.media[file]);
  const [time, playing, seek] = useAppShallow((s) => [s.playback.time, s.playback.name === file, s.seekVideo]);
  if (!media) return { cursor: null };
  return {
    cursor: playing ? frameAt(media.times, time) : null,
    onPickFrame: (t) => seek(file, media.times[Math.max(0, Math.min(media.times.length - 1, t))] ?? 0),
  };
}
