import { useState } from 'react';

/** What linkScrollers needs of an element (an HTMLElement has it all). */
type Scroller = Pick<HTMLElement, 'scrollLeft' | 'isConnected' | 'addEventListener' | 'removeEventListener'>;

/**
 * Scrollers that move together sideways: a function to call with each (a ref
 * callback); scrolling one scrolls the others to the same place, one added
 * later starts where the others are, and those no longer in the page are let go.
 */
export function linkScrollers<E extends Scroller>(): (el: E | null) => void {
  const els = new Map<E, () => void>();
  let left = 0;
  return (el) => {
    for (const [e, off] of els) {
      if (!e.isConnected && e !== el) {
        e.removeEventListener('scroll', off);
        els.delete(e);
      }
    }
    if (!el || els.has(el)) return;
    const onScroll = () => {
      left = el.scrollLeft;
      // Within a pixel counts as there, so the echo of a scroll set here sets nothing back.
      for (const other of els.keys()) if (other !== el && Math.abs(other.scrollLeft - el.scrollLeft) >= 1) other.scrollLeft = el.scrollLeft;
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    els.set(el, onScroll);
    // A new scroller starts at 0; setting it anyway lays the page out at once, in the middle of React's commit.
    if (left !== 0) el.scrollLeft = left;
  };
}

/** The attention heatmap and the segment timeline under it, zoomed along time, scroll as one (a ref callback for each). */
export function useLinkedScroll(): (el: HTMLElement | null) => void {
  const [link] = useState(() => linkScrollers<HTMLElement>());
  return link;
}
