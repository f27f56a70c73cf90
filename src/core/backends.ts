/**
 * The tfjs backends, one row each: the one place a backend is named. The
 * worker's protocol, its start-up policy and starters (worker/backends/), the
 * page's backend menu and URL, and the command line's `--backend` all read
 * this table. Starting a backend is each platform's own (a starter per name in
 * worker/backends/index.ts, which the compiler requires; node/backend.ts for
 * the rows the command line runs), so it is not a column here.
 */

export interface BackendRow {
  name: string;
  /** As the page's backend menu shows it. */
  label: string;
  /** Runs only on a hardware GPU adapter: `auto` skips it without one, and fallbacks never go to it. */
  needsGpu: boolean;
  /** The command line (Node) runs it too. */
  cli: boolean;
}

/** In the order of preference that `auto` and the fallbacks follow (worker/backends/policy.ts). */
export const BACKENDS = [
  { name: 'webgpu', label: 'WebGPU', needsGpu: true, cli: false },
  { name: 'wasm', label: 'wasm', needsGpu: false, cli: true },
  { name: 'cpu', label: 'CPU', needsGpu: false, cli: true },
] as const satisfies readonly BackendRow[];

export type BackendName = (typeof BACKENDS)[number]['name'];
export const BACKEND_NAMES: readonly BackendName[] = BACKENDS.map((b) => b.name);

/** What the user asks for on the page: `auto` means the first backend that can run here, in table order. */
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', ...BACKEND_NAMES];
export const BACKEND_CHOICE_LABEL: Readonly<Record<BackendChoice, string>> = {
  auto: 'Auto',
  ...(Object.fromEntries(BACKENDS.map((b) => [b.name, b.label])) as Record<BackendName, string>),
};

/** The backends the command line runs (`--backend`); the first is its default. */
export type CliBackend = Extract<(typeof BACKENDS)[number], { cli: true }>['name'];
export const CLI_BACKENDS: readonly CliBackend[] = BACKENDS.flatMap((b) => (b.cli ? [b.name] : []));
export const CLI_DEFAULT_BACKEND: CliBackend = CLI_BACKENDS[0];

export function needsGpu(name: BackendName): boolean {
  return BACKENDS.find((b) => b.name === name)!.needsGpu;
}
