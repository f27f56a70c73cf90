import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Gradients (for training) are not part of tfjs-core's bundle. In Node its ESM
// register_all_gradients cannot be resolved (extensionless imports), so the CJS
// @tensorflow/tfjs registers them into tfjs's global gradient registry; the page
// imports register_all_gradients through the bundler instead.
import '@tensorflow/tfjs';
import { EnvironmentError } from '../core/errors';

export type NodeBackend = 'wasm' | 'cpu';

/**
 * tfjs in Node without tfjs-node (which downloads a binary at install): the wasm
 * backend, loading its .wasm files from the installed package.
 */
export async function useBackend(name: NodeBackend): Promise<void> {
  // PROD silences tfjs's console advice to install tfjs-node, which cannot install here.
  tf.env().set('PROD', true);
  if (name === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')) + '/dist/');
  }
  if (!(await tf.setBackend(name))) throw new EnvironmentError(`the tfjs ${name} backend failed to start`);
  await tf.ready();
}
