/** Numbers as the page shows them (bytes and durations as the CLI does, core/format.ts). */
export { formatBytes, formatDuration } from '../core/formatUnits';

/** Seconds as m:ss (one frame is one second in YouTube-8M). */
export function formatTime(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.floor(seconds % 60);
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** A probability with four decimals: the page's resolution (1e-4). */
export function formatProbability(p: number): string {
  return p.toFixed(4);
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)} k`;
  return n.toLocaleString('en-US');
}

export function formatMetric(x: number): string {
  return x.toFixed(3);
}
