// One signature-checking thread of the engine's verify pool (engine/verifyPool.ts) in Node: the
// app's one strict rule set over Node's native Ed25519, one byte per signature back.
//
// Node runs this file directly by type stripping (erasable TypeScript, `.ts` imports).
import { parentPort } from 'node:worker_threads';
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import { checkPacked, type PackedSignatures } from '../../engine/verifyPool.ts';
import { nodeBackend } from './nodeEd25519.ts';

const verifier = createVerifier(nodeBackend);

parentPort?.on('message', (message: { id: number; batch: PackedSignatures }) => {
  void checkPacked(verifier, message.batch).then((valid) =>
    parentPort?.postMessage({ id: message.id, valid }, [valid.buffer as ArrayBuffer]),
  );
});
