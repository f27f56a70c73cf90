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
  constructor(message: string, readonly request: RequestType) {
    super(message);
    this.name = 'WorkerError';
  }
}

/** Wraps anything that speaks the protocol (a Worker, or a fake in tests). */
export function clientFor(port: Pick<Worker, 'postMessage' | 'addEventListener' | 'terminate'>): WorkerClient {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(e: WorkerEvent) => void>();
  port.addEventListener('message', (ev: MessageEvent<WorkerMessage>) => {
    const m = ev.data;
    if (m.kind === 'event') {
      listeners.forEach((l) => l(m.event));
      return;
    }
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    if (m.ok) w.resolve(m.result);
    else w.reject(new WorkerError(m.error, m.type));
  });
  port.addEventListener('error', (ev: Event) => {
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

/** Starts the inference worker; `testHooks` installs the end-to-end tests' hooks in it (testHooks.ts). */
export function startWorker(opts: { testHooks?: boolean } = {}): WorkerClient {
  const name = opts.testHooks ? TEST_HOOKS_NAME : 'attention-lstm';
  return clientFor(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name }));
}
