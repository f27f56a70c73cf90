/**
 * What the page's long main-thread tasks were: a Chromium trace (the
 * categories DevTools' Performance panel records, with V8's sampling
 * profiler) taken while a shard loads, and for every task on the page's main
 * thread over 50 ms, what ran in it:
 * - `entry`: what started it (a worker's message, a timer, an animation frame,
 *   React's scheduler, a click, a module evaluated at start-up ...);
 * - `kinds`: its time split into script, garbage collection, style and
 *   layout, paint, compile and parse, and other (self times of the trace's
 *   own events);
 * - `ours`: the functions of our own source (src/, by the sampled stacks'
 *   URLs; in the production build only with a source map) with the time
 *   spent in them and below, the top few;
 * - `components`: the React components rendered in it (the frame called by
 *   React's renderWithHooks/mountIndeterminateComponent, in the dev build);
 * - `self`: the functions where the samples landed, the top few.
 * Sampling adds its own cost to every task (roughly 10-30%): the counts of the
 * benchmark's rows come from a PerformanceObserver; the traced figures say
 * what ran, not how long it runs untraced.
 */
import { writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

/** The categories DevTools records (its Performance panel), V8's sampling profiler among them. */
const CATEGORIES = [
  '-*',
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8.execute',
  'v8',
  'disabled-by-default-v8.cpu_profiler',
];

/** A console.timeStamp the page makes where the measured window begins: tasks before it are left out. */
export const WINDOW_MARK = 'long-task window';

export interface Named {
  name: string;
  ms: number;
}
export interface LongTask {
  /** Start, ms after the trace began. */
  atMs: number;
  ms: number;
  /** The main thread's own CPU time in it: on a loaded machine the rest is time the thread waited for a core. */
  cpuMs: number | null;
  entry: string;
  kinds: Record<string, number>;
  ours: Named[];
  components: Named[];
  self: Named[];
}

/**
 * Starts a trace of the page. `sampled`: with V8's sampling profiler (what ran,
 * by function and component, at a cost to every task); otherwise the
 * timeline's events alone (what started each task and its time by kind, at
 * little cost).
 */
export async function startTrace(browser: Browser, page: Page, sampled = true): Promise<void> {
  const categories = sampled ? CATEGORIES : CATEGORIES.filter((c) => !c.includes('cpu_profiler'));
  await browser.startTracing(page, { categories, screenshots: false });
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  /** The thread's CPU time in a complete event. */
  tdur?: number;
  id?: string;
  args?: { name?: string; data?: Record<string, unknown> & { [k: string]: unknown } };
}
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber?: number;
}
interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: CallFrame;
}

/** Maps a generated position to its source (a production build's source map); null where none. */
export type SourceMapper = (url: string, line: number, column: number) => { source: string; name: string | null } | null;

let kept = 0;

/** Stops the trace and attributes every main-thread task of the page over `thresholdMs`. */
export async function stopTrace(browser: Browser, thresholdMs = 50, mapper?: SourceMapper): Promise<LongTask[]> {
  const buffer = await browser.stopTracing();
  // LONG_TASK_TRACE=<prefix> keeps each raw trace as <prefix>-<n>.json (for DevTools' Performance panel, or to
  // attribute again: bench/drivers/longTasks.ts).
  if (process.env.LONG_TASK_TRACE) writeFileSync(`${process.env.LONG_TASK_TRACE}-${++kept}.json`, buffer);
  return attributeTrace(buffer.toString('utf8'), thresholdMs, mapper);
}

/** The long tasks of a trace's JSON text (as DevTools saves it, or Chromium's tracing writes it). */
export function attributeTrace(json: string, thresholdMs = 50, mapper?: SourceMapper): LongTask[] {
  const parsed = JSON.parse(json) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return attribute(Array.isArray(parsed) ? parsed : parsed.traceEvents, thresholdMs, mapper);
}

