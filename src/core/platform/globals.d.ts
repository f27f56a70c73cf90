// The platform objects the core uses, which browsers, workers and Node (18 and later) all have:
// WHATWG Encoding and High Resolution Time. Declared here, for the core's own type-check
// (src/core/tsconfig.json), so that nothing else of the DOM or of Node can creep into the core.

declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: string;
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

declare const performance: { now(): number };
