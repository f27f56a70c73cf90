import { type KeyboardEvent, memo, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Bar, BarChart, Cell, LabelList, ResponsiveContainer, Tooltip, useActiveTooltipDataPoints, XAxis, YAxis } from 'recharts';
import { topKIndices } from '../../core/metrics';
import type { VideoResult } from '../../protocol/protocol';
import { formatProbability } from '../formatNumbers';
import { useApp } from '../state/context';
import type { VideoRow } from '../state/slices/videos';
import { SETTINGS } from '../state/urlState';
import './ChartAxes.css';

interface Props {
  video: VideoRow;
  /** The true labels in `classNames`' indices (the video's own, or the user's classes while fine-tuning on them). */
  labels: readonly number[] | null;
  result: VideoResult;
  classNames: string[];
  selectedClass: number | null;
  onPickClass: (c: number) => void;
}

interface Datum {
  classIndex: number;
  name: string;
  p: number;
  label: boolean;
}

/** Per-class probabilities: the top-k chart, a search over every class, and the numbers as a table. */
function ProbabilityCardView({ video, labels: trueLabels, result, classNames, selectedClass, onPickClass }: Props) {
  const topK = useApp((s) => s.settings.topK);
  const setTopK = useApp((s) => s.setTopK);
  const selectId = useId();
  const labels = useMemo(() => new Set(trueLabels ?? []), [trueLabels]);
  const p = result.probabilities;
  const data: Datum[] = useMemo(
    () => Array.from(topKIndices(p, topK), (c) => ({ classIndex: c, name: classNames[c] ?? `class ${c}`, p: p[c], label: labels.has(c) })),
    [p, topK, classNames, labels],
  );
  const choices = [...new Set([...SETTINGS.topK.choices, topK])].sort((a, b) => a - b);
  // On a phone the class names get less room, so that the bars keep some.
  const narrow = useNarrow();
  const nameChars = narrow ? 14 : 24;
  const height = data.length * 30 + 64;
  // The bar the keyboard is on (recharts' accessibility layer moves it with the arrow keys): Enter or Space picks its class, as a click does.
  const active = useRef<Datum | null>(null);
  const setActive = useCallback((d: Datum | null) => {
    active.current = d;
  }, []);
  const onChartKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.key === 'Enter' || e.key === ' ') && active.current) {
      e.preventDefault();
      e.stopPropagation();
      onPickClass(active.current.classIndex);
    } else if (NEXT_BAR[e.key] !== undefined && e.nativeEvent.isTrusted && e.target instanceof SVGElement) {
      // The bars stand one above the other, the top class first: Down (and Right) go to the next bar, Up (and Left)
      // to the one before. recharts reads a vertical chart's arrows the other way round ('top-to-bottom' is not its
      // 'left-to-right'), so the key it gets is the mirror one.
      e.preventDefault();
      e.stopPropagation();
      e.target.dispatchEvent(new globalThis.KeyboardEvent('keydown', { key: NEXT_BAR[e.key] ? 'ArrowLeft' : 'ArrowRight', bubbles: true }));
    }
  };

  // The tooltip shows for a pointer that moved over the chart or for the keyboard on it, never by itself: Chromium sends a
  // still pointer's position again when the page changes under it (the chart appearing where "Try a sample" was).
  const [pointer, setPointer] = useState(false);
  const [keyboard, setKeyboard] = useState(false);
  const chartTitle = `Top ${data.length} class probabilities of ${video.id}`;
  // The svg that recharts makes a Tab stop gets a name of its own (its <title> child is not read as one everywhere).
  const chartBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    chartBox.current
      ?.querySelector('svg[tabindex="0"]')
      ?.setAttribute('aria-label', `${chartTitle}. Arrow keys move between classes; Enter or Space picks one for the evidence below.`);
  });

  return (
    <section className="card prob-card" aria-labelledby="prob-title">
      <div className="card-head">
        <h3 id="prob-title">Class probabilities</h3>
        <label className="field-inline" htmlFor={selectId}>
          <span className="field-label">Top</span>
          <select id={selectId} value={topK} onChange={(e) => setTopK(Number(e.target.value))} aria-label={SETTINGS.topK.label}>
            {choices.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted small card-sub">
        Each bar is the probability that the video shows that class: an independent sigmoid per class, so a video can be several things and
        the bars need not sum to 1. <span className="legend-swatch swatch-label" /> true label
      </p>
      <div
        className="chart"
        style={{ height }}
        data-testid="prob-chart"
        onKeyDownCapture={onChartKey}
        ref={chartBox}
        onMouseMove={(e) => {
          if (e.movementX !== 0 || e.movementY !== 0) setPointer(true);
        }}
        onMouseLeave={() => setPointer(false)}
        onFocus={() => setKeyboard(true)}
        onBlur={() => setKeyboard(false)}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={data}
            layout="vertical"
            margin={{ top: 24, right: narrow ? 52 : 64, bottom: 4, left: 4 }}
            barCategoryGap={6}
            accessibilityLayer
            title={chartTitle}
            desc="Bars from 0 to 1; true labels in green. Arrow keys move between classes; Enter or Space picks one for the evidence below."
          >
            <ActiveBar onChange={setActive} />
            <XAxis
              type="number"
              domain={[0, 1]}
              ticks={narrow ? [0, 0.5, 1] : [0, 0.25, 0.5, 0.75, 1]}
              tick={ProbabilityTick}
              interval={0}
              className="axis"
              tickLine={false}
              axisLine={false}
              height={44}
              label={{
                value: narrow ? 'Probability (0 to 1)' : 'Probability of the class (sigmoid, 0 to 1)',
                position: 'insideBottom',
                offset: 4,
                className: 'axis-title',
              }}
            />
            <YAxis
              type="category"
              dataKey="name"
              width={narrow ? 112 : 190}
              interval={0}
              tickLine={false}
              axisLine={false}
              className="axis axis-names"
              label={{ value: `Class (top ${data.length})`, position: 'insideTopLeft', offset: 0, dy: -10, className: 'axis-title' }}
              tick={(props) => <ClassTick {...props} data={data} selected={selectedClass} chars={nameChars} />}
            />
            <Tooltip
              cursor={{ className: 'chart-cursor' }}
              content={<ChartTooltip />}
              isAnimationActive={false}
              {...(pointer || keyboard ? {} : { active: false })}
            />
            <Bar
              dataKey="p"
              radius={[0, 4, 4, 0]}
              isAnimationActive={false}
              onClick={(d) => onPickClass((d as unknown as { payload: Datum }).payload.classIndex)}
            >
              {data.map((d) => (
                <Cell key={d.classIndex} className={`bar${d.label ? ' bar-label' : ''}`} cursor="pointer" />
              ))}
              <LabelList dataKey="p" content={BarValue} />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <ClassSearch result={result} classNames={classNames} labels={labels} onPickClass={onPickClass} />
      <details className="values">
        <summary>Show values as a table</summary>
        <table data-testid="prob-table">
          <caption className="sr-only">
            Top {data.length} classes of {video.id}
          </caption>
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Class id</th>
              <th scope="col">Class name</th>
              <th scope="col">Probability (0 to 1)</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d, i) => (
              <tr key={d.classIndex} data-class={d.classIndex} data-probability={d.p}>
                <td>{i + 1}</td>
                <td>{d.classIndex}</td>
                <td>
                  {d.name}
                  {d.label && <span className="chip chip-label chip-small">label</span>}
                </td>
                <td className="tabular">{formatProbability(d.p)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

/** Whether an arrow key goes to the next bar (true) or the one before (false). */
const NEXT_BAR: Record<string, boolean> = { ArrowDown: true, ArrowRight: true, ArrowUp: false, ArrowLeft: false };

/** Reports the datum of the bar the tooltip is on (by mouse or keyboard), or null. */
function ActiveBar({ onChange }: { onChange: (d: Datum | null) => void }) {
  const points = useActiveTooltipDataPoints<Datum>();
  const d = points?.[0] ?? null;
  useEffect(() => onChange(d), [d, onChange]);
  return null;
}

/** Whether the window is phone-narrow (the chart's class names then get less room). */
function useNarrow(): boolean {
  const query = '(max-width: 520px)';
  const [narrow, setNarrow] = useState(() => typeof window !== 'undefined' && window.matchMedia?.(query).matches);
  useEffect(() => {
    const m = window.matchMedia?.(query);
    if (!m) return;
    const on = () => setNarrow(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return narrow;
}

function ClassTick(props: {
  x?: number | string;
  y?: number | string;
  payload?: { value: string; index: number };
  data: Datum[];
  selected: number | null;
  chars: number;
}) {
  const { payload, data, selected } = props;
  const x = Number(props.x ?? 0);
  const y = Number(props.y ?? 0);
  if (!payload) return null;
  const d = data[payload.index];
  const name = payload.value.length > props.chars ? `${payload.value.slice(0, props.chars - 1)}…` : payload.value;
  return (
    <g transform={`translate(${x},${y})`}>
      <title>{payload.value}</title>
      <text
        x={-8}
        y={0}
        dy="0.35em"
        textAnchor="end"
        className={`class-tick${d?.label ? ' class-tick-label' : ''}${d?.classIndex === selected ? ' class-tick-selected' : ''}`}
      >
        {d?.label ? '✓ ' : ''}
        {name}
      </text>
    </g>
  );
}

/*
 * The chart's numbers as plain svg text. recharts' own text measures each one
 * in the page (a forced layout), and lays out the axis' ticks by their measured
 * widths, on every render of the chart: most of its cost when the selected
 * video changes, in React's development build above all.
 */

/** A tick of the probability axis (the ticks are given: none needs leaving out). */
function ProbabilityTick(props: { x?: number | string; y?: number | string; payload?: { value?: unknown } }) {
  return (
    <text x={Number(props.x ?? 0)} y={Number(props.y ?? 0)} dy="0.71em" textAnchor="middle" className="recharts-cartesian-axis-tick-value">
      {String(props.payload?.value ?? '')}
    </text>
  );
}

/** A bar's probability, just past its end. */
function BarValue(props: { x?: number | string; y?: number | string; width?: number | string; height?: number | string; value?: unknown }) {
  const x = Number(props.x ?? 0) + Number(props.width ?? 0) + 5;
  const y = Number(props.y ?? 0) + Number(props.height ?? 0) / 2;
  return (
    <text x={x} y={y} dy="0.355em" textAnchor="start" className="bar-value">
      {formatProbability(Number(props.value))}
    </text>
  );
}

function ChartTooltip({ active, payload }: { active?: boolean; payload?: readonly { payload: Datum }[] }) {
  if (!active || !payload?.length) return null;
  const d = payload[0].payload;
  return (
    <div className="tooltip">
      <strong>{d.name}</strong>
      <div className="tabular">p = {formatProbability(d.p)}</div>
      <div className="muted small">
        class {d.classIndex}
        {d.label ? ' · true label' : ''}
      </div>
    </div>
  );
}

/** Finds any class by name and shows its probability and rank. */
function ClassSearch({
  result,
  classNames,
  labels,
  onPickClass,
}: {
  result: VideoResult;
  classNames: string[];
  labels: Set<number>;
  onPickClass: (c: number) => void;
}) {
  const [query, setQuery] = useState('');
  const id = useId();
  const p = result.probabilities;
  const rank = useMemo(() => {
    const order = topKIndices(p, p.length);
    const r = new Int32Array(p.length);
    order.forEach((c, i) => (r[c] = i + 1));
    return r;
  }, [p]);
  const q = query.trim().toLowerCase();
  const matches = useMemo(() => {
    if (!q) return [];
    const hits: number[] = [];
    classNames.forEach((n, c) => {
      if (n.toLowerCase().includes(q) || String(c) === q) hits.push(c);
    });
    // Names that start with the query first, then by probability.
    return hits
      .sort(
        (a, b) => Number(!classNames[a].toLowerCase().startsWith(q)) - Number(!classNames[b].toLowerCase().startsWith(q)) || p[b] - p[a],
      )
      .slice(0, 8);
  }, [q, classNames, p]);

  return (
    <div className="search">
      <label htmlFor={id} className="field-label">
        Find a class
      </label>
      <input
        id={id}
        type="search"
        placeholder={`Search ${classNames.length.toLocaleString('en-US')} classes by name`}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        autoComplete="off"
        aria-describedby={`${id}-results`}
      />
      <div id={`${id}-results`} aria-live="polite" className="search-results">
        {q && matches.length === 0 && <p className="muted small">No class matches “{query}”.</p>}
        {matches.length > 0 && (
          <ul data-testid="search-results">
            {matches.map((c) => (
              <li key={c}>
                <button
                  type="button"
                  className="search-hit"
                  onClick={() => onPickClass(c)}
                  aria-label={`${classNames[c]}: probability ${formatProbability(p[c])}, rank ${rank[c]}. Show its evidence.`}
                >
                  <span className="search-name">
                    {classNames[c]}
                    {labels.has(c) && <span className="chip chip-label chip-small">label</span>}
                  </span>
                  <span className="search-bar" aria-hidden="true">
                    <span style={{ width: `${Math.max(1, p[c] * 100)}%` }} />
                  </span>
                  <span className="tabular search-p" data-probability={p[c]}>
                    {formatProbability(p[c])}
                  </span>
                  <span className="muted small search-rank">#{rank[c]}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** Memoized: the detail renders again as a load goes on (the list's length), and this card only needs to when its video, result or class does. */
export const ProbabilityCard = memo(ProbabilityCardView);
