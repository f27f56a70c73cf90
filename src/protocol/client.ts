/**
 * The page's side of the worker protocol: typed calls that resolve with the
 * worker's reply, and a stream of events. Imports no tfjs: the worker's code
 * is a separate bundle, started here by URL.
 */
import { type Calls, type RequestType, type Result, TEST_HOOKS_NAME, type WorkerEvent, type WorkerMessage } from './protocol';
import { EnvironmentError } from '../core/errors';

export interface WorkerClient {
  call<K extends RequestType>(type: K, args: Calls[K]['args']): Promise<Result<K>>;
  /** Listens to the worker's events; returns the function that stops listening. */
  onEvent(listener: (e: WorkerEvent) => void): () => void;
  terminate(): void;
}

/** An error the worker sent back: its message is meant for the user. */
export class WorkerError extends Error {
  constructor(
    message: string,
    readonly request: RequestType,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

export interface ClientOptions {
  /**
   * Events arriving within this many milliseconds of the first one not yet
   * delivered are delivered together, in order, in one task (0: each at once).
   * While a shard streams in, the worker sends hundreds of events a second;
   * each delivered alone is a render of the page of its own, and on a busy
   * machine those renders leave no room for the user's clicks. Together, the
   * page renders once for all of them. A reply first delivers the events sent
   * before it, so a caller never sees its reply ahead of the events it follows.
   */
  batchEventsMs?: number;
  /**
   * While events keep coming, deliveries at least this many milliseconds
   * apart (0: every batchEventsMs). Each delivery is a render of the page
   * that nothing can interrupt (the store's updates reach React as
   * synchronous ones); apart, they leave the main thread to what can wait
   * and be interrupted: the user's clicks, and the deferred renders of the
   * selected video that a click starts (a render of the page every few
   * dozen milliseconds would restart those over and over, and a click would
   * seem to go unanswered until the load ends).
   */
  streamSpacingMs?: number;
}

/** Wraps anything that speaks the protocol (a Worker, or a fake in tests). */
export function clientFor(port: Pick<Worker, 'postMessage' | 'addEventListener' | 'terminate'>, opts: ClientOptions = {}): WorkerClient {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(e: WorkerEvent) => void>();
  const batchMs = opts.batchEventsMs ?? 0;
  const spacingMs = opts.streamSpacingMs ?? 0;
  let pending: WorkerEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let delivered = -Infinity;
  const deliver = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    delivered = performance.now();
    const batch = pending;
    pending = [];
    for (const e of batch) listeners.forEach((l) => l(e));
  };
  port.addEventListener('message', (ev: MessageEvent<WorkerMessage>) => {
    const m = ev.data;
    if (m.kind === 'event') {
      pending.push(m.event);
      if (batchMs <= 0) deliver();
      else timer ??= setTimeout(deliver, Math.max(batchMs, delivered + spacingMs - performance.now()));
      return;
    }
    deliver();
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.result);
    else w.reject(new WorkerError(m.error, m.type));
  });
  port.addEventListener('error', (ev: Event) => {
    deliver();
    const message = (ev as ErrorEvent).message || 'the inference worker stopped';
    waiting.forEach((w) => w.reject(new EnvironmentError(message)));
    waiting.clear();
    listeners.forEach((l) => l({ type: 'notice', level: 'error', message: `The inference worker crashed: ${message}. Reload the page.` }));
  });
  return {
    call(type, args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
        port.postMessage({ ...args, type, id });
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    terminate: () => port.terminate(),
  };
}

/** How long the page lets worker events gather before it renders them (a frame or three: nobody sees the difference). */
const EVENT_BATCH_MS = 40;
/** While a load streams results in, the page renders them five times a second (progress that moves, not a stalled page). */
const STREAM_SPACING_MS = 200;

/** Starts the inference worker; `testHooks` installs the end-to-end tests' hooks in it (testHooks.ts). */
export function startWorker(opts: { testHooks?: boolean } = {}): WorkerClient {
  const name = opts.testHooks ? TEST_HOOKS_NAME : 'attention-lstm';
  return clientFor(new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name }), {
    batchEventsMs: EVENT_BATCH_MS,
    streamSpacingMs: STREAM_SPACING_MS,
  });
}
