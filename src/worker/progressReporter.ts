import type { ProgressEvent } from '../protocol/protocol';

/**
 * Builds one task's stream of progress events so that the protocol's invariants
 * hold by construction: `initiate` first, `loaded` only grows and never passes
 * `total`, and one closing `ready` at 100%. Events are thinned out (at most one
 * `progress` per `minStep` of the total, besides file boundaries) so that a
 * 435 MB download does not flood the page with messages.
 */
export class ProgressReporter {
  private loaded = 0;
  private lastSent = -1;
  private finished = false;
  private readonly minStep: number;

  constructor(
    private readonly name: string,
    private readonly total: number,
    private readonly emit: (e: ProgressEvent) => void,
    /** Fraction of the total between two progress events. Default 0.5%. */
    minStep = 0.005,
  ) {
    this.minStep = Math.max(1, Math.floor(Math.max(0, total) * minStep));
    emit({ status: 'initiate', name, total: Math.max(0, total) });
  }

  get bytesLoaded(): number {
    return this.loaded;
  }

  /** A file of the task begins. */
  begin(file: string): void {
    if (this.finished) return;
    this.emit({ status: 'download', name: this.name, file });
  }

  /** `bytes` more of `file` arrived. Counts beyond the total are clamped (a server that sends more than announced). */
  advance(file: string, bytes: number): void {
    if (this.finished || !(bytes > 0)) return;
    this.loaded = Math.min(this.total, this.loaded + bytes);
    if (this.loaded - this.lastSent >= this.minStep || this.loaded === this.total) this.send(file);
  }

  /** Sets the count to an absolute value (for sources that report a position); it never goes back. */
  reach(file: string, loaded: number): void {
    if (loaded > this.loaded) this.advance(file, loaded - this.loaded);
  }

  /** A file of the task is complete. */
  end(file: string): void {
    if (this.finished) return;
    if (this.loaded !== this.lastSent) this.send(file);
    this.emit({ status: 'done', name: this.name, file });
  }

  /** The task succeeded: the last event, at 100%. */
  ready(): void {
    if (this.finished) return;
    this.finished = true;
    this.loaded = this.total;
    this.emit({ status: 'ready', name: this.name, loaded: this.total, total: this.total, progress: 100 });
  }

  private send(file: string): void {
    this.lastSent = this.loaded;
    const progress = this.total > 0 ? (100 * this.loaded) / this.total : 100;
    this.emit({ status: 'progress', name: this.name, file, loaded: this.loaded, total: this.total, progress });
  }
}
