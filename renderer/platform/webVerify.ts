// The verify port in the browser and the desktop app's renderer: WebCrypto's Ed25519 under the
// shared strict rules, and the engine's pool (engine/verifyPool.ts) over Web Workers for large
// batches, so a sync of 10⁵ signatures neither runs nor waits on the page's main thread. Where
// there is no Worker (unit tests), every batch is checked on this thread.
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import { createIntake } from '../../engine/intake.ts';
import type { VerifyPort } from '../../engine/ports.ts';
import { VerifyPool, type VerifyThread } from '../../engine/verifyPool.ts';
import { webCryptoBackend } from './webCryptoEd25519.ts';

export const webVerifier = createVerifier(webCryptoBackend);

/** A Web Worker as the pool's thread port (Vite bundles webVerifyWorker.ts for it). */
function webVerifyThread(): VerifyThread {
  const worker = new Worker(new URL('./webVerifyWorker.ts', import.meta.url), { type: 'module' });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (listener) =>
      worker.addEventListener('message', (event: MessageEvent<{ id: number; valid: Uint8Array }>) =>
        listener(event.data),
      ),
    onError: (listener) =>
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        listener(new Error(event.message || 'a signature-checking worker failed'));
      }),
    terminate: () => worker.terminate(),
  };
}

export function webVerify(): VerifyPort {
  const threads = typeof Worker === 'function' ? webVerifyThread : null;
  return new VerifyPool(webVerifier, threads, navigator.hardwareConcurrency || 2);
}

/** The full intake check of one transaction (engine/intake.ts), for the app's own checks. */
export const webAdmit = createIntake(new VerifyPool(webVerifier, null, 1)).admit;
