import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/bytes.ts';
import {
  CborEncodeError,
  decodeCanonical,
  encodeCanonical,
  type CborValue,
} from '../../shared/codec/cbor.ts';

const LIMIT = 1 << 16;
const decodeHex = (hex: string) => decodeCanonical(fromHex(hex), LIMIT);

describe('canonical CBOR', () => {
  it('encodes deterministically per RFC 8949 section 4.2.1 (published examples)', () => {
    // RFC 8949 appendix A examples.
    expect(toHex(encodeCanonical(0))).toBe('00');
    expect(toHex(encodeCanonical(23))).toBe('17');
    expect(toHex(encodeCanonical(24))).toBe('1818');
    expect(toHex(encodeCanonical(1000000))).toBe('1a000f4240');
    expect(toHex(encodeCanonical(18446744073709551615n))).toBe('1bffffffffffffffff');
    expect(toHex(encodeCanonical(-1))).toBe('20');
    expect(toHex(encodeCanonical(-1000))).toBe('3903e7');
    expect(toHex(encodeCanonical('IETF'))).toBe('6449455446');
    expect(toHex(encodeCanonical(fromHex('01020304')))).toBe('4401020304');
    expect(toHex(encodeCanonical([1, [2, 3], [4, 5]]))).toBe('8301820203820405');
    expect(toHex(encodeCanonical({ a: 1, b: [2, 3] }))).toBe('a26161016162820203');
    // Keys sort by their encoded bytes: shorter keys first.
    expect(toHex(encodeCanonical({ bb: 1, a: 2 }))).toBe('a261610262626201');
  });

  it('encodes a small bigint exactly like the same number', () => {
    expect(encodeCanonical(5n)).toEqual(encodeCanonical(5));
  });

  it('refuses values outside the canonical subset', () => {
    expect(() => encodeCanonical(1.5)).toThrow(CborEncodeError);
    expect(() => encodeCanonical(2n ** 64n)).toThrow(CborEncodeError);
    expect(() => encodeCanonical({ a: undefined } as unknown as CborValue)).toThrow(
      CborEncodeError,
    );
    expect(() => encodeCanonical((() => 1) as unknown as CborValue)).toThrow(CborEncodeError);
    let deep: CborValue = 1;
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(() => encodeCanonical(deep)).toThrow(/nesting/);
  });

  it('round-trips canonical values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        // JSON values without floats are in the canonical subset.
        const value = JSON.parse(
          JSON.stringify(json, (_k, x: unknown) =>
            typeof x === 'number' ? (Number.isSafeInteger(Math.trunc(x)) ? Math.trunc(x) : 0) : x,
          ),
        ) as CborValue;
        const bytes = encodeCanonical(value);
        const decoded = decodeCanonical(bytes, LIMIT);
        expect(decoded.ok).toBe(true);
        if (decoded.ok) expect(encodeCanonical(decoded.value as CborValue)).toEqual(bytes);
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  it.each([
    ['non-minimal integer', '1805', 'malformed'],
    ['non-minimal length', '5801ff', 'malformed'],
    ['unsorted keys', 'a2616202616101', 'non-canonical'],
    ['duplicate keys', 'a2616101616102', 'malformed'],
    ['indefinite array', '9f01ff', 'malformed'],
    ['half float holding an integer', 'f93c00', 'malformed'],
    ['double float', 'fb3ff8000000000000', 'malformed'],
    ['tag', 'c11a514b67b0', 'malformed'],
    ['undefined', 'f7', 'malformed'],
    ['trailing bytes', '0101', 'malformed'],
    ['truncated', '1a0001', 'malformed'],
    ['integer map key', 'a10102', 'malformed'],
    ['invalid UTF-8', '63fffefd', 'malformed'],
    ['empty input', '', 'malformed'],
  ])('rejects %s', (_name, hex, reason) => {
    const result = decodeHex(hex);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toBe(reason);
  });

  it('treats a "__proto__" key as data, never as a prototype', () => {
    const result = decodeHex('a1695f5f70726f746f5f5f01');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const value = result.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it('rejects non-bytes input, oversized input and deep nesting', () => {
    expect(decodeCanonical('00', LIMIT)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(decodeCanonical([0], LIMIT)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(decodeCanonical(new Uint8Array(10), 9)).toMatchObject({
      ok: false,
      reason: 'oversized',
    });
    expect(decodeCanonical(new Uint8Array(30).fill(0x81), LIMIT)).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });
});