const short = (url: string | undefined) =>
  (url ?? '')
    .replace(/^https?:\/\/[^/]+\//, '')
    .replace(/\?.*$/, '')
    .replace(/^node_modules\/\.vite\/deps\//, 'deps/');

function kindOf(name: string): string | null {
  if (/GC|Scavenge|MarkCompact|V8\.GC/i.test(name) && !/^v8\.execute$/.test(name)) return 'gc';
  if (
    /^(UpdateLayoutTree|Layout|RecalculateStyles|ScheduleStyleRecalculation|InvalidateLayout|IntersectionObserverController::computeIntersections|ComputeIntersections)$/.test(
      name,
    )
  )
    return 'style+layout';
  if (/^(Paint|PrePaint|Layerize|Commit|CompositeLayers|UpdateLayer|UpdateLayerTree|PaintImage|Decode.*|RasterTask)$/.test(name))
    return 'paint';
  if (
    /^(v8\.compile|v8\.compileModule|V8\.Compile|v8\.parseOnBackground|V8\.ParseFunction|V8\.Parse.*|CompileScript|CompileCode|v8\.produceCache|v8\.produceModuleCache|ParseHTML|ParseAuthorStyleSheet)/.test(
      name,
    )
  )
    return 'compile+parse';
  if (
    /^(FunctionCall|EventDispatch|TimerFire|FireAnimationFrame|FireIdleCallback|EvaluateScript|v8\.evaluateModule|v8\.run|v8\.callFunction|RunMicrotasks|V8\.Execute|HandlePostMessage|XHRReadyStateChange|XHRLoad)$/.test(
      name,
    )
  )
    return 'script';
  return null;
}

function describe(e: TraceEvent): string | null {
  const d = (e.args?.data ?? {}) as Record<string, unknown>;
  switch (e.name) {
    case 'EventDispatch':
      return `event ${d.type as string}`;
    case 'TimerFire':
      return 'timer';
    case 'FireAnimationFrame':
      return 'animation frame';
    case 'FireIdleCallback':
      return 'idle callback';
    case 'FunctionCall': {
      const fn = (d.functionName as string) || '(anonymous)';
      return `call ${fn} ${short((d.url as string) ?? '')}`;
    }
    case 'EvaluateScript':
      return `evaluate ${short((d.url as string) ?? '')}`;
    case 'v8.evaluateModule':
      return 'evaluate module';
    case 'ParseHTML':
      return 'parse HTML';
    case 'HandlePostMessage':
      return 'message';
    case 'CpuProfiler::StartProfiling':
      return "the trace's own profiler starting";
    default:
      return null;
  }
}

function top(map: Map<string, number>, n: number): Named[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10 }));
}

