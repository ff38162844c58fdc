// Node's native SHA-256 for the core's hot paths (shared/crypto/sha256.ts checks it first).
import { hash } from 'node:crypto';
import { installSha256 } from '../../shared/crypto/sha256.ts';

/**
 * crypto.hash returns a Buffer, possibly a slice of Node's shared pool: the core gets its own
 * 32 bytes, so no digest's .buffer ever exposes (or, transferred, detaches) other memory.
 */
export function nativeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(hash('sha256', data, 'buffer'));
}

installSha256(nativeSha256);
