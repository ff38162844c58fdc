// One identity, two key pairs: the Ed25519 pair signs ledger entries, and the X25519 pair
// derived from the same secret does Diffie-Hellman (encrypting to a peer). Deriving X25519
// from Ed25519 means a peer's address is also enough to encrypt to them, with nothing else to
// publish or back up.
import { ed25519 } from '@noble/curves/ed25519.js';
import { publicKeyOf } from '../crypto/ed25519.ts';

export interface Identity {
  /** The 32-byte RFC 8032 seed. */
  readonly secretKey: Uint8Array;
  /** The 32-byte Ed25519 public key; the address encodes it. */
  readonly publicKey: Uint8Array;
}

function assertKeyLength(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
    throw new Error(`${what} must be 32 bytes, got ${got}`);
  }
}

export function identityFromSecret(secret32: Uint8Array): Identity {
  assertKeyLength(secret32, 'Ed25519 secret key');
  // Copy so that a caller reusing or wiping its buffer cannot change the identity.
  const secretKey = Uint8Array.from(secret32);
  return Object.freeze({ secretKey, publicKey: publicKeyOf(secretKey) });
}

/**
 * The X25519 public key of an Ed25519 public key, by the birational map u = (1 + y) / (1 - y)
 * (RFC 7748 section 4.1). Throws if the key is not a valid point.
 */
export function x25519PublicOf(edPublicKey: Uint8Array): Uint8Array {
  assertKeyLength(edPublicKey, 'Ed25519 public key');
  try {
    return ed25519.utils.toMontgomery(edPublicKey);
  } catch (cause) {
    throw new Error('not a valid Ed25519 public key: it does not decode to a curve point', {
      cause,
    });
  }
}

/**
 * The X25519 secret key matching x25519PublicOf(publicKeyOf(edSecretKey)): the clamped first
 * half of SHA-512(seed), i.e. the same scalar Ed25519 signs with.
 */
export function x25519SecretOf(edSecretKey: Uint8Array): Uint8Array {
  assertKeyLength(edSecretKey, 'Ed25519 secret key');
  return ed25519.utils.toMontgomerySecret(edSecretKey);
}
