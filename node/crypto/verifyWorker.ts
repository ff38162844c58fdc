// One signature-checking thread of verifyPool.ts. It applies the app's one strict rule set
// (createVerifier: encodings checked before the native backend runs) to a packed batch, and
// answers with one byte per signature: 1 valid, 0 not.
//
// Node runs this file directly by type stripping (erasable TypeScript, `.ts` imports).
import { parentPort } from 'node:worker_threads';
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import { nodeBackend } from './nodeEd25519.ts';

export interface PackedSignatures {
  readonly messages: Uint8Array;
  /** count + 1 offsets into `messages`. */
  readonly offsets: Uint32Array;
  readonly signatures: Uint8Array;
  readonly keys: Uint8Array;
}

const verifier = createVerifier(nodeBackend);

async function check(batch: PackedSignatures): Promise<Uint8Array> {
  const count = batch.offsets.length - 1;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const message = batch.messages.subarray(batch.offsets[i], batch.offsets[i + 1]);
    const signature = batch.signatures.subarray(i * 64, i * 64 + 64);
    const key = batch.keys.subarray(i * 32, i * 32 + 32);
    out[i] = (await verifier.verify(signature, message, key)) ? 1 : 0;
  }
  return out;
}

parentPort?.on('message', (message: { id: number; batch: PackedSignatures }) => {
  void check(message.batch).then((valid) =>
    parentPort?.postMessage({ id: message.id, valid }, [valid.buffer as ArrayBuffer]),
  );
});
