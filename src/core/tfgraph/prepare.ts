/**
 * A frozen GraphDef made ready to run between one input and one output:
 * only the nodes on the way from the input to the output are kept (ops off
 * that path are never looked at, control inputs `^name` are skipped,
 * Identity-like ops are linked through), each op is checked to be one the
 * interpreter runs, every constant it needs is read, every shape is checked
 * for a frame, and a convolution followed by a batch norm of constants (and a
 * Relu) becomes one fused convolution. The result is plain data (typed arrays
 * and JSON), so the page can keep it in IndexedDB and skip all of this the
 * next time.
 */
import { InputError } from '../errors';
import { Attrs } from './attrs';
import { type GraphNode, q, safe } from './graphDef';
import { OPS, PASS_THROUGH, type Params, supportedOps } from './ops';
import { BadTensor, type ConstValue, constValue } from './tensorValue';

export type Ref = { kind: 'input' } | { kind: 'step'; index: number } | { kind: 'const'; index: number };

interface PreparedStep {
  /** The node's name in the file (the last node of a fused group). */
  node: string;
  op: string;
  inputs: Ref[];
  params: Params;
}

interface PreparedConst extends ConstValue {
  name: string;
}

export interface PreparedGraph {
  /** The file the graph came from, for messages. */
  file: string;
  input: string;
  output: string;
  steps: PreparedStep[];
  constants: PreparedConst[];
  result: Ref;
  /**
   * The step that gives a frame its batch axis (ExpandDims on axis 0), when
   * every step after it computes B stacked frames as it would each alone; -1
   * when frames must run one at a time.
   */
  batchStart: number;
  /** How the path was simplified: fused convolutions, linked identities. */
  stats: { nodesOnPath: number; fusedConvolutions: number; passThrough: number };
}

export interface PrepareOptions {
  /** The fed tensor, "name" or "name:0" (DecodeJpeg:0). */
  input: string;
  /** The tensor read, "name" or "name:0" (pool_3/_reshape:0). */
  output: string;
  /** A frame's shape to check every node's shapes with, e.g. [480, 640, 3]. */
  sampleInputShape: number[];
  /** The output's shape for one frame, when it must be this one. */
  outputShape?: number[];
  /** Fold batch norms of constants into the convolution before them (default true). */
  fuse?: boolean;
}

