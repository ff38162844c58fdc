// Worker thread for bench/lib/verifyPool.ts: verifies a packed batch of Ed25519 signatures,
// either through the app's verifier (strict encoding checks + the native backend) or with raw
// node:crypto verify calls (the practical limit).
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import { nodeBackend } from '../../node/crypto/nodeEd25519.ts';
import type { PackedBatch } from './verifyPool.ts';

const verifier = createVerifier(nodeBackend);
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map<string, KeyObject>();

function rawKey(key: Uint8Array): KeyObject {
  const hex = Buffer.from(key).toString('hex');
  let object = keys.get(hex);
  if (!object) {
    object = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, key]),
      format: 'der',
      type: 'spki',
    });
    keys.set(hex, object);
  }
  return object;
}

async function run(batch: PackedBatch): Promise<number> {
  let valid = 0;
  const count = batch.offsets.length - 1;
  for (let i = 0; i < count; i++) {
    const message = batch.messages.subarray(batch.offsets[i], batch.offsets[i + 1]);
    const signature = batch.signatures.subarray(i * 64, i * 64 + 64);
    const key = batch.keys.subarray(i * 32, i * 32 + 32);
    const ok =
      batch.mode === 'raw'
        ? verify(null, message, rawKey(key), signature)
        : await verifier.verify(signature, message, key);
    if (ok) valid++;
  }
  return valid;
}

parentPort!.on('message', (batch: PackedBatch) => {
  void run(batch).then((valid) => parentPort!.postMessage({ valid }));
});
