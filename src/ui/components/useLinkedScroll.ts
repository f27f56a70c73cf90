import { useCallback, useRef } from 'react';

/**
 * Scrollers that move together sideways (the attention heatmap and the
 * segment timeline under it, zoomed along time): a ref callback to put on
 * each; scrolling one scrolls the others to the same place, and one mounted
 * later starts where the others are.
 */
export function useLinkedScroll(): (el: HTMLElement | null) => void {
  const els = useRef(new Map<HTMLElement, () => void>());
  const left = useRef(0);
  return useCallback((el: HTMLElement | null) => {
    // React calls a ref callback with null on unmount: drop the elements no longer in the page.
    for (const [e, off] of els.current) {
      if (!e.isConnected && e !== el) {
        e.removeEventListener('scroll', off);
        els.current.delete(e);
      }
    }
    if (!el || els.current.has(el)) return;
    const onScroll = () => {
      left.current = el.scrollLeft;
      // Within a pixel counts as there, so the echo of a scroll set here sets nothing back.
      for (const other of els.current.keys()) if (other !== el && Math.abs(other.scrollLeft - el.scrollLeft) >= 1) other.scrollLeft = el.scrollLeft;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    els.current.set(el, onScroll);
    el.scrollLeft = left.current;
  }, []);
}
