import { bech32, bech32m } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/bytes.ts';
import {
  ADDRESS_LENGTH,
  encodeAddress,
  parseAddress,
  type ParsedAddress,
} from '../../shared/identity/address.ts';

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const key = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

function errorOf(result: ParsedAddress): string {
  if (result.ok) throw new Error(`expected a parse error, got ${result.address}`);
  return result.error;
}

describe('encodeAddress / parseAddress', () => {
  it('encodes a key as gpow1 + 58 bech32m characters (regression pin)', () => {
    const address = encodeAddress(key);
    // Pinned so that an accidental format change (prefix, encoding) shows up as a failure.
    expect(address).toBe('gpow16adfsqvzky9t042tlmfujeq88g8wzuhnm2nzxfd0qgdx3ac82ydqfppcmd');
    expect(address).toHaveLength(ADDRESS_LENGTH);
    expect(ADDRESS_LENGTH).toBe(63);
    // It is standard bech32m: an independent decoder reads the same key back.
    expect(toHex(bech32m.decodeToBytes(address).bytes)).toBe(toHex(key));
  });

  it('round-trips every key', () => {
    fc.assert(
      fc.property(key32, (k) => {
        const parsed = parseAddress(encodeAddress(k));
        expect(parsed.ok && toHex(parsed.publicKey)).toBe(toHex(k));
      }),
      { seed: 0xadd7, numRuns: 100 },
    );
  });

  it('refuses to encode a key that is not 32 bytes', () => {
    expect(() => encodeAddress(new Uint8Array(33))).toThrow(/32-byte/);
  });
});

describe('parseAddress rejects typos', () => {
  it('every single-character substitution of an address is rejected (exhaustive, one key)', () => {
    const address = encodeAddress(key);
    const alphabet = `${CHARSET}1bio${CHARSET.toUpperCase()} .-`;
    let tried = 0;
    for (let i = 0; i < address.length; i++) {
      for (const c of alphabet) {
        if (c === address[i]) continue;
        const typo = address.slice(0, i) + c + address.slice(i + 1);
        expect(parseAddress(typo).ok, typo).toBe(false);
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(63 * 60);
  });

  it('every single-character substitution is rejected (property, random keys)', () => {
    fc.assert(
      fc.property(
        key32,
        fc.nat(ADDRESS_LENGTH - 1),
        fc.constantFrom(...CHARSET),
        (k, position, replacement) => {
          const address = encodeAddress(k);
          fc.pre(address[position] !== replacement);
          const typo = address.slice(0, position) + replacement + address.slice(position + 1);
          expect(parseAddress(typo).ok).toBe(false);
        },
      ),
      { seed: 0x7e905, numRuns: 2000 },
    );
  });

  it('says "checksum does not match" for a typo in the data', () => {
    const address = encodeAddress(key);
    const i = 20;
    const typo = address.slice(0, i) + (address[i] === 'q' ? 'p' : 'q') + address.slice(i + 1);
    expect(errorOf(parseAddress(typo))).toBe('checksum does not match: check for a typo');
  });
});

describe('parseAddress error messages', () => {
  it('not a string', () => {
    expect(errorOf(parseAddress(42))).toMatch(/must be a string, got number/);
    expect(errorOf(parseAddress(null))).toMatch(/got null/);
    expect(errorOf(parseAddress(undefined))).toMatch(/got undefined/);
    expect(errorOf(parseAddress(key))).toMatch(/got object/);
  });

  it('wrong prefix names the expected one', () => {
    const other = bech32m.encode('bc', bech32m.toWords(key));
    expect(errorOf(parseAddress(other))).toBe(
      'wrong prefix "bc": GPoW addresses start with "gpow1"',
    );
  });

  it('no separator', () => {
    expect(errorOf(parseAddress('gpowqqqq'))).toMatch(/expected "gpow1"/);
    expect(errorOf(parseAddress(''))).toMatch(/expected "gpow1"/);
  });

  it('a character outside the bech32 alphabet', () => {
    const address = encodeAddress(key);
    const typo = `${address.slice(0, 10)}b${address.slice(11)}`;
    expect(errorOf(parseAddress(typo))).toMatch(/^invalid character "b" at position 11/);
  });

  it('wrong length', () => {
    for (const length of [31, 33, 20]) {
      const address = bech32m.encode('gpow', bech32m.toWords(new Uint8Array(length).fill(1)));
      expect(errorOf(parseAddress(address))).toMatch(
        new RegExp(
          `^wrong length: a GPoW address has 63 characters, this one has ${address.length}`,
        ),
      );
    }
    expect(errorOf(parseAddress(encodeAddress(key).slice(0, -1)))).toMatch(/^wrong length/);
  });

  it('bech32 (not bech32m) is recognised and explained', () => {
    const legacy = bech32.encode('gpow', bech32.toWords(key));
    expect(errorOf(parseAddress(legacy))).toMatch(/bech32m \(BIP-350\)/);
  });

  it('non-zero padding bits are refused, so each key has one address', () => {
    const words = bech32m.toWords(key);
    words[words.length - 1] = (words[words.length - 1] as number) | 1; // a padding bit
    const padded = bech32m.encode('gpow', words);
    expect(bech32m.decodeUnsafe(padded)).toBeDefined(); // a valid bech32m string...
    expect(errorOf(parseAddress(padded))).toMatch(/padding/); // ...but not a valid address
  });
});

describe('case (BIP-350)', () => {
  it('accepts an all-uppercase address and returns the lowercase form', () => {
    const address = encodeAddress(key);
    const parsed = parseAddress(address.toUpperCase());
    expect(parsed.ok && parsed.address).toBe(address);
    expect(parsed.ok && toHex(parsed.publicKey)).toBe(toHex(key));
  });

  it('rejects mixed case', () => {
    const address = encodeAddress(key);
    expect(errorOf(parseAddress(`G${address.slice(1)}`))).toMatch(/mixed case/);
    // The last character of this address is a letter, so uppercasing it changes the case.
    expect(address.at(-1)).toBe('d');
    expect(errorOf(parseAddress(`${address.slice(0, -1)}D`))).toMatch(/mixed case/);
  });
});