/** The page's main thread: the renderer's CrRendererMain with the most tasks. */
function mainThread(events: TraceEvent[]): { pid: number; tid: number } | null {
  const mains = new Set(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.name !== 'RunTask' && e.name !== 'ThreadControllerImpl::RunTask') continue;
    const k = `${e.pid}:${e.tid}`;
    if (mains.has(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  if (!best) return null;
  const [pid, tid] = best[0].split(':').map(Number);
  return { pid, tid };
}

/** The long tasks of a parsed trace. */
function attribute(events: TraceEvent[], thresholdMs: number, mapper?: SourceMapper): LongTask[] {
  const main = mainThread(events);
  if (!main) return [];
  let t0 = Infinity;
  for (const e of events) if (e.ts > 0 && e.ph !== 'M' && e.ts < t0) t0 = e.ts;
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && (e.ph === 'X' || e.ph === 'B' || e.ph === 'E'));
  // B/E pairs made complete, so that each event has a duration.
  const complete: TraceEvent[] = [];
  const open = new Map<string, TraceEvent[]>();
  for (const e of onMain.sort((a, b) => a.ts - b.ts)) {
    if (e.ph === 'X') complete.push(e);
    else if (e.ph === 'B') {
      const s = open.get(e.name) ?? [];
      s.push(e);
      open.set(e.name, s);
    } else {
      const b = open.get(e.name)?.pop();
      if (b) complete.push({ ...b, ph: 'X', dur: e.ts - b.ts, args: { ...b.args, ...e.args } as TraceEvent['args'] });
    }
  }
  complete.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const tasks = complete.filter(
    (e) => (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && (e.dur ?? 0) > thresholdMs * 1000,
  );
  // From the window's mark on, when the trace has one.
  const mark = events.find(
    (e) => e.name === 'TimeStamp' && e.pid === main.pid && e.tid === main.tid && e.args?.data?.message === WINDOW_MARK,
  );
  const inWindow = mark ? tasks.filter((t) => t.ts + t.dur! >= mark.ts) : tasks;
  // Nested RunTasks (a task inside a task) count once, as the outer one.
  const outer = inWindow.filter((t, i) => !inWindow.slice(0, i).some((o) => o.ts <= t.ts && o.ts + o.dur! >= t.ts + t.dur!));
  const samples = profileSamples(events, main);
  return outer.map((task) => {
    const end = task.ts + task.dur!;
    const inside = complete.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end);
    // Self times by kind: each event's time less its children's.
    const kinds = new Map<string, number>();
    const stack: { e: TraceEvent; kind: string; child: number }[] = [];
    const close = (upTo: number) => {
      while (stack.length && stack[stack.length - 1].e.ts + stack[stack.length - 1].e.dur! <= upTo) {
        const s = stack.pop()!;
        kinds.set(s.kind, (kinds.get(s.kind) ?? 0) + s.e.dur! - s.child);
        if (stack.length) stack[stack.length - 1].child += s.e.dur!;
        else covered += s.e.dur!;
      }
    };
    let covered = 0;
    let entry: string | null = null;
    for (const e of inside) {
      close(e.ts);
      const k = kindOf(e.name);
      entry ??= describe(e);
      if (k === null) continue;
      stack.push({ e, kind: k, child: 0 });
    }
    close(Infinity);
    kinds.set('other', (kinds.get('other') ?? 0) + Math.max(0, task.dur! - covered));
    // The sampled stacks inside the task.
    const self = new Map<string, number>();
    const ours = new Map<string, number>();
    const components = new Map<string, number>();
    for (const s of samples) {
      if (s.ts < task.ts || s.ts >= end) continue;
      const frames = s.stack;
      if (!frames.length) continue;
      const leaf = frames[0];
      const leafName = label(leaf, mapper);
      self.set(leafName, (self.get(leafName) ?? 0) + s.us);
      const seen = new Set<string>();
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i];
        const mapped = mapper?.(f.url, f.lineNumber, f.columnNumber ?? 0) ?? null;
        const file = mapped?.source ?? short(f.url);
        if (/(^|\/)src\//.test(file) && !/node_modules/.test(file)) {
          const name = `${mapped?.name ?? (f.functionName || '(anonymous)')} ${file.replace(/^.*?(src\/)/, '$1')}`;
          if (!seen.has(name)) {
            seen.add(name);
            ours.set(name, (ours.get(name) ?? 0) + s.us);
          }
        }
        // React calls each function component from renderWithHooks (mountIndeterminateComponent at first mount).
        const caller = frames[i + 1];
        // React 19's development build calls each component (and each effect) from react_stack_bottom_frame; earlier ones from renderWithHooks.
        if (
          caller &&
          /^(react_stack_bottom_frame|renderWithHooks|mountIndeterminateComponent)$/.test(caller.functionName) &&
          /^[A-Z]/.test(f.functionName)
        ) {
          const c = `<${f.functionName}>`;
          if (!seen.has(c)) {
            seen.add(c);
            components.set(c, (components.get(c) ?? 0) + s.us);
          }
        }
      }
    }
    const ms = (us: number) => Math.round(us / 100) / 10;
    return {
      atMs: ms(task.ts - t0),
      ms: ms(task.dur!),
      cpuMs: task.tdur !== undefined ? ms(task.tdur) : null,
      entry: entry ?? 'task',
      kinds: Object.fromEntries([...kinds.entries()].filter(([, v]) => v >= 500).map(([k, v]) => [k, ms(v)])),
      ours: top(ours, 8),
      components: top(components, 8),
      self: top(self, 8),
    };
  });
}

