/// <reference lib="webworker" />
/** A helper thread of the SIMD recurrence in the page (helper.ts). */
import { type HelperRequest, serveLstmHelper } from './helper';

const scope = self as unknown as DedicatedWorkerGlobalScope;
serveLstmHelper({
  onMessage: (fn) => {
    scope.onmessage = (e: MessageEvent<HelperRequest>) => fn(e.data);
  },
  post: (m) => scope.postMessage(m),
});
