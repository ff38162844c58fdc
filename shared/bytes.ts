// Small byte helpers used across the core. Thin wrappers over @noble/hashes so that the
// rest of shared/ has one vocabulary for bytes and never reaches for Node's Buffer.
import {
  concatBytes as nobleConcat,
  hexToBytes as nobleHexToBytes,
  utf8ToBytes as nobleUtf8ToBytes,
} from '@noble/hashes/utils.js';
import { bytesToUtf8 as nobleBytesToUtf8 } from '@noble/ciphers/utils.js';

// Hex digits as UTF-16 code units, two per byte value.
const HEX_CODES = new Uint16Array(512);
for (let i = 0; i < 256; i++) {
  HEX_CODES[2 * i] = '0123456789abcdef'.charCodeAt(i >> 4);
  HEX_CODES[2 * i + 1] = '0123456789abcdef'.charCodeAt(i & 15);
}
// Bytes per String.fromCharCode call: well under every engine's argument limit.
const HEX_CHUNK = 4096;
const hexScratch = new Uint16Array(2 * HEX_CHUNK);

/**
 * Lowercase hex. Built as one flat string per chunk: appending two digits at a time (noble's
 * fallback where Uint8Array#toHex is missing, as in Node 22) leaves a rope of ~60 string nodes
 * for every 32-byte id, ~800 bytes each. A peer holds several ids per transaction, so at 100,000
 * transactions that was over 200 MB of heap until V8 happened to flatten them.
 */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let start = 0; start < bytes.length; start += HEX_CHUNK) {
    const end = Math.min(bytes.length, start + HEX_CHUNK);
    for (let i = start; i < end; i++) {
      const at = 2 * (bytes[i] as number);
      hexScratch[2 * (i - start)] = HEX_CODES[at] as number;
      hexScratch[2 * (i - start) + 1] = HEX_CODES[at + 1] as number;
    }
    const codes = hexScratch.subarray(0, 2 * (end - start));
    out += String.fromCharCode.apply(null, codes as unknown as number[]);
  }
  return out;
}

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
