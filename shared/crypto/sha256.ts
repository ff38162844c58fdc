// SHA-256 for the hot paths (transaction ids, the replication screen, proof-of-work jobs).
// noble's pure-JS implementation runs everywhere; a platform with a faster one (Node's native
// crypto.hash is ~2.5x faster on transaction-sized inputs) installs it at start-up. Results are
// identical by definition, and checked: an implementation that disagrees with noble on the
// published vectors is refused, so state can never depend on which one a peer runs.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../bytes.ts';

export type Sha256 = (data: Uint8Array) => Uint8Array;

let current: Sha256 = nobleSha256;

/** SHA-256 of `data`: 32 bytes. */
export function sha256(data: Uint8Array): Uint8Array {
  return current(data);
}

// FIPS 180-2 / NIST examples, plus lengths around the 64-byte block and a transaction's size.
const CHECKS: readonly Uint8Array[] = [
  new Uint8Array(0),
  utf8('abc'),
  utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
  ...[55, 56, 63, 64, 65, 288, 1000].map((n) => Uint8Array.from({ length: n }, (_, i) => i * 7)),
];

/** Installs a faster SHA-256 after checking it against noble; throws if they ever disagree. */
export function installSha256(candidate: Sha256): void {
  for (const input of CHECKS) {
    const got = candidate(input);
    if (!(got instanceof Uint8Array) || toHex(got) !== toHex(nobleSha256(input))) {
      throw new Error('the SHA-256 implementation disagrees with the reference: not installed');
    }
  }
  current = candidate;
}

/** Back to noble (tests). */
export function resetSha256(): void {
  current = nobleSha256;
}
