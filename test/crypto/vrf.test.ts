// The VRF against RFC 9381's own vectors, and the refusals the committee seed relies on: a proof
// counts only for its key and its alpha, one changed byte breaks it, and small-order keys (which
// would accept forged proofs) are refused.
import { ED25519_TORSION_SUBGROUP, ed25519, ed25519_hasher } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import {
  VRF_OUTPUT_BYTES,
  VRF_PROOF_BYTES,
  VRF_SUITE,
  vrfOutput,
  vrfProve,
  vrfVerify,
} from '../../shared/crypto/vrf.ts';
import ell2 from '../vectors/ecvrf-edwards25519-sha512-ell2.json' with { type: 'json' };

const SECRET = fromHex('c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7');
const OTHER_SECRET = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
const ALPHA = utf8('accept 7f3a');

describe('RFC 9381 Appendix B.4 vectors', () => {
  it('is the suite the vectors are for', () => {
    expect(VRF_SUITE).toBe(ell2.suite);
  });

  for (const vector of ell2.vectors) {
    it(`${vector.name}: the key, the proof and the output`, () => {
      const secret = fromHex(vector.sk);
      const alpha = fromHex(vector.alpha);
      // The VRF key is the ledger's Ed25519 key: the same public key.
      expect(toHex(publicKeyOf(secret))).toBe(vector.pk);
      const proof = vrfProve(secret, alpha);
      expect(toHex(proof)).toBe(vector.pi);
      const beta = vrfVerify(fromHex(vector.pk), alpha, fromHex(vector.pi));
      expect(beta && toHex(beta)).toBe(vector.beta);
      expect(toHex(vrfOutput(fromHex(vector.pi)) ?? new Uint8Array())).toBe(vector.beta);
    });
  }
});

describe('vrfVerify refuses', () => {
  const publicKey = publicKeyOf(SECRET);
  const proof = vrfProve(SECRET, ALPHA);

  it('accepts the proof it made, with the lengths it promises', () => {
    expect(proof.length).toBe(VRF_PROOF_BYTES);
    expect(vrfVerify(publicKey, ALPHA, proof)?.length).toBe(VRF_OUTPUT_BYTES);
  });

  it('another key', () => {
    expect(vrfVerify(publicKeyOf(OTHER_SECRET), ALPHA, proof)).toBeNull();
  });

  it('another alpha', () => {
    expect(vrfVerify(publicKey, utf8('accept 7f3b'), proof)).toBeNull();
    expect(vrfVerify(publicKey, new Uint8Array(), proof)).toBeNull();
  });

  it('every single-byte change of the proof', () => {
    for (let i = 0; i < proof.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const changed = proof.slice();
        changed[i] = (changed[i] as number) ^ flip;
        expect(vrfVerify(publicKey, ALPHA, changed), `byte ${i} ^ ${flip}`).toBeNull();
      }
    }
  });

  it('proofs of the wrong length, and keys of the wrong length', () => {
    expect(vrfVerify(publicKey, ALPHA, proof.subarray(0, 79))).toBeNull();
    expect(vrfVerify(publicKey, ALPHA, new Uint8Array([...proof, 0]))).toBeNull();
    expect(vrfVerify(publicKey.subarray(0, 31), ALPHA, proof)).toBeNull();
    expect(vrfVerify(new Uint8Array(), ALPHA, proof)).toBeNull();
  });

  it('s at or above the group order, which would be a second encoding of the same proof', () => {
    const order = ed25519.Point.Fn.ORDER;
    const s = BigInt(`0x${toHex(proof.slice(48).reverse())}`);
    const bumped = proof.slice();
    bumped.set(fromHex((s + order).toString(16).padStart(64, '0')).reverse(), 48);
    expect(vrfVerify(publicKey, ALPHA, bumped)).toBeNull();
    expect(vrfOutput(bumped)).toBeNull();
  });

  it('small-order public keys (RFC 9381 validate_key), even with a proof that passes the equations', () => {
    for (const point of ED25519_TORSION_SUBGROUP) {
      const key = fromHex(point);
      expect(vrfVerify(key, ALPHA, proof), point).toBeNull();
      // The forgery validate_key exists for: an output anyone can pick, for any alpha.
      expect(vrfVerify(key, ALPHA, forgeForSmallOrderKey(key, ALPHA)), point).toBeNull();
    }
  });

  it('a public key that is not on the curve, and a non-canonical one', () => {
    const offCurve = fromHex('0200000000000000000000000000000000000000000000000000000000000000');
    expect(() => ed25519.Point.fromBytes(offCurve)).toThrow();
    expect(vrfVerify(offCurve, ALPHA, proof)).toBeNull();
    // y = p + 1 encodes the identity non-canonically (and y ≥ p is refused by RFC 8032).
    const nonCanonical = fromHex(
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    );
    expect(vrfVerify(nonCanonical, ALPHA, proof)).toBeNull();
  });
});

describe('the output is unique', () => {
  it('one key and alpha give one proof and one output; other alphas give others', () => {
    const again = vrfProve(SECRET, ALPHA);
    expect(toHex(again)).toBe(toHex(vrfProve(SECRET, ALPHA)));
    const beta = vrfOutput(again);
    const other = vrfOutput(vrfProve(SECRET, utf8('accept 7f3b')));
    expect(beta && other && toHex(beta) !== toHex(other)).toBe(true);
    const otherKey = vrfOutput(vrfProve(OTHER_SECRET, ALPHA));
    expect(beta && otherKey && toHex(beta) !== toHex(otherKey)).toBe(true);
  });

  it('refuses a secret key of the wrong length in one sentence', () => {
    expect(() => vrfProve(new Uint8Array(31), ALPHA)).toThrow(/must be 32 bytes/);
  });
});

/**
 * A proof that satisfies the verification equations under a small-order key Y, made without
 * any secret: with Γ the identity, U = s·B − c·Y and V = s·H, and c·Y vanishes once c is a
 * multiple of Y's order (at most 8), so c can be computed after U and V. Only validate_key
 * refuses it. The challenge is RFC 9381 §5.4.3, written out here independently of the module.
 */
function forgeForSmallOrderKey(key: Uint8Array, alpha: Uint8Array): Uint8Array {
  const suite = Uint8Array.of(0x04);
  const dst = concat(utf8('ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_'), suite);
  const h = ed25519_hasher.encodeToCurve(concat(key, alpha), { DST: dst });
  const y = ed25519.Point.fromBytes(key);
  const gamma = ed25519.Point.ZERO.toBytes();
  for (let s = 1n; ; s++) {
    const u = ed25519.Point.BASE.multiply(s).toBytes();
    const v = h.multiply(s).toBytes();
    const points = [key, h.toBytes(), gamma, u, v];
    const digest = sha512(concat(suite, Uint8Array.of(0x02), ...points, Uint8Array.of(0x00)));
    const c = bytesToNumberLE(digest.subarray(0, 16));
    if (!y.multiplyUnsafe(c).is0()) continue;
    return concat(gamma, numberToBytesLE(c, 16), numberToBytesLE(s, 32));
  }
}
