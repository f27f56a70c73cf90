import type { BackendChoice, BackendStatus } from '../../../protocol/protocol';
import { attempt } from '../attempt';
import type { SliceContext, Slice } from '../types';

export interface BackendSlice {
  backend: BackendStatus | null;
  /** The backend note the user hid (it shows again when the reason changes). */
  backendNoteHidden: string | null;
  chooseBackend(choice: BackendChoice): Promise<void>;
  hideBackendNote(reason: string): void;
}

export function backendSlice({ set, get, env }: SliceContext): Slice<BackendSlice> {
  return {
    state: {
      backend: null,
      backendNoteHidden: null,
      hideBackendNote: (reason) => set({ backendNoteHidden: reason }),
      chooseBackend: async (choice) => {
        get().updateSettings({ backend: choice });
        get().noteWaitForTraining(`The backend switches to ${choice}`);
        // The worker's message says what failed (no backend could start, and why).
        await attempt(get().notify, null, () =>
          env.client.call('setBackend', { backend: choice, threads: get().settings.threads ?? undefined }),
        );
      },
    },
    events: {
      backend: (e) => set({ backend: e.status }),
    },
  };
}
