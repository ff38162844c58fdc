// A signer that holds the secret key in this realm: the CLI's, and the browser's in-page vault.
// The desktop app's signer holds no key: it asks the main process (renderer/runtime/signer.ts).
import { publicKeyOf } from '../shared/crypto/ed25519.ts';
import { keyHexOf } from '../shared/ids.ts';
import { openKey } from '../shared/ssk/box.ts';
import { signTx } from '../shared/tx/envelope.ts';
import type { EngineSigner } from './ports.ts';

export function keySigner(secretKey: Uint8Array): EngineSigner {
  return {
    key: keyHexOf(publicKeyOf(secretKey)),
    sign: (unsigned) => signTx(secretKey, unsigned),
    openSskBox: (box, ctx) => openKey(box, secretKey, ctx),
  };
}
