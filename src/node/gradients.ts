// Gradients, for training in Node (npm run finetune, the training tests). They are not part of
// tfjs-core's bundle, and in Node its ESM register_all_gradients cannot be resolved (extensionless
// imports), so the CJS @tensorflow/tfjs registers them into tfjs's global gradient registry; the
// page's worker imports register_all_gradients through the bundler instead. Kept out of
// node/backend.ts: inference has no use for them, and the whole of tfjs costs 60 MB of memory.
import '@tensorflow/tfjs';
