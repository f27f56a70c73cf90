import { type ReactNode, startTransition, useEffect, useState } from 'react';

/**
 * Mounts its children a frame after it first renders (the placeholder until
 * then). When the first videos of a load arrive, the page swaps its empty
 * state for the list, the selected video's charts and the fine-tune card: one
 * task of up to 200 ms on a slow machine, in the middle of the load. Staged,
 * it is a few tasks, each under the 100 ms that users feel as a stall. Later
 * updates render at once.
 */
export function StagedMount({
  children,
  placeholder = null,
  frames = 1,
}: {
  children: ReactNode;
  placeholder?: ReactNode;
  /** Frames painted before it mounts: parts staged together mount in tasks of their own when each waits a frame more. */
  frames?: number;
}) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    // After the paint of the frame waited for: a timeout queued from that frame's callback runs once it is on screen.
    let timer = 0;
    let frame = 0;
    let left = frames;
    const next = () => {
      if (--left > 0) frame = requestAnimationFrame(next);
      // A transition: React renders it in slices of a few milliseconds, between which the page answers clicks and
      // takes in results (the probability chart's first render alone is over 100 ms of React's development build).
      else timer = window.setTimeout(() => startTransition(() => setMounted(true)), 0);
    };
    frame = requestAnimationFrame(next);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [frames]);
  // The hidden marker says "still to come" to whatever waits for the page to settle (the e2e layout checks).
  return (
    <>
      {mounted ? (
        children
      ) : (
        <>
          {placeholder}
          <span hidden data-staged-pending="" />
        </>
      )}
    </>
  );
}
