/**
 * Which decoded frames of a video the extractor takes (spec section 9.1):
 * every decoded frame is considered once, in presentation order, with no
 * frame-rate conversion; the first frame is taken, then each time the first
 * frame whose presentation time is at least one interval (1,000 ms) after the
 * last one taken; at most 300 frames. Times are compared exactly, as the
 * rationals they are (a timestamp in ticks of a time base), so that a frame
 * exactly one second after the last taken one is taken whatever its rate.
 */

/** A presentation time: `pts` ticks of `num/den` seconds (WebCodecs: microseconds, 1/1000000; ffmpeg: the stream's time base). */
export interface FrameTime {
  pts: number;
  num: number;
  den: number;
}

export const FRAME_INTERVAL_MS = 1000;

export function frameSeconds(t: FrameTime): number {
  return (t.pts * t.num) / t.den;
}

/** A time in microseconds, as WebCodecs' VideoFrame.timestamp gives it. */
export function microseconds(us: number): FrameTime {
  return { pts: us, num: 1, den: 1_000_000 };
}

function checkTime(t: FrameTime): void {
  if (!Number.isSafeInteger(t.pts) || !Number.isSafeInteger(t.num) || !Number.isSafeInteger(t.den) || t.num <= 0 || t.den <= 0) {
    throw new RangeError(`a frame time must be whole ticks of a positive time base, not ${t.pts} x ${t.num}/${t.den}`);
  }
}

/** Whether `b` is at least `ms` milliseconds after `a`, exactly. */
export function atLeastAfter(a: FrameTime, b: FrameTime, ms: number): boolean {
  // (b.pts*b.num/b.den - a.pts*a.num/a.den) * 1000 >= ms, over the common denominator a.den*b.den.
  const lhs = (BigInt(b.pts) * BigInt(b.num) * BigInt(a.den) - BigInt(a.pts) * BigInt(a.num) * BigInt(b.den)) * 1000n;
  return lhs >= BigInt(ms) * BigInt(a.den) * BigInt(b.den);
}

export interface FrameRuleOptions {
  /** Milliseconds between frames taken (whole): 1,000 as YouTube-8M's one frame per second. */
  everyMs?: number;
  /** At most this many frames are taken: 300 as the published extractor. */
  maxFrames?: number;
}

export const MAX_EXTRACTED_FRAMES = 300;

export class FrameSampler {
  readonly everyMs: number;
  readonly maxFrames: number;
  private last: FrameTime | null = null;
  private count = 0;
  private seen = 0;

  constructor(opts: FrameRuleOptions = {}) {
    this.everyMs = opts.everyMs ?? FRAME_INTERVAL_MS;
    this.maxFrames = opts.maxFrames ?? MAX_EXTRACTED_FRAMES;
    if (!Number.isSafeInteger(this.everyMs) || this.everyMs < 1)
      throw new RangeError(`the interval must be a positive whole number of milliseconds, not ${this.everyMs}`);
    if (!Number.isSafeInteger(this.maxFrames) || this.maxFrames < 1)
      throw new RangeError(`the frame cap must be a positive whole number, not ${this.maxFrames}`);
  }

  /** Considers the next decoded frame (each once, in presentation order): true when it is taken. */
  consider(t: FrameTime): boolean {
    checkTime(t);
    this.seen++;
    if (this.full) return false;
    if (this.last !== null && !atLeastAfter(this.last, t, this.everyMs)) return false;
    this.last = t;
    this.count++;
    return true;
  }

  /** Frames taken so far. */
  get taken(): number {
    return this.count;
  }

  /** Frames considered so far. */
  get considered(): number {
    return this.seen;
  }

  /** The cap is reached: no later frame will be taken (a decoder can stop). */
  get full(): boolean {
    return this.count >= this.maxFrames;
  }
}
