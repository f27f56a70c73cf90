/**
 * Hooks for the end-to-end tests, outside the page's protocol: installed only
 * in a worker started with `testHooks` (the page's `?testhooks=1`), as
 * `self.playgroundTestHooks`, which Playwright calls in the worker's own
 * context. Breaking WebGPU as a driver would, at once (also in the middle of a
 * run), lets the tests check that the page recovers.
 */
import { breakWebGpu } from './backends/backend_webgpu';

export interface PlaygroundTestHooks {
  /** Loses the device, or makes a validation error outside any guarded run; false when not on WebGPU. */
  breakWebGpu(how: 'lose-device' | 'validation-error'): Promise<boolean>;
}

export function installTestHooks(scope: object): void {
  const hooks: PlaygroundTestHooks = { breakWebGpu };
  (scope as { playgroundTestHooks?: PlaygroundTestHooks }).playgroundTestHooks = hooks;
}
