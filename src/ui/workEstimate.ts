/**
 * Steady figures for the progress bar: videos per second as an exponentially
 * weighted rate (recent seconds count most, so it follows a change of pace,
 * while one quick or slow batch does not make it jump), the total expected
 * while files are still read smoothed the same way, and the time left counted
 * down between updates and drawn toward each new estimate rather than set to
 * it. Plain numbers in, plain numbers out: the time is passed in (tested
 * without a clock).
 */
export interface WorkSample {
  /** Milliseconds, on any clock that only goes forward (performance.now()). */
  now: number;
  /** Videos finished (predicted or failed) so far. */
  finished: number;
  /** Videos expected in all (an estimate while files are read). */
  expected: number;
}

export interface WorkEstimateFigures {
  /** Videos per second; null until a second of work has been seen. */
  rate: number | null;
  /** Seconds left; null without a rate or with nothing left. */
  left: number | null;
  /** The expected total, smoothed. */
  expected: number;
}

/** How quickly the estimates follow what they see: the time constant of the weighting, in seconds. */
const ESTIMATE_SECONDS = 4;
/** The rate needs this much time before it is shown (the first batch's timing says little). */
const WARM_UP_SECONDS = 1;

export class WorkEstimate {
  private start: WorkSample | null = null;
  private last: WorkSample | null = null;
  private rate: number | null = null;
  private left: number | null = null;
  private expected: number | null = null;

  update(s: WorkSample): WorkEstimateFigures {
    if (!this.start || !this.last || s.now < this.last.now || s.finished < this.last.finished) {
      this.start = this.last = s;
      this.rate = this.left = null;
      this.expected = s.expected;
      return { rate: null, left: null, expected: s.expected };
    }
    const dt = (s.now - this.last.now) / 1000;
    const weight = dt > 0 ? 1 - Math.exp(-dt / ESTIMATE_SECONDS) : 0;
    const elapsed = (s.now - this.start.now) / 1000;
    // The total: smoothed while it is estimated, exact once known (it never goes below what is finished).
    this.expected = Math.max(s.finished, this.expected === null ? s.expected : this.expected + weight * (s.expected - this.expected));
    if (elapsed >= WARM_UP_SECONDS) {
      if (this.rate === null) this.rate = (s.finished - this.start.finished) / elapsed;
      else if (dt > 0) this.rate += weight * ((s.finished - this.last.finished) / dt - this.rate);
    }
    const remaining = Math.max(0, Math.round(this.expected) - s.finished);
    if (!this.rate || this.rate <= 0 || remaining === 0) this.left = remaining === 0 ? null : this.left;
    else {
      const estimate = remaining / this.rate;
      // Counted down by the time that passed, then drawn toward the new estimate.
      this.left = this.left === null ? estimate : Math.max(0, this.left - dt) + weight * (estimate - Math.max(0, this.left - dt));
    }
    this.last = s;
    return { rate: this.rate, left: this.left, expected: Math.round(this.expected) };
  }
}
