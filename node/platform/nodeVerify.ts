// The verify port on Node: Node's native Ed25519 under the shared strict rules on this thread,
// and a pool of worker threads for large batches (node/crypto/verifyPool.ts).
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import type { VerifyPort } from '../../engine/ports.ts';
import { createIntake } from '../../engine/intake.ts';
import { signatureOf, signedMessageOf } from '../../shared/tx/envelope.ts';
import { nodeBackend } from '../crypto/nodeEd25519.ts';
// Node's native SHA-256 for ids and the screen (checked against noble as it installs).
import '../crypto/nativeSha256.ts';
import { VerifyPool } from '../crypto/verifyPool.ts';

export const nodeVerifier = createVerifier(nodeBackend);

/** A verify port of its own: each engine closes its port, and with it the pool's threads. */
export function nodeVerify(): VerifyPort {
  const pool = new VerifyPool(nodeVerifier);
  return {
    verifier: nodeVerifier,
    verifyTransactions: (txs) => pool.verifyTransactions(txs),
    close: () => pool.close(),
  };
}

/** The full intake check of one transaction on this thread (engine/intake.ts). */
export const nodeAdmit = createIntake({
  verifier: nodeVerifier,
  verifyTransactions: (txs) =>
    Promise.all(
      txs.map((tx) => nodeVerifier.verify(signatureOf(tx), signedMessageOf(tx), tx.authorKey)),
    ),
}).admit;
