/**
 * Progress of long work on stderr: a bar redrawn in place on a terminal,
 * plain lines a few seconds apart otherwise (a log, a pipe), and one line at
 * the end either way.
 */
import { formatBytes, formatDuration } from '../core/formatUnits';

export interface ProgressState {
  bytesRead: number;
  bytesTotal: number;
  videosRead: number;
  videosDone: number;
  failed: number;
  /**
   * Set by streamFeatureFiles when a run with nothing usable is still a result
   * (a sharded worker's part, which lists what it skipped): predictEach and
   * segmentsEach then do not stop it with exit 2.
   */
  emptyIsResult?: boolean;
}

export class ProgressLine {
  private readonly started = performance.now();
  private lastDrawn = -Infinity;
  private drawnWidth = 0;

  constructor(
    private readonly what: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  private get tty(): boolean {
    return this.out.isTTY === true;
  }

  update(s: ProgressState): void {
    const now = performance.now();
    if (now - this.lastDrawn < (this.tty ? 100 : 5000)) return;
    this.lastDrawn = now;
    this.draw(this.line(s, now));
  }

  /** The closing line: what was done, and how fast. */
  finish(s: ProgressState): void {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? s.videosDone / seconds : 0;
    this.draw(
      `${this.what}: ${s.videosDone} videos in ${seconds.toFixed(1)} s (${rate.toFixed(1)} videos/s)${s.failed ? `, ${s.failed} failed` : ''}, ${formatBytes(s.bytesTotal)} read`,
      true,
    );
  }

  private line(s: ProgressState, now: number): string {
    const fraction = s.bytesTotal > 0 ? s.bytesRead / s.bytesTotal : 0;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? s.videosDone / seconds : 0;
    // The videos still to come are estimated from the bytes still to read.
    const expected = fraction > 0 ? Math.max(s.videosRead, Math.round(s.videosRead / fraction)) : 0;
    const left = rate > 0 && expected > 0 ? (expected - s.videosDone) / rate : null;
    const width = 24;
    const bar = this.tty ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ` : '';
    return (
      `${this.what}: ${bar}${s.videosDone}/${expected || '?'} videos, ${formatBytes(s.bytesRead)} of ${formatBytes(s.bytesTotal)}, ` +
      `${rate.toFixed(1)} videos/s, ${left === null ? 'time left unknown' : `${formatDuration(left)} left`}${s.failed ? `, ${s.failed} failed` : ''}`
    );
  }

  private draw(text: string, last = false): void {
    if (this.tty) {
      this.out.write(`\r${text.padEnd(this.drawnWidth)}${last ? '\n' : ''}`);
      this.drawnWidth = last ? 0 : text.length;
    } else {
      this.out.write(`${text}\n`);
    }
  }
}
