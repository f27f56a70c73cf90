/**
 * Evidence over time for one class of one video (occlusion, see
 * core/explain/occlusion.ts), computed with the model as the backend runs it.
 */
import { InputError } from '../../core/errors';
import { occlusionEvidence } from '../../core/explain/occlusion';
import { BackendFault } from '../backends';
import type { OcclusionResult } from '../../protocol/protocol';
import type { BackendHost } from './backendHost';
import type { VideoRegistry } from './videoRegistry';

/** Call from inside the serial queue. A WebGPU failure restarts the backend and asks the user to try again. */
export async function computeEvidence(
  host: BackendHost,
  videos: VideoRegistry,
  key: string,
  classIndex: number,
  window: number,
): Promise<OcclusionResult> {
  const [video] = await videos.load([key]);
  const running = host.running;
  if (!running) throw new InputError('no model is loaded yet');
  const { backend, model, biLstm } = running;
  const classes = model.meta.sizes.classes;
  if (!(classIndex >= 0 && classIndex < classes)) throw new InputError(`class ${classIndex} is not one of the model's ${classes} classes`);
  const w = Math.max(1, Math.min(video.frames, Math.round(window)));
  try {
    const r = await backend.guard(() =>
      occlusionEvidence(model, video, classIndex, { window: w, biLstm, batchSize: backend.occlusionBatchSize }),
    );
    return { key, classIndex, window: r.window, baseline: r.baseline, drop: r.drop.slice(), backend: backend.name };
  } catch (e) {
    if (e instanceof BackendFault) {
      await host.recover(e.message);
      throw new InputError('WebGPU failed while computing the evidence; the backend was restarted, please try again');
    }
    throw e;
  }
}
