import { type ReactNode, useEffect, useState } from 'react';

/**
 * Mounts its children a frame after it first renders (the placeholder until
 * then). When the first videos of a load arrive, the page swaps its empty
 * state for the list, the selected video's charts and the fine-tune card: one
 * task of up to 200 ms on a slow machine, in the middle of the load. Staged,
 * it is a few tasks, each under the 100 ms that users feel as a stall. Later
 * updates render at once.
 */
export function StagedMount({ children, placeholder = null }: { children: ReactNode; placeholder?: ReactNode }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    // After the next paint: a timeout queued from the frame's callback runs once that frame is on screen.
    let timer = 0;
    const frame = requestAnimationFrame(() => (timer = window.setTimeout(() => setMounted(true), 0)));
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, []);
  return <>{mounted ? children : placeholder}</>;
}
