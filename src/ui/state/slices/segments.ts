import { SEGMENT_WINDOWS, type WindowSettings } from '../../../core/segments/windows';
import type { SegmentReport, SegmentTimeline } from '../../../protocol/protocol';
import type { SliceContext, Slice } from '../types';
import { predictionsPending } from '../selectors';

/** Seconds of a video picked on the timeline (a rated segment, a class's peak window): the heatmap and evidence mark them. */
interface SecondsSelection {
  key: string;
  start: number;
  frames: number;
  /** The class the seconds were picked for (the evidence switches to it); null for none. */
  class: number | null;
}

interface SegmentsState {
  window: WindowSettings;
  /** The selected video's windows (the worker computes one video's on request); null before they came. */
  timeline: SegmentTimeline | null;
  timelineStatus: 'idle' | 'loading' | 'error';
  timelineError: string | null;
  /** Classes the user added to the timeline by name (kept from video to video). */
  added: number[];
  /** Segment MAP over the loaded segment-rated videos; null before the worker sent one. */
  report: SegmentReport | null;
  selection: SecondsSelection | null;
}

export interface SegmentsSlice {
  segments: SegmentsState;
  /** New window length or hop: the timeline and the segment ranking follow. */
  setSegmentWindows(window: Partial<WindowSettings>): Promise<void>;
  /** Asks the worker for this video's windows (ignored when they are in hand for the current settings). */
  loadTimeline(key: string, force?: boolean): Promise<void>;
  refreshSegments(): Promise<void>;
  selectSeconds(selection: SecondsSelection | null): void;
  addTimelineClass(c: number): void;
  removeTimelineClass(c: number): void;
}

/** The ranking grows a batch at a time: the report follows at most this often (ms). */
export const SEGMENTS_REFRESH_MS = 1000;
/** Rated positives ranked worst that the dataset view lists. */
export const WORST_SHOWN = 20;

const sameWindow = (a: WindowSettings, b: WindowSettings) => a.length === b.length && a.hop === b.hop;

export function segmentsSlice({ set, get, env }: SliceContext): Slice<SegmentsSlice> {
  const patch = (p: Partial<SegmentsState>) => set((s) => ({ segments: { ...s.segments, ...p } }));
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** The timeline request whose answer counts (a later one supersedes it). */
  let asked = 0;

  const refresh = async () => {
    try {
      const report = await env.client.call('segmentReport', { worst: WORST_SHOWN });
      patch({ report });
    } catch {
      // The figures are a view of the results: without them the page shows the results alone.
    }
  };
  const soon = () => {
    timer ??= setTimeout(() => {
      timer = null;
      void refresh();
    }, SEGMENTS_REFRESH_MS);
  };
  /** The ranking has caught up, no file is being read and no video waits for its prediction: the complete figures show at once. */
  const settled = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    void refresh();
  };

  const loadTimeline = async (key: string, force = false) => {
    const { timeline, window, timelineStatus } = get().segments;
    if (!force && timeline && timeline.key === key && sameWindow(timeline.window, window) && timelineStatus !== 'error') return;
    const mine = ++asked;
    patch({ timelineStatus: 'loading', timelineError: null, ...(timeline?.key === key ? {} : { timeline: null }) });
    try {
      const t = await env.client.call('segmentTimeline', { key });
      if (mine === asked) patch({ timeline: t, timelineStatus: 'idle' });
    } catch (e) {
      if (mine === asked) patch({ timelineStatus: 'error', timelineError: (e as Error).message });
    }
  };

  return {
    state: {
      segments: {
        window: { ...SEGMENT_WINDOWS },
        timeline: null,
        timelineStatus: 'idle',
        timelineError: null,
        added: [],
        report: null,
        selection: null,
      },
      setSegmentWindows: async (window) => {
        try {
          const checked = await env.client.call('setSegmentWindows', { window: { ...get().segments.window, ...window } });
          patch({ window: checked });
        } catch (e) {
          get().notify('error', `The segment windows could not be set: ${(e as Error).message}`);
        }
      },
      loadTimeline,
      refreshSegments: refresh,
      selectSeconds: (selection) => patch({ selection }),
      addTimelineClass: (c) => {
        const { added } = get().segments;
        if (!added.includes(c)) patch({ added: [...added, c] });
      },
      removeTimelineClass: (c) => patch({ added: get().segments.added.filter((x) => x !== c) }),
    },
    events: {
      segments: (e) => {
        const { videos, work } = get();
        // Every second while files are read or videos wait (a report sorts every class's windows); at once at the end.
        if (e.pending === 0 && work?.load.state !== 'reading' && !predictionsPending(videos)) settled();
        else soon();
      },
      removed: (e) => {
        const sel = get().segments.selection;
        if (sel && e.keys.includes(sel.key)) patch({ selection: null });
      },
      model: (e, before) => {
        // Another model's windows: the timeline is asked for again by the view, the report follows the ranking.
        if (before.model?.id !== e.model.id) patch({ timeline: null, report: null, added: [] });
      },
    },
  };
}
