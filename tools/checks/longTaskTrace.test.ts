import { describe, expect, it } from 'vitest';
import { attributeTrace, totals, WINDOW_MARK } from '../../bench/helpers/longTaskTrace';

/** A trace as Chromium writes it: the page's main thread (pid 1, tid 2) and a worker thread (tid 3). */
function trace() {
  const M = (tid: number, name: string) => ({ name: 'thread_name', ph: 'M', pid: 1, tid, ts: 0, cat: '__metadata', args: { name } });
  const X = (name: string, ts: number, dur: number, data: Record<string, unknown> = {}, tid = 2, tdur?: number) => ({
    name,
    ph: 'X',
    pid: 1,
    tid,
    ts,
    dur,
    ...(tdur !== undefined ? { tdur } : {}),
    cat: 'devtools.timeline',
    args: { data },
  });
  const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 1, columnNumber: 1 });
  const base = 'http://127.0.0.1:5173/';
  // Samples, 1 ms apart: the list rendered (VideoList called by React for 30 ms), then a store update (10 ms).
  const nodes = [
    { id: 1, callFrame: frame('(root)', '') },
    { id: 2, parent: 1, callFrame: frame('performWorkUntilDeadline', `${base}node_modules/.vite/deps/react-dom_client.js?v=1`) },
    { id: 3, parent: 2, callFrame: frame('react_stack_bottom_frame', `${base}node_modules/.vite/deps/react-dom_client.js?v=1`) },
    { id: 4, parent: 3, callFrame: frame('VideoList', `${base}src/ui/components/VideoPanel.tsx?t=1`) },
    { id: 5, parent: 4, callFrame: frame('jsxDEV', `${base}node_modules/.vite/deps/react_jsx-dev-runtime.js?v=1`) },
    { id: 6, parent: 2, callFrame: frame('applyEvent', `${base}src/ui/state/store.ts`) },
  ];
  const samples = [...Array<number>(30).fill(5), ...Array<number>(10).fill(6), 2];
  return [
    M(2, 'CrRendererMain'),
    M(3, 'DedicatedWorker thread'),
    // A short task, then a long one (80 ms, 50 of them on the CPU) with a timer, a GC and a layout in it.
    X('RunTask', 1000, 10_000),
    X('RunTask', 100_000, 80_000, {}, 2, 50_000),
    X('TimerFire', 100_100, 60_000),
    X('FunctionCall', 100_200, 59_000, {
      functionName: 'performWorkUntilDeadline',
      url: `${base}node_modules/.vite/deps/react-dom_client.js`,
    }),
    X('MinorGC', 150_000, 5_000),
    X('Layout', 165_000, 12_000),
    // The worker's long task is not the page's.
    X('RunTask', 100_000, 90_000, {}, 3),
    {
      name: 'Profile',
      ph: 'P',
      pid: 1,
      tid: 2,
      ts: 100_000,
      id: '0x1',
      cat: 'disabled-by-default-v8.cpu_profiler',
      args: { data: { startTime: 100_300 } },
    },
    {
      name: 'ProfileChunk',
      ph: 'P',
      pid: 1,
      tid: 2,
      ts: 200_000,
      id: '0x1',
      cat: 'disabled-by-default-v8.cpu_profiler',
      args: { data: { cpuProfile: { nodes, samples }, timeDeltas: samples.map(() => 1000) } },
    },
  ];
}

describe('long-task attribution (bench/helpers/longTaskTrace.ts)', () => {
  it("finds the page's tasks over the threshold and says what ran in them: what started it, its time by kind, our functions and React's components", () => {
    const tasks = attributeTrace(JSON.stringify({ traceEvents: trace() }), 50);
    expect(tasks).toHaveLength(1);
    const [t] = tasks;
    expect(t).toMatchObject({ ms: 80, cpuMs: 50, entry: 'timer', atMs: 99 });
    // Self times: the script less the GC and the layout inside it; what no event covers is "other".
    expect(t.kinds).toEqual({ script: 55, gc: 5, 'style+layout': 12, other: 8 });
    expect(t.components).toEqual([{ name: '<VideoList>', ms: 30 }]);
    expect(t.ours).toEqual([
      { name: 'VideoList src/ui/components/VideoPanel.tsx', ms: 30 },
      { name: 'applyEvent src/ui/state/store.ts', ms: 10 },
    ]);
    expect(t.self[0]).toEqual({ name: 'jsxDEV deps/react_jsx-dev-runtime.js', ms: 30 });
    expect(totals(tasks).entries).toEqual([{ name: 'timer', ms: 80 }]);
  });

  it('reads a trace saved as a bare array of events, and one without a page (nothing to attribute)', () => {
    expect(attributeTrace(JSON.stringify(trace()), 50)).toHaveLength(1);
    expect(attributeTrace(JSON.stringify(trace()), 100)).toEqual([]);
    expect(attributeTrace(JSON.stringify({ traceEvents: [] }), 50)).toEqual([]);
    // Tasks that ended before the window's mark (the bench's own warm-up) are left out.
    const mark = {
      name: 'TimeStamp',
      ph: 'I',
      pid: 1,
      tid: 2,
      ts: 190_000,
      cat: 'devtools.timeline',
      args: { data: { message: WINDOW_MARK } },
    };
    expect(attributeTrace(JSON.stringify([...trace(), mark]), 50)).toEqual([]);
    expect(attributeTrace(JSON.stringify([...trace(), { ...mark, ts: 150_000 }]), 50)).toHaveLength(1);
  });
});
