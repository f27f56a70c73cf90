import { useEffect, useState } from 'react';
import { Bar, BarChart, Cell, LabelList, Tooltip, XAxis, YAxis } from 'recharts';

const DATA = [
  { name: 'a', p: 0.9 },
  { name: 'b', p: 0.4 },
  { name: 'c', p: 0.1 },
];

/**
 * Draws a small bar chart out of sight once, while the page is idle, and
 * removes it. The first chart a page draws pays for compiling the chart
 * library's code: about 100 ms on a slow machine, which would otherwise fall
 * on the moment a load's first results arrive, while the page is busiest.
 */
export function ChartWarmup() {
  const [phase, setPhase] = useState<'wait' | 'draw' | 'done'>('wait');
  useEffect(() => {
    if (phase === 'done') return;
    if (phase === 'draw') {
      const frame = requestAnimationFrame(() => setPhase('done'));
      return () => cancelAnimationFrame(frame);
    }
    const idle = window.requestIdleCallback ?? ((fn: () => void) => window.setTimeout(fn, 200));
    const cancel = window.cancelIdleCallback ?? window.clearTimeout;
    const handle = idle(() => setPhase('draw'), { timeout: 2000 });
    return () => cancel(handle);
  }, [phase]);
  if (phase !== 'draw') return null;
  return (
    <div
      aria-hidden="true"
      inert
      style={{ position: 'fixed', left: -10_000, top: 0, width: 320, height: 160, visibility: 'hidden', pointerEvents: 'none' }}
    >
      <BarChart width={320} height={160} data={DATA} layout="vertical" accessibilityLayer>
        <XAxis type="number" domain={[0, 1]} />
        <YAxis type="category" dataKey="name" />
        <Tooltip isAnimationActive={false} />
        <Bar dataKey="p" isAnimationActive={false}>
          {DATA.map((d) => (
            <Cell key={d.name} />
          ))}
          <LabelList dataKey="p" position="right" />
        </Bar>
      </BarChart>
    </div>
  );
}
