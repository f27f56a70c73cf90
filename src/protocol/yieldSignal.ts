/**
 * The page asks the worker to step aside for a moment: a flag in memory both
 * share (a SharedArrayBuffer: the page is cross-origin isolated), raised by
 * the page when the user acts or a load's first results arrive, and lowered
 * once the page has painted a few frames and is idle again. The worker's kernels look at it between steps
 * and sleep while it is up, at most MAX_YIELD_MS each time it is raised.
 *
 * Why: on a machine whose cores are all busy (another program on one, the
 * worker's compute on the other), the page's main thread gets about a third
 * of a core, and a render of 60 ms of CPU takes 160 ms or more to reach the
 * screen (bench:scale, "dev page, one core busy"). The worker giving up its
 * core while the page answers a click costs the load as long as the answer
 * takes, a few times a load, not at every batch of results.
 */
const RAISED = 0;
const GENERATION = 1;
/** The longest the worker sleeps for one raise, whatever the page does. */
export const MAX_YIELD_MS = 250;
/** Results arriving after this long without any start a load's big render (the list, the detail, the charts). */
const QUIET_MS = 1000;

export interface YieldSignal {
  buffer: SharedArrayBuffer;
  /** Up until the page is next idle (or MAX_YIELD_MS), the worker sleeps at its next step. */
  raise(): void;
}

/**
 * Frames the page paints after a raise before it may be called idle: a click's deferred render and the staged
 * mounts of the detail span a few frames, and recharts renders its charts again in the frame after their commit.
 */
export const FRAMES_AFTER_RAISE = 4;

/** The page's side; null where memory cannot be shared (not cross-origin isolated). */
export function pageYieldSignal(): YieldSignal | null {
  if (typeof SharedArrayBuffer === 'undefined' || !globalThis.crossOriginIsolated) return null;
  const buffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const words = new Int32Array(buffer);
  // The lowering waits for the frames, then for the page to be idle; a raise meanwhile starts it again.
  let step = 0;
  let cancel = () => {};
  const lower = () => {
    Atomics.store(words, RAISED, 0);
    Atomics.notify(words, RAISED);
  };
  const afterFrames = (left: number) => {
    if (left > 0 && typeof requestAnimationFrame === 'function') {
      step = requestAnimationFrame(() => afterFrames(left - 1));
      cancel = () => cancelAnimationFrame(step);
    } else if (typeof requestIdleCallback === 'function') {
      step = requestIdleCallback(lower, { timeout: MAX_YIELD_MS });
      cancel = () => cancelIdleCallback(step);
    } else {
      step = setTimeout(lower, MAX_YIELD_MS) as unknown as number;
      cancel = () => clearTimeout(step);
    }
  };
  return {
    buffer,
    raise() {
      Atomics.add(words, GENERATION, 1);
      Atomics.store(words, RAISED, 1);
      cancel();
      afterFrames(FRAMES_AFTER_RAISE);
    },
  };
}

/**
 * When to raise the signal for the worker's events: results (a file's videos
 * listed, predictions) after a quiet second, the first of a load, which mount
 * the list, the detail and its charts. Later deliveries, every 200 ms while a
 * load streams, render a little each and do not raise it.
 */
export function raisesOnResults(signal: Pick<YieldSignal, 'raise'>, now: () => number = () => performance.now()) {
  let last = -Infinity;
  return (e: { type: string }) => {
    if (e.type !== 'file' && e.type !== 'predictions') return;
    const t = now();
    if (t - last > QUIET_MS) signal.raise();
    last = t;
  };
}

/** The worker's side: call it between steps of work; it sleeps while the page's signal is up (once per raise). */
export function yieldWaiter(buffer: SharedArrayBuffer): () => void {
  const words = new Int32Array(buffer);
  let waited = -1;
  return () => {
    if (Atomics.load(words, RAISED) === 0) return;
    const generation = Atomics.load(words, GENERATION);
    if (generation === waited) return;
    waited = generation;
    Atomics.wait(words, RAISED, 1, MAX_YIELD_MS);
  };
}
