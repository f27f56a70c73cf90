/**
 * The one direction of dependence, held by `npm test` (npm run check:layers):
 *
 *   ui  ->  protocol (the messages and the page's client)  <-  worker  ->  kernels  ->  core
 *   cli ->  node  ->  kernels  ->  core
 *
 * core is pure (no Node, no React, nothing of the layers above); kernels use
 * core alone; the worker never reaches up into the page or the CLI; the page
 * talks to the worker only through src/protocol, which holds the messages
 * and the page's client and uses nothing but the core's types. Test and benchmark
 * code (tools/, e2e/, bench/, scripts/) may use anything, and nothing in src/
 * may use it, except tests beside the code.
 */
const TEST = '\\.(test|fixtures)\\.tsx?$';
const UP_FROM_CORE = '^src/(kernels|worker|protocol|ui|node|cli)/';
const OUTSIDE_PRODUCT = '^(tools|e2e|bench|scripts)/';
const PAGE_LIBRARIES = 'node_modules/(react|react-dom|zustand|recharts|@tanstack)/';

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'src/core is used by the CLI, the worker and the tests alike: it imports nothing above it, no Node module and no page library.',
      severity: 'error',
      from: { path: '^src/core/', pathNot: TEST },
      to: { path: [UP_FROM_CORE, OUTSIDE_PRODUCT, PAGE_LIBRARIES] },
    },
    {
      name: 'core-has-no-node',
      comment: 'src/core runs in the page too: no Node built-in modules.',
      severity: 'error',
      from: { path: '^src/core/', pathNot: TEST },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'kernels-use-core-only',
      severity: 'error',
      from: { path: '^src/kernels/', pathNot: TEST },
      to: { path: ['^src/(worker|protocol|ui|node|cli)/', OUTSIDE_PRODUCT, PAGE_LIBRARIES] },
    },
    {
      name: 'worker-never-reaches-up',
      comment: 'The worker serves the page; it knows nothing of the page, the CLI or Node.',
      severity: 'error',
      from: { path: '^src/worker/', pathNot: TEST },
      to: { path: ['^src/(ui|node|cli)/', OUTSIDE_PRODUCT, PAGE_LIBRARIES] },
    },
    {
      name: 'ui-talks-to-the-worker-through-its-protocol',
      comment:
        'The page reaches the worker through src/protocol only (the worker itself is started by URL), and never kernels, Node adapters or the CLI.',
      severity: 'error',
      from: { path: '^src/ui/', pathNot: TEST },
      to: { path: ['^src/(worker|kernels|node|cli)/', OUTSIDE_PRODUCT] },
    },
    {
      name: 'protocol-is-shared',
      comment: "src/protocol is shared by the page and the worker: it knows the core's types and nothing of either side.",
      severity: 'error',
      from: { path: '^src/protocol/', pathNot: TEST },
      to: { path: ['^src/(worker|kernels|ui|node|cli)/', OUTSIDE_PRODUCT, PAGE_LIBRARIES] },
    },
    {
      name: 'node-adapters-serve-the-cli',
      comment:
        "The Node adapters start tfjs for the CLI (with the project's kernels, as the worker does for the page); they know nothing of the page or the worker.",
      severity: 'error',
      from: { path: '^src/node/', pathNot: TEST },
      to: { path: ['^src/(worker|protocol|ui|cli)/', OUTSIDE_PRODUCT] },
    },
    {
      name: 'cli-has-no-page',
      severity: 'error',
      from: { path: '^src/cli/', pathNot: TEST },
      to: { path: ['^src/(kernels|worker|protocol|ui)/', OUTSIDE_PRODUCT, PAGE_LIBRARIES] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type also points the way a layer depends.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: ['^src/core/platform/', 'e2e/output/'] },
  },
};
