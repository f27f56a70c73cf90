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
