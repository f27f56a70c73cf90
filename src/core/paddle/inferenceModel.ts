/**
 * An inference model (PaddleVideo 2.x `tools/export_model.py`, i.e. `paddle.jit.save`):
 * `.pdiparams` holds the program's persistable variables in sorted-name order, in the
 * combined layout; `.pdmodel` is the program. Its parameters carry the static graph's
 * names (`linear_3.w_0`, `lstm_cell_1.w_1`, ...), not `head.*`: their roles are read
 * off the ops that use them.
 *
 * PaddleVideo 2's AttentionLstmHead exports, per modality m (ops in this order):
 *   fc_feature{m}: matmul_v2(X = features, Y = W) -> elementwise_add(Y = b) -> tanh
 *   bi_lstm{m}:    (transpose2) -> rnn(mode LSTM, is_bidirec, WeightList of 8) -> (transpose2)
 *   dropout (upscale_in_train: identity at inference)
 *   att_fc{m}:     matmul_v2 -> elementwise_add, then the masked softmax and pooling
 * then concat, and fc_out1 -> relu -> fc_out2 -> tanh -> fc_logit -> sigmoid.
 * `rnn`'s WeightList is cuDNN's layout, every weight before every bias:
 *   [fw weight_ih, fw weight_hh, bw weight_ih, bw weight_hh, fw bias_ih, fw bias_hh, bw bias_ih, bw bias_hh].
 */
import { InputError } from '../errors';
import type { Variant } from '../model/architecture';
import { detectVariant } from '../model/paddleLayout';
import { pySorted } from './detect';
import { type Program, type ProgramOp, type ProgramVar, VAR_TYPE, opSummary } from './programDesc';

export interface InferenceLayout {
  variant: Variant;
  /** The variables `.pdiparams` holds, in its order. */
  persistables: ProgramVar[];
  /** Program variable name -> the model's name for the tensor (`head.*` for paddlevideo2). */
  roles: Map<string, string>;
}

const RNN_WEIGHTS = [
  'cell_fw.weight_ih',
  'cell_fw.weight_hh',
  'cell_bw.weight_ih',
  'cell_bw.weight_hh',
  'cell_fw.bias_ih',
  'cell_fw.bias_hh',
  'cell_bw.bias_ih',
  'cell_bw.bias_hh',
];
const MATMULS = new Set(['matmul_v2', 'matmul', 'mul']);

/** Variables `.pdiparams` holds: persistable ones, less feed/fetch lists, readers and raw variables, as save_inference_model saves. */
function savedPersistables(program: Program): ProgramVar[] {
  const skip: number[] = [VAR_TYPE.FEED_MINIBATCH, VAR_TYPE.FETCH_LIST, VAR_TYPE.READER, VAR_TYPE.RAW];
  const vars = program.blocks[0].vars.filter((v) => v.persistable && !skip.includes(v.type));
  const byName = new Map(vars.map((v) => [v.name, v]));
  return pySorted(byName.keys()).map((n) => byName.get(n)!);
}

interface Linear {
  weight: string;
  bias?: string;
  input: string;
  output: string;
  /** The tags of everything its input was computed from. */
  inputTags: Set<string>;
  tag: string;
}

/**
 * Maps the program's parameters to the AttentionLSTM's roles, or says in one
 * sentence why the program is not an AttentionLSTM, naming the op types it found.
 */
