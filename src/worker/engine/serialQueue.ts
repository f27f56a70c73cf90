/**
 * All tfjs work runs one task at a time, so that a backend switch never lands
 * in the middle of a forward pass: each task starts when the one before it has
 * settled, whether it succeeded or failed.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => {});
    return next;
  }
}

/**
 * Lets the event loop run (messages, timers) before going on. Promise
 * continuations never do: a queue whose tasks resolve at once (wasm and cpu
 * read results back synchronously) would otherwise keep the worker deaf to
 * the page until it ran dry. A MessageChannel round trip is a task of its
 * own, without setTimeout's 4 ms clamp.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