function label(f: CallFrame, mapper?: SourceMapper): string {
  const mapped = mapper?.(f.url, f.lineNumber, f.columnNumber ?? 0) ?? null;
  const name = mapped?.name ?? (f.functionName || (f.url ? '(anonymous)' : '(program)'));
  const file = mapped?.source ?? short(f.url);
  return file ? `${name} ${file.replace(/^.*?(src\/|deps\/|node_modules\/)/, '$1')}` : name;
}

interface Sample {
  ts: number;
  us: number;
  /** Leaf first. */
  stack: CallFrame[];
}

/** The sampling profiler's samples of the main thread, each with its stack (leaf first) and the time it stands for. */
function profileSamples(events: TraceEvent[], main: { pid: number; tid: number }): Sample[] {
  const out: Sample[] = [];
  const profiles = new Map<string, { start: number; time: number; nodes: Map<number, ProfileNode>; tid: number }>();
  for (const e of events) {
    if (e.pid !== main.pid) continue;
    if (e.name === 'Profile') {
      const d = e.args?.data as { startTime: number };
      profiles.set(e.id!, { start: d.startTime, time: d.startTime, nodes: new Map(), tid: e.tid });
    } else if (e.name === 'ProfileChunk') {
      const p = profiles.get(e.id!);
      if (!p || p.tid !== main.tid) continue;
      const d = e.args?.data as { cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] }; timeDeltas?: number[] };
      for (const n of d.cpuProfile?.nodes ?? []) p.nodes.set(n.id, n);
      const ids = d.cpuProfile?.samples ?? [];
      const deltas = d.timeDeltas ?? [];
      for (let i = 0; i < ids.length; i++) {
        p.time += deltas[i] ?? 0;
        out.push({ ts: p.time, us: 0, stack: stackOf(p.nodes, ids[i]) });
      }
    }
  }
  out.sort((a, b) => a.ts - b.ts);
  // Each sample stands for the time until the next (at most 10 ms: a gap is idle, not this stack).
  for (let i = 0; i < out.length; i++) out[i].us = i + 1 < out.length ? Math.min(out[i + 1].ts - out[i].ts, 10_000) : 0;
  return out;
}

function stackOf(nodes: Map<number, ProfileNode>, id: number): CallFrame[] {
  const frames: CallFrame[] = [];
  for (let n = nodes.get(id); n; n = n.parent !== undefined ? nodes.get(n.parent) : undefined) {
    if (n.callFrame.functionName === '(root)') break;
    frames.push(n.callFrame);
  }
  return frames;
}

/** Over all the tasks: the time in each of our functions, React components and kinds, the top `n`. */
export function totals(tasks: LongTask[], n = 15): { ours: Named[]; self: Named[]; components: Named[]; kinds: Named[]; entries: Named[] } {
  const sum = (pick: (t: LongTask) => Named[]) => {
    const m = new Map<string, number>();
    for (const t of tasks) for (const x of pick(t)) m.set(x.name, (m.get(x.name) ?? 0) + x.ms * 1000);
    return top(m, n);
  };
  return {
    ours: sum((t) => t.ours),
    self: sum((t) => t.self),
    components: sum((t) => t.components),
    kinds: sum((t) => Object.entries(t.kinds).map(([name, ms]) => ({ name, ms }))),
    entries: sum((t) => [{ name: t.entry.replace(/ \S+\.(js|ts|tsx)$/, ''), ms: t.ms }]),
  };
}

/** A few lines for the log: the longest tasks first. */
export function summarize(tasks: LongTask[], n = 12): string {
  return [...tasks]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((t) => {
      const kinds = Object.entries(t.kinds)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      const list = (xs: Named[]) => xs.map((x) => `${x.name} ${x.ms}`).join('; ');
      return (
        `  ${t.ms} ms (${t.cpuMs ?? '?'} ms on the CPU) at ${(t.atMs / 1000).toFixed(1)} s, ${t.entry} [${kinds}]\n` +
        `    ours: ${list(t.ours) || '-'}\n` +
        (t.components.length ? `    components: ${list(t.components)}\n` : '') +
        `    self: ${list(t.self)}`
      );
    })
    .join('\n');
}
