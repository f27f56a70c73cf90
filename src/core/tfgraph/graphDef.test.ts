import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { cuts, expectClear, flipped, flips } from '../../../tools/testing/hostile';
import { inceptionStandIn } from '../../../tools/testing/inceptionStandIn';
import { constNode, ints, type NodeSpec, scalar, writeGraphDef } from '../../../tools/testing/tfGraph';
import { decodeGraphDef, GRAPH_DEF_SCHEMA, TF_DTYPE } from './graphDef';
import { prepareGraph, type PrepareOptions } from './prepare';

const OPTS: PrepareOptions = { input: 'x:0', output: 'y:0', sampleInputShape: [1, 6, 6, 2] };

/** 'ok', or the InputError that reading and preparing the graph ended in; any other exception is a bug and is thrown on. */
function outcome(bytes: Uint8Array, opts: PrepareOptions = OPTS, file = 'graph.pb'): 'ok' | InputError {
  try {
    prepareGraph(decodeGraphDef(bytes, file), file, opts);
    return 'ok';
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

const filter = (name: string, shape: number[]): NodeSpec =>
  constNode(name, { dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.1) });
const conv = (name: string, input: string, f: string, padding = 'SAME'): NodeSpec => ({
  name,
  op: 'Conv2D',
  inputs: [input, f],
  attrs: { strides: { ints: [1, 1, 1, 1] }, padding: { s: padding } },
});
const small: NodeSpec[] = [
  { name: 'x', op: 'Placeholder', attrs: { dtype: { type: TF_DTYPE.float } } },
  filter('f', [3, 3, 2, 4]),
  conv('c', 'x', 'f'),
  { name: 'y', op: 'Relu', inputs: ['c'] },
  { name: 'unused', op: 'SomethingElse', inputs: ['y'] },
];

describe('the GraphDef reader on hostile input', () => {
  const good = writeGraphDef(small);

  it('reads a graph and runs only the path (an unknown op off the path is ignored)', () => {
    expect(outcome(good)).toBe('ok');
  });

  it('every truncation of a small graph: ok (a prefix that still holds the path) or one clear sentence naming the file', () => {
    for (const n of cuts(good.length)) {
      const r = outcome(good.subarray(0, n));
      if (r !== 'ok') expectClear(r, ['graph.pb']);
    }
  });

  it('flipped bytes: ok or one clear sentence naming the file', () => {
    for (const [at, mask] of flips(good.length, 400, 3)) {
      const r = outcome(flipped(good, at, mask));
      if (r !== 'ok') expectClear(r, ['graph.pb']);
    }
  });

  it('truncations of the Inception stand-in (2.9 MB) are clear errors naming the file', () => {
    const { bytes } = inceptionStandIn({ size: 'small', seed: 2 });
    const opts: PrepareOptions = {
      input: 'DecodeJpeg:0',
      output: 'pool_3/_reshape:0',
      sampleInputShape: [40, 50, 3],
      outputShape: [1, 2048],
    };
    for (const n of cuts(bytes.length, 40, 9))
      expectClear(outcome(bytes.subarray(0, n), opts, 'classify_image_graph_def.pb'), ['classify_image_graph_def.pb']);
  }, 120_000);

  it('a declared length far past the end of the file', () => {
    // Field 1 (node), length-delimited, claiming 2^31 bytes.
    const bytes = Uint8Array.from([0x0a, 0x80, 0x80, 0x80, 0x80, 0x08, 0x0a, 0x01, 0x41]);
    expectClear(outcome(bytes), ['graph.pb'], /not a TensorFlow GraphDef/);
  });

  it('a constant whose shape declares billions of values is refused before anything is allocated', () => {
    const huge = constNode('f', { dtype: 'float32', shape: [65536, 65536, 2, 4], data: [0.5], storage: 'splat' });
    const r = outcome(writeGraphDef([small[0], huge, conv('c', 'x', 'f'), small[3]]));
    expectClear(r, ['graph.pb'], /the constant "f" is unusable: its shape \[65536, 65536, 2, 4\] declares/);
  });

  it('a constant whose content does not fill its shape', () => {
    const type = GRAPH_DEF_SCHEMA.lookupType('GraphDef');
    const raw = type.toObject(type.decode(writeGraphDef(small))) as {
      node: { name: string; attr?: Record<string, { tensor?: { tensorContent?: Uint8Array } }> }[];
    };
    const f = raw.node.find((n) => n.name === 'f')!;
    f.attr!.value.tensor!.tensorContent = f.attr!.value.tensor!.tensorContent!.subarray(0, 100);
    const bytes = type.encode(type.fromObject(raw)).finish();
    expectClear(
      outcome(bytes),
      ['graph.pb'],
      /the constant "f" is unusable: its content has 100 bytes, but shape \[3, 3, 2, 4\] of float needs 288/,
    );
  });

  it('an empty file, and a file of another kind', () => {
    expectClear(outcome(new Uint8Array(0)), ['graph.pb'], /empty/);
    expectClear(outcome(new TextEncoder().encode('<!doctype html><html>not a graph</html>')), ['graph.pb']);
  });

  it('a graph that loops back on itself', () => {
    const nodes: NodeSpec[] = [
      small[0],
      filter('f', [3, 3, 2, 2]),
      conv('c', 'y', 'f'),
      { name: 'a', op: 'Add', inputs: ['x', 'c'] },
      { name: 'y', op: 'Relu', inputs: ['a'] },
    ];
    expectClear(outcome(writeGraphDef(nodes)), ['graph.pb'], /cycle/);
  });

  it('a chain of 100,000 nodes is walked without recursion', () => {
    const nodes: NodeSpec[] = [small[0]];
    let prev = 'x';
    for (let i = 0; i < 100_000; i++) {
      nodes.push({ name: `n${i}`, op: 'Identity', inputs: [prev] });
      prev = `n${i}`;
    }
    nodes.push({ name: 'y', op: 'Relu', inputs: [prev] });
    expect(outcome(writeGraphDef(nodes))).toBe('ok');
  });
});

describe('graphs that are not the one expected: one sentence naming the file and the node', () => {
  const file = 'graph.pb';
  it('an op on the path that is not supported names the node and the op', () => {
    const nodes: NodeSpec[] = [small[0], { name: 'odd', op: 'Erf', inputs: ['x'] }, { name: 'y', op: 'Relu', inputs: ['odd'] }];
    expectClear(outcome(writeGraphDef(nodes)), [file], /the node "odd" is a Erf op, which the extractor cannot run \(it runs .*Conv2D/);
  });

  it('a missing input node, a missing output node', () => {
    expectClear(
      outcome(writeGraphDef(small), { ...OPTS, input: 'DecodeJpeg:0' }),
      [file],
      /the graph has no input node "DecodeJpeg" \(DecodeJpeg:0\)/,
    );
    expectClear(
      outcome(writeGraphDef(small), { ...OPTS, output: 'pool_3/_reshape:0' }),
      [file],
      /the graph has no output node "pool_3\/_reshape"/,
    );
  });

  it('an input that names a node not in the graph', () => {
    const nodes: NodeSpec[] = [small[0], { name: 'y', op: 'Add', inputs: ['x', 'ghost'] }];
    expectClear(outcome(writeGraphDef(nodes)), [file], /the node "y" \(Add\) takes input 1 from "ghost", which is not in the graph/);
  });

  it('control inputs are skipped, even to nodes off the path', () => {
    const nodes: NodeSpec[] = [
      ...small.slice(0, 3),
      { name: 'side', op: 'Assert', inputs: ['x'] },
      { name: 'y', op: 'Relu', inputs: ['c', '^side', '^nowhere'] },
    ];
    expect(outcome(writeGraphDef(nodes))).toBe('ok');
  });

  it('a filter of the wrong shape names the node and both shapes', () => {
    const nodes: NodeSpec[] = [small[0], filter('f', [3, 3, 5, 4]), conv('c', 'x', 'f'), small[3]];
    expectClear(
      outcome(writeGraphDef(nodes)),
      [file],
      /the node "c" \(Conv2D\) cannot run on a frame of \[1, 6, 6, 2\]: its input has 2 channels but its filter \[3, 3, 5, 4\] expects 5/,
    );
  });

  it('an output of the wrong shape', () => {
    const r = outcome(writeGraphDef(small), { ...OPTS, outputShape: [1, 2048] });
    expectClear(r, [file], /its output y:0 has shape \[1, 6, 6, 4\] for a frame, expected \[1, 2048\]: it is not the graph expected/);
  });

  it('a window larger than the input (VALID padding)', () => {
    const nodes: NodeSpec[] = [
      small[0],
      {
        name: 'y',
        op: 'MaxPool',
        inputs: ['x'],
        attrs: { ksize: { ints: [1, 9, 9, 1] }, strides: { ints: [1, 1, 1, 1] }, padding: { s: 'VALID' } },
      },
    ];
    expectClear(
      outcome(writeGraphDef(nodes)),
      [file],
      /the node "y" \(MaxPool\) cannot run on a frame of \[1, 6, 6, 2\]: its input's height of 6 is smaller than its window of 9/,
    );
  });

  it('an attribute missing or of another kind, an unknown padding, an NCHW graph', () => {
    const noPad: NodeSpec = { name: 'c', op: 'Conv2D', inputs: ['x', 'f'], attrs: { strides: { ints: [1, 1, 1, 1] } } };
    expectClear(
      outcome(writeGraphDef([small[0], small[1], noPad, small[3]])),
      [file],
      /the node "c" \(Conv2D\) cannot run: it has no string attribute "padding"/,
    );
    const odd: NodeSpec = { ...conv('c', 'x', 'f'), attrs: { strides: { ints: [1, 1, 1, 1] }, padding: { s: 'EXPLICIT' } } };
    expectClear(outcome(writeGraphDef([small[0], small[1], odd, small[3]])), [file], /its padding "EXPLICIT" is not SAME or VALID/);
    const nchw: NodeSpec = {
      ...conv('c', 'x', 'f'),
      attrs: { strides: { ints: [1, 1, 1, 1] }, padding: { s: 'SAME' }, data_format: { s: 'NCHW' } },
    };
    expectClear(outcome(writeGraphDef([small[0], small[1], nchw, small[3]])), [file], /its data format NCHW is not supported/);
  });

  it('a Placeholder on the path other than the input', () => {
    const nodes: NodeSpec[] = [small[0], { name: 'other', op: 'Placeholder' }, { name: 'y', op: 'Add', inputs: ['x', 'other'] }];
    expectClear(outcome(writeGraphDef(nodes)), [file], /the node "other" is a Placeholder on the way from x:0 to y:0/);
  });

  it('an output that does not depend on the input', () => {
    const nodes: NodeSpec[] = [small[0], scalar('a', 1), scalar('b', 2), { name: 'y', op: 'Add', inputs: ['a', 'b'] }];
    expectClear(outcome(writeGraphDef(nodes)), [file], /does not depend on the input/);
  });

  it('a non-constant axis, reshape to the wrong size', () => {
    const concat: NodeSpec[] = [small[0], { name: 'r', op: 'Relu', inputs: ['x'] }, { name: 'y', op: 'Concat', inputs: ['r', 'x', 'x'] }];
    expectClear(outcome(writeGraphDef(concat)), [file], /the node "y" \(Concat\) cannot run: its axis \(input 0\) must be a constant/);
    const reshape: NodeSpec[] = [small[0], ints('s', [1, 50]), { name: 'y', op: 'Reshape', inputs: ['x', 's'] }];
    expectClear(outcome(writeGraphDef(reshape)), [file], /it cannot reshape \[1, 6, 6, 2\] \(72 values\) to \[1, 50\]/);
  });
});
