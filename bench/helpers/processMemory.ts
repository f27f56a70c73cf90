/**
 * Memory of the browser this process started: the proportional set size
 * (Pss, shared pages split between the processes that map them) summed over
 * every Chromium process below this one, from /proc (Linux only; 0 elsewhere).
 */
import { readFileSync } from 'node:fs';

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function pssBytes(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function isChromium(pid: number): boolean {
  try {
    return /chrom/i.test(readFileSync(`/proc/${pid}/comm`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pss of every Chromium process started by this process, in bytes. */
export function chromiumMemoryBytes(): number {
  let total = 0;
  const walk = (pid: number, inside: boolean) => {
    for (const c of children(pid)) {
      const chromium = inside || isChromium(c);
      if (chromium) total += pssBytes(c);
      walk(c, chromium);
    }
  };
  walk(process.pid, false);
  return total;
}

/** Samples `measure` every `ms` until stopped; the stop gives the largest value seen. */
export function samplePeak(measure: () => number, ms = 200): { stop(): number } {
  let peak = measure();
  const timer = setInterval(() => (peak = Math.max(peak, measure())), ms);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, measure());
    },
  };
}
