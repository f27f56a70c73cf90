/**
 * What the page's bundle loads at run time (type-only imports are erased):
 * nothing the page's code reaches may pull in tfjs, which belongs to the
 * worker's bundle alone. Run by npm run check:layers after the layer rules.
 */
const layers = require('./.dependency-cruiser.cjs');

module.exports = {
  forbidden: [
    {
      name: 'page-never-loads-tfjs',
      comment: "The page's bundle holds React and the views; tfjs runs in the worker, started by URL.",
      severity: 'error',
      from: { path: '^src/ui/', pathNot: '\\.test\\.tsx?$' },
      to: { path: 'node_modules/@tensorflow/', reachable: true },
    },
  ],
  options: { ...layers.options, tsPreCompilationDeps: false },
};
