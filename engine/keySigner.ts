// A signer that holds the secret key in this realm: the CLI's, and the browser's in-page vault.
// The desktop app's signer holds no key: it asks the main process (renderer/runtime/signer.ts).
import { publicKeyOf, signMessage } from '../shared/crypto/ed25519.ts';
import { vrfProve } from '../shared/crypto/vrf.ts';
import { keyHexOf } from '../shared/ids.ts';
import { openKey } from '../shared/ssk/box.ts';
import { signTx } from '../shared/tx/envelope.ts';
import type { EngineSigner, IdentitySigner } from './ports.ts';

/**
 * `secretKey` signs the chain; `identity` is the identity's own secret where the platform holds
 * the words: 'self' when the chain is the identity's own, null on a device paired without them.
 */
export function keySigner(
  secretKey: Uint8Array,
  identity: 'self' | Uint8Array | null = 'self',
): EngineSigner {
  const identitySecret = identity === 'self' ? secretKey : identity;
  const signer: EngineSigner = {
    key: keyHexOf(publicKeyOf(secretKey)),
    sign: (unsigned) => signTx(secretKey, unsigned),
    // SSK boxes are sealed to the chain's key: a device's private channels are its own.
    openSskBox: (box, ctx) => openKey(box, secretKey, ctx),
    signMessage: (message) => signMessage(secretKey, message),
    // The chain's key, like sign: the VRF public key is the one the ledger knows this signer by.
    proveVrf: (alpha) => vrfProve(secretKey, alpha),
  };
  return identitySecret ? { ...signer, identity: identitySignerOf(identitySecret) } : signer;
}

function identitySignerOf(secretKey: Uint8Array): IdentitySigner {
  return {
    key: keyHexOf(publicKeyOf(secretKey)),
    signMessage: (message) => signMessage(secretKey, message),
  };
}
