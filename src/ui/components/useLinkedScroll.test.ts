import { describe, expect, it } from 'vitest';
import { linkScrollers } from './useLinkedScroll';

/** An element's sideways scroll, as far as the link uses it: a scroll sets scrollLeft and fires its listeners. */
class FakeScroller {
  scrollLeft = 0;
  isConnected = true;
  listeners = new Set<() => void>();
  addEventListener(_: string, fn: () => void) {
    this.listeners.add(fn);
  }
  removeEventListener(_: string, fn: () => void) {
    this.listeners.delete(fn);
  }
  scrollTo(x: number) {
    this.scrollLeft = x;
    this.listeners.forEach((fn) => fn());
  }
}

describe('linked sideways scrollers (heatmap and timeline)', () => {
  it('scroll together, a later one starts where they are, and one gone from the page is let go', () => {
    const link = linkScrollers<FakeScroller & HTMLElement>();
    const [heatmap, timeline, later] = [new FakeScroller(), new FakeScroller(), new FakeScroller()] as unknown as (FakeScroller &
      HTMLElement)[];
    link(heatmap);
    link(timeline);
    link(timeline); // a ref callback called again for the same element
    expect((timeline as unknown as FakeScroller).listeners.size).toBe(1);
    (heatmap as unknown as FakeScroller).scrollTo(240);
    expect(timeline.scrollLeft).toBe(240);
    (timeline as unknown as FakeScroller).scrollTo(80.4);
    expect(heatmap.scrollLeft).toBe(80.4);
    link(later);
    expect(later.scrollLeft).toBe(80.4);
    (timeline as unknown as FakeScroller).isConnected = false;
    link(null);
    expect((timeline as unknown as FakeScroller).listeners.size).toBe(0);
    (heatmap as unknown as FakeScroller).scrollTo(10);
    expect([later.scrollLeft, timeline.scrollLeft]).toEqual([10, 80.4]);
  });
});
