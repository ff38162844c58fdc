// Node's native Ed25519 signer, to generate large test ledgers quickly. Produces exactly the
// signatures noble does (Ed25519 is deterministic), which a test below checks.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { Signer } from '../../shared/tx/envelope.ts';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const keys = new Map<string, KeyObject>();

export const nativeSigner: Signer = (secretKey, message) => {
  const hex = Buffer.from(secretKey).toString('hex');
  let key = keys.get(hex);
  if (!key) {
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, secretKey]),
      format: 'der',
      type: 'pkcs8',
    });
    keys.set(hex, key);
  }
  return new Uint8Array(sign(null, message, key));
};