function splitName(s: string): { name: string; index: number } {
  const m = /^(.*):(\d+)$/.exec(s);
  return m ? { name: m[1], index: Number(m[2]) } : { name: s, index: 0 };
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

interface Draft {
  node: string;
  op: string;
  inputs: DraftRef[];
  params: Params;
}
type DraftRef = { kind: 'input' } | { kind: 'step'; step: Draft } | { kind: 'const'; value: PreparedConst };

export function prepareGraph(nodes: readonly GraphNode[], file: string, opts: PrepareOptions): PreparedGraph {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const input = splitName(opts.input);
  const output = splitName(opts.output);
  const fail = (what: string): never => {
    throw new InputError(`${file}: ${what}`);
  };
  if (!byName.has(input.name)) fail(`the graph has no input node ${q(input.name)} (${opts.input}): it is not the graph expected`);
  if (input.index !== 0) fail(`the input ${opts.input} must be output 0 of its node`);
  if (!byName.has(output.name)) fail(`the graph has no output node ${q(output.name)} (${opts.output}): it is not the graph expected`);

  const constCache = new Map<string, PreparedConst>();
  const readConst = (node: GraphNode): PreparedConst => {
    let c = constCache.get(node.name);
    if (!c) {
      const bad = (what: string): never => fail(`the constant ${q(node.name)} ${what}`);
      const attrs = new Attrs(node, bad);
      try {
        c = { name: node.name, ...constValue(attrs.tensor('value')!) };
      } catch (e) {
        if (e instanceof BadTensor) bad(`is unusable: ${e.message}`);
        throw e;
      }
      constCache.set(node.name, c);
    }
    return c;
  };

  // Iterative depth-first walk from the output (a hostile file can chain a million nodes or loop).
  const resolved = new Map<string, DraftRef>();
  const state = new Map<string, 'open' | 'done'>();
  let passThrough = 0;
  const refOf = (name: string, from: GraphNode, slot: number): DraftRef | 'pending' => {
    const { name: n, index } = splitName(name);
    if (n === input.name) return { kind: 'input' };
    const node = byName.get(n);
    if (!node) return fail(`the node ${q(from.name)} (${safe(from.op)}) takes input ${slot} from ${q(name)}, which is not in the graph`);
    if (index !== 0) fail(`the node ${q(from.name)} (${safe(from.op)}) takes output ${index} of ${q(n)}, which has one output`);
    return resolved.get(n) ?? 'pending';
  };
  const dataInputs = (node: GraphNode) => node.inputs.filter((i) => !i.startsWith('^'));
  const stack: GraphNode[] = [byName.get(output.name)!];
  if (output.index !== 0) fail(`the output ${opts.output} must be output 0 of its node`);
  while (stack.length > 0) {
    const node = stack[stack.length - 1];
    if (node.name === input.name) {
      stack.pop();
      continue;
    }
    if (state.get(node.name) === 'done') {
      stack.pop();
      continue;
    }
    if (state.get(node.name) !== 'open') {
      state.set(node.name, 'open');
      if ((node.op !== 'Const' && !PASS_THROUGH.has(node.op) && !OPS[node.op]) || node.op === 'FusedConv2D') {
        if (node.op === 'Placeholder')
          fail(
            `the node ${q(node.name)} is a Placeholder on the way from ${opts.input} to ${opts.output}: the graph needs a value the extractor does not have`,
          );
        fail(`the node ${q(node.name)} is a ${safe(node.op)} op, which the extractor cannot run (it runs ${supportedOps().join(', ')})`);
      }
      if (node.op === 'Const') continue;
      const ins = dataInputs(node);
      if (ins.length === 0) fail(`the node ${q(node.name)} (${safe(node.op)}) has no inputs`);
      for (let i = ins.length - 1; i >= 0; i--) {
        const { name: n } = splitName(ins[i]);
        if (n === input.name) continue;
        const dep = byName.get(n);
        if (!dep) refOf(ins[i], node, i); // throws the clear message
        if (state.get(n) === 'open')
          fail(`the node ${q(node.name)} (${safe(node.op)}) depends on itself through ${q(n)}: the graph has a cycle`);
        if (state.get(n) !== 'done') stack.push(dep!);
      }
      continue;
    }
    // Every input is resolved: build this node.
    stack.pop();
    state.set(node.name, 'done');
    if (node.op === 'Const') {
      resolved.set(node.name, { kind: 'const', value: readConst(node) });
      continue;
    }
    const ins = dataInputs(node);
    const refs = ins.map((name, i) => refOf(name, node, i) as DraftRef);
    if (PASS_THROUGH.has(node.op)) {
      passThrough++;
      resolved.set(node.name, refs[0]);
      continue;
    }
    const def = OPS[node.op];
    const bad = (what: string): never => fail(`the node ${q(node.name)} (${safe(node.op)}) cannot run: ${what}`);
    const consts = refs.map((r) => (r.kind === 'const' ? r.value : null));
    const params = def.prepare({ attrs: new Attrs(node, bad), consts, bad });
    const fromParams = new Set(def.paramInputs?.(refs.length) ?? []);
    const step: Draft = { node: node.name, op: node.op, inputs: refs.filter((_, i) => !fromParams.has(i)), params };
    resolved.set(node.name, { kind: 'step', step });
  }
  const result = resolved.get(output.name) ?? ({ kind: 'input' } as DraftRef);

  // The steps in the order found (a topological order), then fusion.
  const order: Draft[] = [];
  const seen = new Set<Draft>();
  const visit = (r: DraftRef) => {
    // Iterative again: the same depth as above.
    const todo: { d: Draft; expanded: boolean }[] = r.kind === 'step' ? [{ d: r.step, expanded: false }] : [];
    while (todo.length) {
      const top = todo[todo.length - 1];
      if (seen.has(top.d)) {
        todo.pop();
        continue;
      }
      if (top.expanded) {
        todo.pop();
        seen.add(top.d);
        order.push(top.d);
        continue;
      }
      top.expanded = true;
      for (let i = top.d.inputs.length - 1; i >= 0; i--) {
        const x = top.d.inputs[i];
        if (x.kind === 'step' && !seen.has(x.step)) todo.push({ d: x.step, expanded: false });
      }
    }
  };
  visit(result);
  const dependsOnInput = new Set<Draft>();
  for (const d of order)
    if (d.inputs.some((x) => x.kind === 'input' || (x.kind === 'step' && dependsOnInput.has(x.step)))) dependsOnInput.add(d);
  if (result.kind === 'const' || (result.kind === 'step' && !dependsOnInput.has(result.step))) {
    fail(`the output ${opts.output} does not depend on the input ${opts.input}: it is not the graph expected`);
  }
  const nodesOnPath = order.length;
  let steps = order;
  let fused = 0;
  if (opts.fuse !== false) ({ steps, fused } = fuseConvolutions(order, result));

  // Plain data: steps and constants by index.
  const constants: PreparedConst[] = [];
  const constIndex = new Map<PreparedConst, number>();
  const stepIndex = new Map<Draft, number>();
  const plain = (r: DraftRef): Ref => {
    if (r.kind === 'input') return r;
    if (r.kind === 'step') return { kind: 'step', index: stepIndex.get(r.step)! };
    let i = constIndex.get(r.value);
    if (i === undefined) {
      i = constants.length;
      constants.push(r.value);
      constIndex.set(r.value, i);
    }
    return { kind: 'const', index: i };
  };
  const out: PreparedStep[] = steps.map((d, i) => {
    stepIndex.set(d, i);
    return { node: d.node, op: d.op, inputs: d.inputs.map(plain), params: d.params };
  });
  const graph: PreparedGraph = {
    file,
    input: opts.input,
    output: opts.output,
    steps: out,
    constants,
    result: plain(result),
    batchStart: -1,
    stats: { nodesOnPath, fusedConvolutions: fused, passThrough },
  };
  const shapes = inferShapes(graph, opts.sampleInputShape);
  const got = refShape(graph, shapes, opts.sampleInputShape, graph.result);
  if (opts.outputShape && fmt(got) !== fmt(opts.outputShape)) {
    fail(`its output ${opts.output} has shape ${fmt(got)} for a frame, expected ${fmt(opts.outputShape)}: it is not the graph expected`);
  }
  graph.batchStart = findBatchStart(graph, shapes, opts.sampleInputShape);
  return graph;
}

/** Conv2D → BatchNormWithGlobalNormalization (constants) → Relu, each the only user of the one before: one FusedConv2D. */
function fuseConvolutions(order: Draft[], result: DraftRef): { steps: Draft[]; fused: number } {
  const users = new Map<Draft, number>();
  for (const d of order) for (const x of d.inputs) if (x.kind === 'step') users.set(x.step, (users.get(x.step) ?? 0) + 1);
  if (result.kind === 'step') users.set(result.step, (users.get(result.step) ?? 0) + 1);
  const only = (d: Draft) => users.get(d) === 1;
  const replaced = new Map<Draft, Draft>();
  const dropped = new Set<Draft>();
  let fused = 0;
  for (const bn of order) {
    if (bn.op !== 'BatchNormWithGlobalNormalization') continue;
    const [t, m, v, beta, gamma] = bn.inputs;
    if (t.kind !== 'step' || t.step.op !== 'Conv2D' || !only(t.step)) continue;
    const conv = t.step;
    const filter = conv.inputs[1];
    if (filter.kind !== 'const' || [m, v, beta, gamma].some((x) => x.kind !== 'const')) continue;
    const c = (r: DraftRef) => (r as { value: PreparedConst }).value.data;
    const W = filter.value;
    const cout = W.shape[3];
    const eps = bn.params.epsilon as number;
    const scale = new Float64Array(cout);
    const bias = new Float32Array(cout);
    for (let k = 0; k < cout; k++) {
      scale[k] = (1 / Math.sqrt(c(v)[k] + eps)) * (bn.params.scaleAfter ? c(gamma)[k] : 1);
      bias[k] = c(beta)[k] - c(m)[k] * scale[k];
    }
    const w = new Float32Array(W.data.length);
    for (let i = 0; i < w.length; i++) w[i] = W.data[i] * scale[i % cout];
    const relu = order.find((d) => d.op === 'Relu' && d.inputs[0].kind === 'step' && d.inputs[0].step === bn);
    const withRelu = relu !== undefined && only(bn);
    const step: Draft = {
      node: withRelu ? relu.node : bn.node,
      op: 'FusedConv2D',
      inputs: [
        conv.inputs[0],
        { kind: 'const', value: { name: `${conv.node}:folded`, dtype: 'float32', shape: W.shape, data: w } },
        { kind: 'const', value: { name: `${bn.node}:folded`, dtype: 'float32', shape: [cout], data: bias } },
      ],
      params: { strides: conv.params.strides, padding: conv.params.padding, relu: withRelu },
    };
    replaced.set(withRelu ? relu : bn, step);
    dropped.add(conv);
    if (withRelu) dropped.add(bn);
    fused++;
  }
  const steps: Draft[] = [];
  const swap = (r: DraftRef): DraftRef => (r.kind === 'step' && replaced.has(r.step) ? { kind: 'step', step: replaced.get(r.step)! } : r);
  for (const d of order) {
    if (dropped.has(d)) continue;
    const s = replaced.get(d) ?? d;
    s.inputs = s.inputs.map(swap);
    steps.push(s);
  }
  if (result.kind === 'step' && replaced.has(result.step)) (result as { step: Draft }).step = replaced.get(result.step)!;
  return { steps, fused };
}

function refShape(g: PreparedGraph, shapes: number[][], inputShape: number[], r: Ref): number[] {
  if (r.kind === 'input') return inputShape;
  if (r.kind === 'const') return g.constants[r.index].shape;
  return shapes[r.index];
}

/** Every step's output shape for one frame of `inputShape`; a wrong one is an InputError naming the file and the node. */
export function inferShapes(g: PreparedGraph, inputShape: number[]): number[][] {
  const shapes: number[][] = [];
  for (const s of g.steps) {
    const bad = (what: string): never => {
      throw new InputError(
        `${g.file}: the node ${q(s.node)} (${s.op === 'FusedConv2D' ? 'Conv2D' : s.op}) cannot run on a frame of ${fmt(inputShape)}: ${what}`,
      );
    };
    const ins = s.inputs.map((r) => refShape(g, shapes, inputShape, r));
    const out = OPS[s.op].shape(ins, s.params, bad);
    if (out.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(`it would give the shape ${fmt(out)}`);
    shapes.push(out);
  }
  return shapes;
}

/**
 * Where a batch of frames can start: the ExpandDims that puts a frame on
 * axis 0, when everything after it treats axis 0 as the batch (each op's
 * `batches`) and nothing after it mixes in a value computed from one frame alone.
 */
function findBatchStart(g: PreparedGraph, shapes: number[][], inputShape: number[]): number {
  const start = g.steps.findIndex(
    (s) => s.op === 'ExpandDims' && s.params.dim === 0 && shapes[g.steps.indexOf(s)][0] === 1 && s.inputs[0].kind !== 'const',
  );
  if (start < 0) return -1;
  const kind: ('const' | 'frame' | 'batch')[] = [];
  const kindOf = (r: Ref) => (r.kind === 'input' ? 'frame' : r.kind === 'const' ? 'const' : kind[r.index]);
  for (let i = 0; i < g.steps.length; i++) {
    const s = g.steps[i];
    const ins = s.inputs.map(kindOf);
    if (i === start) {
      kind.push('batch');
      continue;
    }
    if (!ins.includes('batch')) {
      kind.push(ins.includes('frame') ? 'frame' : 'const');
      continue;
    }
    if (ins.includes('frame')) return -1;
    const inShapes = s.inputs.map((r) => refShape(g, shapes, inputShape, r));
    if (
      !OPS[s.op].batches(
        s.params,
        ins.map((k) => k === 'batch'),
        inShapes,
      )
    )
      return -1;
    kind.push('batch');
  }
  const r = g.result;
  if (r.kind !== 'step' || kind[r.index] !== 'batch' || shapes[r.index][0] !== 1) return -1;
  return start;
}
