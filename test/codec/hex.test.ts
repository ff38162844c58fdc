// toHex against noble's reference encoder and the published base16 vectors (RFC 4648 §10),
// at every length class: empty, id-sized, and across the internal chunk boundary.
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../shared/bytes.ts';

describe('toHex', () => {
  it('matches the RFC 4648 base16 vectors (lowercase)', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', '66'],
      ['fo', '666f'],
      ['foo', '666f6f'],
      ['foob', '666f6f62'],
      ['fooba', '666f6f6261'],
      ['foobar', '666f6f626172'],
    ];
    for (const [text, hex] of vectors) expect(toHex(utf8(text))).toBe(hex);
  });

  it('encodes every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(toHex(all)).toBe(bytesToHex(all));
  });

  it('agrees with noble and round-trips, across the chunk boundary', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10_000 }), (bytes) => {
        const hex = toHex(bytes);
        expect(hex).toBe(bytesToHex(bytes));
        expect(fromHex(hex)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
    for (const n of [4095, 4096, 4097, 8192, 8193]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 131) & 255);
      expect(toHex(bytes)).toBe(bytesToHex(bytes));
    }
  });

  it('reads a view at its own offset, not its buffer start', () => {
    const buffer = Uint8Array.from([1, 2, 3, 4, 5]);
    expect(toHex(buffer.subarray(2, 4))).toBe('0304');
  });
});
