// The primitives under shared/ssk/, checked against their published vectors, through the exact
// functions and import paths shared/ssk/ uses.
import { x25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { expand, extract, hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/bytes.ts';
import rfc5869 from '../vectors/rfc5869-hkdf-sha256.json' with { type: 'json' };
import rfc7748 from '../vectors/rfc7748-x25519.json' with { type: 'json' };
import xchacha from '../vectors/xchacha20poly1305-draft03.json' with { type: 'json' };

describe('X25519: RFC 7748 section 5.2, first vector', () => {
  it('scalarMult gives the published u-coordinate', () => {
    expect(toHex(x25519.scalarMult(fromHex(rfc7748.scalar), fromHex(rfc7748.u)))).toBe(
      rfc7748.output,
    );
  });
});

describe('HKDF-SHA256: RFC 5869 test case 1', () => {
  const ikm = fromHex(rfc5869.ikm);
  const salt = fromHex(rfc5869.salt);
  const info = fromHex(rfc5869.info);

  it('extract gives the published PRK and expand the published OKM', () => {
    const prk = extract(sha256, ikm, salt);
    expect(toHex(prk)).toBe(rfc5869.prk);
    expect(toHex(expand(sha256, prk, info, rfc5869.length))).toBe(rfc5869.okm);
  });

  it('the one-call hkdf that shared/ssk uses gives the same OKM', () => {
    expect(toHex(hkdf(sha256, ikm, salt, info, rfc5869.length))).toBe(rfc5869.okm);
  });
});

describe('XChaCha20-Poly1305: draft-irtf-cfrg-xchacha-03 appendix A.3.1', () => {
  const key = fromHex(xchacha.key);
  const nonce = fromHex(xchacha.nonce);
  const aad = fromHex(xchacha.aad);

  it('seals to the published ciphertext and tag', () => {
    const sealed = xchacha20poly1305(key, nonce, aad).encrypt(fromHex(xchacha.plaintext));
    expect(toHex(sealed)).toBe(xchacha.ciphertext + xchacha.tag);
  });

  it('opens the published ciphertext, and refuses it under other associated data', () => {
    const sealed = fromHex(xchacha.ciphertext + xchacha.tag);
    expect(toHex(xchacha20poly1305(key, nonce, aad).decrypt(sealed))).toBe(xchacha.plaintext);
    expect(() => xchacha20poly1305(key, nonce, aad.subarray(1)).decrypt(sealed)).toThrow();
  });
});
