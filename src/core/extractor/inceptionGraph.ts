/**
 * The published extractor's network: `classify_image_graph_def.pb`, a frozen
 * TensorFlow GraphDef of Inception-v3 (2015), alone or inside
 * `inception-2015-12-05.tgz`, run from the decoded frame it is fed at
 * `DecodeJpeg:0` (uint8 [H, W, 3]) to `pool_3/_reshape:0` ([1, 2048]).
 */
import { fail } from '../errors';
import { entryBaseName, isGzip, isTar, readTarFiles } from '../containers/tarGz';
import { decodeGraphDef } from '../tfgraph/graphDef';
import { type PreparedGraph, prepareGraph } from '../tfgraph/prepare';
import { INCEPTION_DIM, type NamedBytes } from './pca';

const INCEPTION_GRAPH_FILE = 'classify_image_graph_def.pb';
const INCEPTION_INPUT = 'DecodeJpeg:0';
const INCEPTION_OUTPUT = 'pool_3/_reshape:0';
/** Any frame size does to check the shapes of the nodes before the graph's own resize; this is a common one. */
const SAMPLE_FRAME = [360, 640, 3];

/** The graph's bytes: the .pb itself, or taken out of the .tgz (or .tar) that holds it. */
async function inceptionGraphBytes(f: NamedBytes): Promise<NamedBytes> {
  if (!isGzip(f.bytes) && !isTar(f.bytes)) return f;
  const inside = await readTarFiles(f.bytes, f.name, (p) => entryBaseName(p) === INCEPTION_GRAPH_FILE);
  const [entry] = inside;
  if (!entry) fail(f.name, `the archive holds no ${INCEPTION_GRAPH_FILE}: expected inception-2015-12-05.tgz`);
  return { name: `${f.name}:${entry[0]}`, bytes: entry[1] };
}

/** Reads and prepares the Inception graph; a file that is not it is one InputError naming the file and the node. */
export async function readInceptionGraph(f: NamedBytes, opts: { fuse?: boolean } = {}): Promise<PreparedGraph> {
  const pb = await inceptionGraphBytes(f);
  const nodes = decodeGraphDef(pb.bytes, pb.name);
  return prepareGraph(nodes, pb.name, {
    input: INCEPTION_INPUT,
    output: INCEPTION_OUTPUT,
    sampleInputShape: SAMPLE_FRAME,
    outputShape: [1, INCEPTION_DIM],
    fuse: opts.fuse,
  });
}