export function inferenceLayout(program: Program, file: string): InferenceLayout {
  const persistables = savedPersistables(program);
  const block = program.blocks[0];
  const rnns = block.ops.filter((o) => o.type === 'rnn');
  const notOne = (why: string): never => {
    throw new InputError(`${file}: the program is not a PaddleVideo AttentionLSTM: ${why}; its ops are ${opSummary(program)}`);
  };
  if (rnns.length === 0) {
    // A fluid1 program (save_inference_model of PaddleVideo 1.x: dynamic_lstm ops) keeps the parameters' own names.
    const names = persistables.map((v) => v.name);
    if (names.includes('fc_0.w_0') && names.includes('lstm_0.w_0') && detectVariant(names, file) === 'fluid1') {
      return { variant: 'fluid1', persistables, roles: new Map(names.map((n) => [n, n])) };
    }
    notOne('it has no LSTM (rnn) op');
  }
  if (rnns.length !== 2) notOne(`it has ${rnns.length} rnn ops, where an AttentionLSTM has 2 (a bidirectional LSTM per modality)`);
  rnns.forEach((op, m) => {
    const mode = op.attrs.get('mode');
    if (mode !== undefined && mode !== 'LSTM') notOne(`its rnn op ${m} is a ${String(mode)}, not an LSTM`);
    if (op.attrs.get('is_bidirec') !== true) notOne(`its rnn op ${m} is not bidirectional`);
    const layers = op.attrs.get('num_layers');
    if (layers !== undefined && layers !== 1) notOne(`its rnn op ${m} has ${String(layers)} layers, not 1`);
    const weights = op.inputs.get('WeightList') ?? [];
    if (weights.length !== 8) notOne(`its rnn op ${m} takes ${weights.length} weights, where a one-layer bidirectional LSTM takes 8`);
  });
  for (const op of block.ops) {
    if (op.type !== 'dropout') continue;
    const impl = op.attrs.get('dropout_implementation');
    const p = op.attrs.get('dropout_prob');
    if (impl === 'downgrade_in_infer' && typeof p === 'number' && p !== 0) {
      notOne(`its dropout op scales by ${1 - p} at inference (downgrade_in_infer), which PaddleVideo 2's AttentionLSTM does not`);
    }
  }

  // Follow the data: every variable carries the tags of the rnn ops and linear layers it was computed from.
  const persistable = new Set(persistables.map((v) => v.name));
  const tags = new Map<string, Set<string>>();
  const tagsOf = (names: Iterable<string>) => {
    const out = new Set<string>();
    for (const n of names) for (const t of tags.get(n) ?? []) out.add(t);
    return out;
  };
  const linears: Linear[] = [];
  const pending = new Map<string, Linear>(); // matmul output -> its layer, until its bias add
  const rnnInputTags: Set<string>[] = [];
  const inputsOf = (op: ProgramOp) => [...op.inputs.values()].flat();
  const first = (op: ProgramOp, slot: string) => op.inputs.get(slot)?.[0] ?? op.outputs.get(slot)?.[0];
  for (const op of block.ops) {
    const inTags = tagsOf(inputsOf(op).filter((n) => !persistable.has(n)));
    const outTags = new Set(inTags);
    if (op.type === 'rnn') {
      const m = rnns.indexOf(op);
      rnnInputTags[m] = tagsOf(op.inputs.get('Input') ?? []);
      outTags.add(`rnn${m}`);
    } else if (MATMULS.has(op.type)) {
      const x = first(op, 'X');
      const y = first(op, 'Y');
      const out = op.outputs.get('Out')?.[0];
      if (x && y && out && persistable.has(y) && !persistable.has(x)) {
        if (
          op.attrs.get('trans_y') === true ||
          op.attrs.get('transpose_Y') === true ||
          op.attrs.get('trans_x') === true ||
          op.attrs.get('transpose_X') === true
        ) {
          notOne(`its ${op.type} op with the weight '${y}' transposes an operand, which no layer of an AttentionLSTM does`);
        }
        const layer: Linear = { weight: y, input: x, output: out, inputTags: tagsOf([x]), tag: `fc${linears.length}` };
        linears.push(layer);
        pending.set(out, layer);
        outTags.add(layer.tag);
      }
    } else if (op.type === 'elementwise_add') {
      const x = first(op, 'X');
      const y = first(op, 'Y');
      const layer = x ? pending.get(x) : undefined;
      if (layer && y && persistable.has(y)) {
        layer.bias = y;
        pending.delete(x!);
      }
    }
    for (const n of [...op.outputs.values()].flat()) tags.set(n, outTags);
  }

  const roles = new Map<string, string>();
  const assign = (varName: string, role: string) => {
    const had = roles.get(varName);
    if (had) notOne(`the variable '${varName}' serves as both '${had}' and '${role}'`);
    if (!persistable.has(varName))
      notOne(`the weight '${varName}' (${role}) is not a persistable variable, so the .pdiparams cannot hold it`);
    roles.set(varName, role);
  };
  const linear = (l: Linear, key: string) => {
    if (!l.bias) notOne(`its layer with the weight '${l.weight}' (${key}) has no bias`);
    assign(l.weight, `head.${key}.weight`);
    assign(l.bias!, `head.${key}.bias`);
  };
  const used = new Set<Linear>();
  const pick = (what: string, ok: (l: Linear) => boolean): Linear => {
    const found = linears.filter((l) => !used.has(l) && ok(l));
    if (found.length !== 1)
      notOne(
        `it has ${found.length === 0 ? 'no' : found.length} fully connected layers that could be the ${what}, where an AttentionLSTM has exactly one`,
      );
    used.add(found[0]);
    return found[0];
  };
  const rnnTags = (s: Set<string>) => [...s].filter((t) => t.startsWith('rnn'));
  rnns.forEach((op, m) => {
    const embed = pick(`embedding before rnn op ${m}`, (l) => rnnInputTags[m].has(l.tag) && rnnTags(l.inputTags).length === 0);
    linear(embed, `fc_feature${m}`);
    const weights = op.inputs.get('WeightList')!;
    weights.forEach((w, k) => assign(w, `head.bi_lstm${m}.0.${RNN_WEIGHTS[k]}`));
    const att = pick(`attention layer after rnn op ${m}`, (l) => {
      const r = rnnTags(l.inputTags);
      return r.length === 1 && r[0] === `rnn${m}`;
    });
    linear(att, `att_fc${m}`);
  });
  const head = linears.filter((l) => !used.has(l) && rnnTags(l.inputTags).length === 2);
  if (head.length !== 3)
    notOne(`it has ${head.length} fully connected layers after both LSTMs, where an AttentionLSTM has 3 (fc_out1, fc_out2, fc_logit)`);
  // fc_out1 reads the pooled features, fc_out2 reads fc_out1, fc_logit reads both.
  const depth = (l: Linear) => head.filter((h) => l.inputTags.has(h.tag)).length;
  head.sort((a, b) => depth(a) - depth(b));
  if (head.map(depth).join() !== '0,1,2') notOne('its last three fully connected layers do not form one chain');
  head.forEach((l, i) => linear(l, ['fc_out1', 'fc_out2', 'fc_logit'][i]));
  const extra = linears.filter((l) => !used.has(l) && !head.includes(l));
  if (extra.length > 0) notOne(`it has ${linears.length} fully connected layers, where an AttentionLSTM has 7`);
  return { variant: 'paddlevideo2', persistables, roles };
}
