// Ed25519 backend on Node's OpenSSL. OpenSSL verifies with the cofactorless equation
// [S]B == R + [k]A, which is the ledger's rule (see shared/crypto/ed25519.ts), so after the
// strict encoding check it agrees with every other backend.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { toHex } from '../../shared/bytes.ts';
import type { Ed25519Backend } from '../../shared/crypto/ed25519.ts';

/**
 * DER SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410): SEQUENCE { SEQUENCE { OID
 * 1.3.101.112 }, BIT STRING (33 bytes: 0 unused bits + 32 key bytes) }. Prepending it to the raw
 * key gives a full SPKI that createPublicKey accepts.
 */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Enough for the keys of a busy block; small enough that a flood of fresh keys costs little. */
const KEY_CACHE_LIMIT = 1024;

// A Map iterates in insertion order, so deleting and re-inserting on a hit makes the first key
// the least recently used one.
const keyCache = new Map<string, KeyObject>();

function keyObjectFor(publicKey: Uint8Array): KeyObject {
  const id = toHex(publicKey);
  const cached = keyCache.get(id);
  if (cached !== undefined) {
    keyCache.delete(id);
    keyCache.set(id, cached);
    return cached;
  }
  const keyObject = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
  keyCache.set(id, keyObject);
  if (keyCache.size > KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  return keyObject;
}

export const nodeBackend: Ed25519Backend = {
  name: 'node-openssl',
  verify(signature, message, publicKey) {
    try {
      if (publicKey.length !== 32) return Promise.resolve(false);
      // Ed25519 takes no digest name: the algorithm comes from the key.
      return Promise.resolve(verify(null, message, keyObjectFor(publicKey), signature));
    } catch {
      // OpenSSL throws for keys it cannot decode; to the ledger that is just an invalid signature.
      return Promise.resolve(false);
    }
  },
};
