import type { DatasetReport } from '../../../protocol/protocol';
import type { SliceContext, Slice } from '../types';
import { foreignLabelFiles } from './compare';

/** The worker's figures over the predicted, labelled videos: the Metrics card and the dataset view. */
export interface DatasetSlice {
  dataset: {
    report: DatasetReport | null;
    /** Precision and recall count a class as predicted when it is among a video's k highest. */
    k: number;
  };
  setDatasetK(k: number): void;
  /** Asks the worker for fresh figures now (the slice also does so a little after results change). */
  refreshDataset(): Promise<void>;
}

/** Results arrive in batches: the figures follow at most this often (ms). */
export const DATASET_REFRESH_MS = 1000;

export function datasetSlice({ set, get, env }: SliceContext): Slice<DatasetSlice> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> | null = null;
  let again = false;

  const refresh = async (): Promise<void> => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        const leaveOut = foreignLabelFiles(get());
        const report = await env.client.call('datasetReport', { k: get().dataset.k, ...(leaveOut.length ? { leaveOut } : {}) });
        set((s) => ({ dataset: { ...s.dataset, report } }));
      } catch {
        // The figures are a view of the results: without them the page shows the results alone.
      } finally {
        inFlight = null;
      }
    })();
    await inFlight;
    if (again) {
      again = false;
      await refresh();
    }
  };
  const soon = () => {
    timer ??= setTimeout(() => {
      timer = null;
      void refresh();
    }, DATASET_REFRESH_MS);
  };

  return {
    state: {
      dataset: { report: null, k: 1 },
      setDatasetK: (k) => {
        set((s) => ({ dataset: { ...s.dataset, k: Math.max(1, Math.floor(k)) } }));
        void refresh();
      },
      refreshDataset: refresh,
    },
    events: {
      predictions: soon,
      removed: soon,
      status: (e) => {
        if (e.status === 'error') soon();
      },
      model: (e, before) => {
        if (before.model?.id !== e.model.id) set((s) => ({ dataset: { ...s.dataset, report: null } }));
      },
    },
  };
}
