// GPoW addresses: the 32-byte Ed25519 public key in bech32m (BIP-350) with the prefix "gpow".
// bech32m detects any error in up to 4 characters, and every single-character substitution,
// so a mistyped address fails to parse instead of sending to a stranger. The checks run in
// an order that gives the most useful message first (wrong prefix before wrong checksum).
import { bech32, bech32m } from '@scure/base';

export type Address = string & { readonly __brand: 'Address' };

export const ADDRESS_PREFIX = 'gpow';

const PUBLIC_KEY_LENGTH = 32;
/** 32 bytes are 52 five-bit characters, plus a 6-character checksum. */
const DATA_LENGTH = Math.ceil((PUBLIC_KEY_LENGTH * 8) / 5) + 6;
/** "gpow" + "1" + data: every GPoW address is exactly this long. */
export const ADDRESS_LENGTH = ADDRESS_PREFIX.length + 1 + DATA_LENGTH;

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

export type ParsedAddress =
  { ok: true; address: Address; publicKey: Uint8Array } | { ok: false; error: string };

export function encodeAddress(publicKey: Uint8Array): Address {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new Error(`an address encodes a ${PUBLIC_KEY_LENGTH}-byte Ed25519 public key`);
  }
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(publicKey)) as string as Address;
}

const fail = (error: string): ParsedAddress => ({ ok: false, error });

/**
 * Parses untrusted input (a pasted string, a field from a peer) into an address and its
 * public key. Accepts all-lowercase or all-uppercase (BIP-350: e.g. for QR codes) and returns
 * the lowercase form. Never throws.
 */
export function parseAddress(input: unknown): ParsedAddress {
  if (typeof input !== 'string') {
    return fail(`an address must be a string, got ${input === null ? 'null' : typeof input}`);
  }
  const lower = input.toLowerCase();
  if (input !== lower && input !== input.toUpperCase()) {
    return fail('an address must be all lowercase or all uppercase, not mixed case');
  }
  const separator = lower.lastIndexOf('1');
  if (separator <= 0) {
    return fail(
      `not an address: expected "${ADDRESS_PREFIX}1" followed by ${DATA_LENGTH} characters`,
    );
  }
  const prefix = lower.slice(0, separator);
  if (prefix !== ADDRESS_PREFIX) {
    return fail(`wrong prefix "${prefix}": GPoW addresses start with "${ADDRESS_PREFIX}1"`);
  }
  const data = lower.slice(separator + 1);
  for (let i = 0; i < data.length; i++) {
    if (!CHARSET.includes(data.charAt(i))) {
      const position = separator + 2 + i;
      return fail(
        `invalid character ${JSON.stringify(input.charAt(position - 1))} at position ${position}: ` +
          'addresses use only the bech32 characters (no "1", "b", "i" or "o" after the prefix)',
      );
    }
  }
  if (lower.length !== ADDRESS_LENGTH) {
    return fail(
      `wrong length: a GPoW address has ${ADDRESS_LENGTH} characters, this one has ${lower.length}`,
    );
  }
  const decoded = bech32m.decodeUnsafe(lower, ADDRESS_LENGTH);
  if (decoded === undefined) {
    if (bech32.decodeUnsafe(lower, ADDRESS_LENGTH) !== undefined) {
      return fail(
        'this is a bech32 string, but GPoW addresses use bech32m (BIP-350): it was made by ' +
          'other software or an old version',
      );
    }
    return fail('checksum does not match: check for a typo');
  }
  // The 4 padding bits after the 256 key bits must be zero, or two strings would name one key.
  const publicKey = bech32m.fromWordsUnsafe(decoded.words);
  if (publicKey === undefined || publicKey.length !== PUBLIC_KEY_LENGTH) {
    return fail('not a valid address: the encoded key has non-zero padding bits');
  }
  return { ok: true, address: lower as Address, publicKey };
}
