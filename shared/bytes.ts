// Small byte helpers used across the core. Thin wrappers over @noble/hashes so that the
// rest of shared/ has one vocabulary for bytes and never reaches for Node's Buffer.
import {
  bytesToHex as nobleBytesToHex,
  concatBytes as nobleConcat,
  hexToBytes as nobleHexToBytes,
  utf8ToBytes as nobleUtf8ToBytes,
} from '@noble/hashes/utils.js';
import { bytesToUtf8 as nobleBytesToUtf8 } from '@noble/ciphers/utils.js';

export const toHex = (bytes: Uint8Array): string => nobleBytesToHex(bytes);

/** Parses lowercase or uppercase hex; throws on odd length or a non-hex character. */
export const fromHex = (hex: string): Uint8Array => nobleHexToBytes(hex);

export const utf8 = (text: string): Uint8Array => nobleUtf8ToBytes(text);

/** Decodes UTF-8 (invalid sequences become U+FFFD). */
export const fromUtf8 = (bytes: Uint8Array): string => nobleBytesToUtf8(bytes);

export const concat = (...parts: Uint8Array[]): Uint8Array => nobleConcat(...parts);

/** Not constant-time: use only on public data (ids, encodings), never on secrets or MACs. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic order of byte strings; a shorter prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
