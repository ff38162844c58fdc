// The SHA-256 port: noble by default; a native implementation is installed only after it
// agrees with noble, so no state can depend on which one a peer runs.
import { sha256 as noble } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../shared/bytes.ts';
import { installSha256, resetSha256, sha256 } from '../../shared/crypto/sha256.ts';
import { nativeSha256 } from '../../node/crypto/nativeSha256.ts';

afterEach(() => resetSha256());

describe('sha256 port', () => {
  it('gives the FIPS 180-2 digests', () => {
    expect(toHex(sha256(utf8('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(sha256(new Uint8Array(0)))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('native agrees with noble on random inputs, and returns its own plain bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        const digest = nativeSha256(data);
        expect(toHex(digest)).toBe(toHex(noble(data)));
        expect(digest.constructor).toBe(Uint8Array);
        expect(digest.buffer.byteLength).toBe(32);
      }),
      { numRuns: 300 },
    );
  });

  it('installs an implementation that agrees, and refuses one that does not', () => {
    installSha256(nativeSha256);
    expect(toHex(sha256(utf8('abc')))).toBe(toHex(noble(utf8('abc'))));
    const wrongOnLongInputs = (data: Uint8Array) =>
      data.length > 100 ? new Uint8Array(32) : noble(data);
    resetSha256();
    expect(() => installSha256(wrongOnLongInputs)).toThrow(/disagrees/);
    // Still the reference after a refusal.
    const long = new Uint8Array(500).fill(1);
    expect(toHex(sha256(long))).toBe(toHex(noble(long)));
  });
});
