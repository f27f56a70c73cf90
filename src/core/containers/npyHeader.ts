/**
 * The header of a .npy file is a Python dict literal. This reads the small
 * subset numpy writes (strings, ints, True/False/None, tuples, lists, dicts)
 * and nothing else: a header is data, never code.
 */
export type PyValue = string | number | boolean | null | PyValue[] | { [key: string]: PyValue };

const MAX_DEPTH = 16;

export class PyLiteralError extends Error {}

export function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const err = (what: string): never => {
    throw new PyLiteralError(`${what} at character ${pos}`);
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (c: string) => {
    skip();
    if (text[pos] !== c) err(`expected '${c}'`);
    pos++;
  };

  const str = (): string => {
    const quote = text[pos++];
    let out = '';
    while (pos < text.length && text[pos] !== quote) {
      if (text[pos] === '\\') {
        pos++;
        const c = text[pos++];
        out += c === 'n' ? '\n' : c === 't' ? '\t' : (c ?? '');
      } else out += text[pos++];
    }
    if (pos >= text.length) err('unterminated string');
    pos++;
    return out;
  };

  const seq = (close: string, depth: number): PyValue[] => {
    const items: PyValue[] = [];
    for (;;) {
      skip();
      if (text[pos] === close) {
        pos++;
        return items;
      }
      items.push(value(depth + 1));
      skip();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== close) err(`expected ',' or '${close}'`);
    }
  };

  const dict = (depth: number): { [key: string]: PyValue } => {
    const out: { [key: string]: PyValue } = Object.create(null);
    for (;;) {
      skip();
      if (text[pos] === '}') {
        pos++;
        return out;
      }
      const key = value(depth + 1);
      if (typeof key !== 'string') err('dict keys must be strings');
      expect(':');
      out[key as string] = value(depth + 1);
      skip();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== '}') err("expected ',' or '}'");
    }
  };

  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) err('nested too deeply');
    skip();
    const c = text[pos];
    if (c === undefined) return err('unexpected end');
    if (c === "'" || c === '"') return str();
    if (c === '(') {
      pos++;
      return seq(')', depth);
    }
    if (c === '[') {
      pos++;
      return seq(']', depth);
    }
    if (c === '{') {
      pos++;
      return dict(depth);
    }
    const word = /^(True|False|None)\b/.exec(text.slice(pos, pos + 6));
    if (word) {
      pos += word[1].length;
      return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
    }
    // Python 2 numpy wrote longs as `3L`.
    const num = /^-?\d+L?/.exec(text.slice(pos, pos + 40));
    if (num) {
      pos += num[0].length;
      return Number(num[0].replace('L', ''));
    }
    return err(`unexpected '${c}'`);
  };

  const result = value(0);
  skip();
  if (pos !== text.length) err('unexpected text after the value');
  return result;
}
