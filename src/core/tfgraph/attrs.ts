/** A node's attributes read as the ops need them; `bad` says what is wrong in a sentence naming the node. */
import { int64, type GraphNode, type RawAttr } from './graphDef';

const has = (a: RawAttr | undefined, k: keyof RawAttr): a is RawAttr => a !== undefined && Object.prototype.hasOwnProperty.call(a, k);
const latin1 = new TextDecoder('latin1');

export type Bad = (what: string) => never;

export class Attrs {
  constructor(
    private readonly node: GraphNode,
    private readonly bad: Bad,
  ) {}

  private get(key: string): RawAttr | undefined {
    return Object.prototype.hasOwnProperty.call(this.node.attrs, key) ? this.node.attrs[key] : undefined;
  }

  ints(key: string, fallback?: number[]): number[] {
    const a = this.get(key);
    if (has(a, 'list')) return (a.list?.i ?? []).map(int64);
    if (fallback) return fallback;
    return this.bad(`it has no list attribute "${key}"`);
  }

  string(key: string, fallback?: string): string {
    const a = this.get(key);
    if (has(a, 's')) return latin1.decode(a.s);
    if (fallback !== undefined) return fallback;
    return this.bad(`it has no string attribute "${key}"`);
  }

  bool(key: string, fallback?: boolean): boolean {
    const a = this.get(key);
    if (has(a, 'b')) return a.b === true;
    if (fallback !== undefined) return fallback;
    return this.bad(`it has no boolean attribute "${key}"`);
  }

  float(key: string, fallback?: number): number {
    const a = this.get(key);
    if (has(a, 'f')) return a.f ?? 0;
    if (fallback !== undefined) return fallback;
    return this.bad(`it has no float attribute "${key}"`);
  }

  int(key: string, fallback?: number): number {
    const a = this.get(key);
    if (has(a, 'i')) return int64(a.i);
    if (fallback !== undefined) return fallback;
    return this.bad(`it has no integer attribute "${key}"`);
  }

  type(key: string, fallback?: number): number {
    const a = this.get(key);
    if (has(a, 'type')) return a.type ?? 0;
    if (fallback !== undefined) return fallback;
    return this.bad(`it has no type attribute "${key}"`);
  }

  tensor(key: string): RawAttr['tensor'] {
    const a = this.get(key);
    if (has(a, 'tensor') && a.tensor) return a.tensor;
    return this.bad(`it has no tensor attribute "${key}"`);
  }
}
