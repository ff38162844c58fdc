// The identities and network the SSK tests share: A and B hold a key, C is a bystander.
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../../shared/bytes.ts';
import { decodeCanonical, encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';

export const secretA = new Uint8Array(32).fill(0x01);
export const secretB = new Uint8Array(32).fill(0x02);
export const secretC = new Uint8Array(32).fill(0x03);
export const A = publicKeyOf(secretA);
export const B = publicKeyOf(secretB);
export const C = publicKeyOf(secretC);
export const network = sha256(utf8('GPoW SSK test network'));
export const otherNetwork = sha256(utf8('another GPoW network'));

/** Decodes a canonical map, lets the test change it, and encodes it again. */
export function rewrite(
  bytes: Uint8Array,
  change: (map: Record<string, CborValue>) => void,
): Uint8Array {
  const decoded = decodeCanonical(bytes, 1 << 22);
  if (!decoded.ok) throw new Error(decoded.detail);
  const map = { ...(decoded.value as Record<string, CborValue>) };
  change(map);
  return encodeCanonical(map);
}

/** Every single-bit change of every byte, as (index, altered copy). */
export function* bitFlips(bytes: Uint8Array): Generator<[number, Uint8Array]> {
  for (let i = 0; i < bytes.length; i++) {
    for (const mask of [0x01, 0x80]) {
      const copy = Uint8Array.from(bytes);
      copy[i] = (copy[i] as number) ^ mask;
      yield [i, copy];
    }
  }
}

/** Untrusted inputs of every wrong shape; none may make an open function throw. */
export const junkInputs: readonly unknown[] = [
  undefined,
  null,
  0,
  42,
  -1,
  Number.NaN,
  'a string',
  '',
  true,
  {},
  [],
  [1, 2, 3],
  { v: 1 },
  new Uint8Array(0),
  new Uint8Array([0xff]),
  new Uint8Array([0xa0]), // an empty map
  new Uint8Array([0x01]), // the integer 1
  new Uint16Array([1, 2, 3]),
  new ArrayBuffer(8),
  encodeCanonical('a string'),
  encodeCanonical([1, 2, 3]),
  encodeCanonical({ v: 1 }),
  encodeCanonical(null),
  Uint8Array.of(0xbf, 0x61, 0x76, 0x01, 0xff), // indefinite-length map {v: 1}
  Uint8Array.of(0xa1, 0x61, 0x76, 0x18, 0x01), // {v: 1} with a non-minimal integer
  Uint8Array.of(0xa1, 0x61, 0x76, 0xf9, 0x3c, 0x00), // {v: 1.0} as a half float
  new Uint8Array(1 << 21), // oversized
];
