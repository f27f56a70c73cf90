// The part of papaparse's API the core uses, for the core's own type-check (src/core/tsconfig.json):
// @types/papaparse pulls in Node's types, which the core must not see. The root tsconfig checks
// the same calls against the real @types/papaparse.
declare module 'papaparse' {
  interface ParseError {
    type: string;
    code: string;
    message: string;
    row?: number;
  }
  interface ParseResult<T> {
    data: T[];
    errors: ParseError[];
    meta: { fields?: string[] };
  }
  interface ParseConfig {
    header?: boolean;
    delimiter?: string;
    skipEmptyLines?: boolean | 'greedy';
    transformHeader?(header: string, index: number): string;
  }
  const Papa: { parse<T>(input: string, config?: ParseConfig): ParseResult<T> };
  export default Papa;
}
