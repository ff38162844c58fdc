// Ed25519 backend on WebCrypto (crypto.subtle). Browsers and Node implement it on
// OpenSSL/BoringSSL-style cofactorless verification, the ledger's rule (see
// shared/crypto/ed25519.ts), so after the strict encoding check it agrees with every backend.
import { toHex } from '../../shared/bytes.ts';
import type { Ed25519Backend } from '../../shared/crypto/ed25519.ts';

const ALGORITHM = { name: 'Ed25519' } as const;

/** Enough for the keys of a busy block; small enough that a flood of fresh keys costs little. */
const KEY_CACHE_LIMIT = 1024;

// Cache the import promise, not the key, so concurrent verifications under one key share a
// single importKey call. A Map iterates in insertion order, so re-inserting on a hit keeps the
// least recently used key first.
const keyCache = new Map<string, Promise<CryptoKey>>();

function importPublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  const id = toHex(publicKey);
  const cached = keyCache.get(id);
  if (cached !== undefined) {
    keyCache.delete(id);
    keyCache.set(id, cached);
    return cached;
  }
  const imported = crypto.subtle.importKey('raw', copyOf(publicKey), ALGORITHM, false, ['verify']);
  keyCache.set(id, imported);
  // A key that fails to import must not stay cached as a rejected promise.
  imported.catch(() => keyCache.delete(id));
  if (keyCache.size > KEY_CACHE_LIMIT) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  return imported;
}

/** WebCrypto wants ArrayBuffer-backed views; a copy also detaches us from the caller's buffer. */
function copyOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export const webCryptoBackend: Ed25519Backend = {
  name: 'webcrypto',
  async verify(signature, message, publicKey) {
    try {
      if (publicKey.length !== 32) return false;
      const key = await importPublicKey(publicKey);
      return await crypto.subtle.verify(ALGORITHM, key, copyOf(signature), copyOf(message));
    } catch {
      // importKey rejects keys it cannot decode; to the ledger that is just an invalid signature.
      return false;
    }
  },
};
