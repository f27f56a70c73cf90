import type { DatasetReport, ModelInfo } from '../../../protocol/protocol';
import type { AppState, SliceContext, Slice } from '../types';
import { modelSourceFor } from './model';
import type { VideoRow } from './videos';

/** A model as it stood before a switch: its figures over the videos and each video's top class. */
interface ModelSnapshot {
  model: ModelInfo;
  /** The URL setting that loads it again (null: the demo). */
  setting: string | null;
  report: DatasetReport | null;
  /** Top class index by video key, for the videos predicted. */
  tops: Record<string, number>;
  /** Files left out of its figures: their labels are not its classes. */
  leftOut: string[];
}

export interface CompareSlice {
  /** The model loaded before the last switch made here (apply, back), to compare with the one loaded now. */
  comparison: ModelSnapshot | null;
  /** Names of the label ids of files from a bundled sample set, by file (their labels are these classes, not necessarily the model's). */
  labelNames: Record<string, string[]>;
  /** Saves the fine-tuned model and applies it to every listed video; the model before stays one click away. */
  applyTrained(): Promise<void>;
  /** Loads the model compared with (the one before), keeping the one now for the comparison. */
  switchToCompared(): Promise<void>;
  closeComparison(): void;
}

// The files' label ids in use, per file, once per list (it changes with every prediction; the labels only with the files).
const idsByFile = new WeakMap<readonly VideoRow[], Map<string, Set<number>>>();
function labelIds(videos: readonly VideoRow[]): Map<string, Set<number>> {
  let m = idsByFile.get(videos);
  if (!m) {
    m = new Map();
    for (const v of videos) {
      if (!v.labels?.length) continue;
      const ids = m.get(v.file) ?? new Set<number>();
      m.set(v.file, ids);
      for (const l of v.labels) ids.add(l);
    }
    idsByFile.set(videos, m);
  }
  return m;
}

/**
 * Listed files whose labels are not the model's classes: a sample set's
 * files, whose label ids name other classes than the model's at the same
 * ids (the fine-tune set's new labels, against the demo's classes). Their
 * metrics would score the new labels against unrelated classes.
 */
export function foreignLabelFiles(s: Pick<AppState, 'videos' | 'model' | 'labelNames'>): string[] {
  const classes = s.model?.classNames;
  if (!classes) return [];
  const out: string[] = [];
  for (const [file, ids] of labelIds(s.videos)) {
    const names = s.labelNames[file];
    if (names && [...ids].some((l) => names[l] !== undefined && classes[l] !== names[l])) out.push(file);
  }
  return out;
}

export function compareSlice({ set, get, env }: SliceContext): Slice<CompareSlice> {
  const snapshot = async (): Promise<ModelSnapshot | null> => {
    const s = get();
    if (!s.model) return null;
    const leftOut = foreignLabelFiles(s);
    let report: DatasetReport | null;
    try {
      report = await env.client.call('datasetReport', { k: s.dataset.k, leaveOut: leftOut });
    } catch {
      report = s.dataset.report;
    }
    const tops: Record<string, number> = {};
    for (const v of s.videos) if (v.result) tops[v.key] = v.result.figures.top;
    return { model: s.model, setting: s.settings.model, report, tops, leftOut };
  };

  return {
    state: {
      comparison: null,
      labelNames: {},
      applyTrained: async () => {
        const before = await snapshot();
        await get().saveTrained();
        if (get().training.saved && before && get().model?.id !== before.model.id) set({ comparison: before });
      },
      switchToCompared: async () => {
        const other = get().comparison;
        if (!other) return;
        const now = await snapshot();
        await get().loadModel(modelSourceFor(other.setting, env));
        if (get().model?.id === other.model.id) set({ comparison: now });
      },
      closeComparison: () => set({ comparison: null }),
    },
    events: {
      // A comparison is over the same videos: a clear ends it.
      removed: () => {
        if (get().comparison && get().videos.length === 0) set({ comparison: null });
      },
    },
  };
}
