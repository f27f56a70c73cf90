/**
 * Hooks for the end-to-end tests, outside the page's protocol: installed only
 * in a worker started with `testHooks` (the page's `?testhooks=1`), as
 * `self.playgroundTestHooks`, which Playwright calls in the worker's own
 * context. Breaking WebGPU as a driver would, at once (also in the middle of a
 * run), lets the tests check that the page recovers.
 */
import { breakWebGpu } from './backends/backendWebgpu';
import { takenFrames, type TakenFrames } from './video/testFrames';

interface PlaygroundTestHooks {
  /** Loses the device, or makes a validation error outside any guarded run; false when not on WebGPU. */
  breakWebGpu(how: 'lose-device' | 'validation-error'): Promise<boolean>;
  /** The frames the page's extraction takes of a video, as it decodes them (RGB, base64). */
  takenFrames(bytes: Uint8Array<ArrayBuffer>, name: string): Promise<TakenFrames>;
}

export function installTestHooks(scope: object): void {
  const hooks: PlaygroundTestHooks = { breakWebGpu, takenFrames };
  (scope as { playgroundTestHooks?: PlaygroundTestHooks }).playgroundTestHooks = hooks;
}
