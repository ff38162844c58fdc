// The verify port on Node: Node's native Ed25519 under the shared strict rules on this thread,
// and the engine's pool (engine/verifyPool.ts) over worker threads for large batches.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import { createIntake } from '../../engine/intake.ts';
import type { VerifyPort } from '../../engine/ports.ts';
import { VerifyPool, type VerifyThread } from '../../engine/verifyPool.ts';
import { nodeBackend } from '../crypto/nodeEd25519.ts';
// Node's native SHA-256 for ids and the screen (checked against noble as it installs).
import '../crypto/nativeSha256.ts';

export const nodeVerifier = createVerifier(nodeBackend);

const WORKER_URL = new URL('../crypto/verifyWorker.ts', import.meta.url);

/** A worker thread as the pool's thread port. */
export function nodeVerifyThread(): VerifyThread {
  const worker = new Worker(WORKER_URL);
  worker.unref(); // an idle pool never keeps the process alive
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    terminate: () => void worker.terminate(),
  };
}

/** A verify port of its own (one thread per core): each engine closes its port, and its pool. */
export function nodeVerify(size = availableParallelism()): VerifyPool & VerifyPort {
  return new VerifyPool(nodeVerifier, nodeVerifyThread, size);
}

/** The full intake check of one transaction on this thread (engine/intake.ts). */
export const nodeAdmit = createIntake(new VerifyPool(nodeVerifier, null, 1)).admit;
