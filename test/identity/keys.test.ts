import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/bytes.ts';
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { identityFromSecret, x25519PublicOf, x25519SecretOf } from '../../shared/identity/keys.ts';

const seed32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const runs = { seed: 0x4b455953, numRuns: 25 };

describe('identityFromSecret', () => {
  it('pairs the seed with its Ed25519 public key (RFC 8032 TEST 1)', () => {
    const id = identityFromSecret(
      fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
    );
    expect(toHex(id.publicKey)).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
  });

  it("keeps its own copy of the secret, unaffected by the caller's buffer", () => {
    const secret = new Uint8Array(32).fill(9);
    const id = identityFromSecret(secret);
    secret.fill(0);
    expect(toHex(id.secretKey)).toBe('09'.repeat(32));
    expect(toHex(id.publicKey)).toBe(toHex(publicKeyOf(new Uint8Array(32).fill(9))));
  });

  it('refuses a secret that is not 32 bytes', () => {
    expect(() => identityFromSecret(new Uint8Array(64))).toThrow(/32 bytes, got 64 bytes/);
    expect(() => identityFromSecret('secret' as unknown as Uint8Array)).toThrow(/got string/);
  });
});

describe('X25519 keys of an identity', () => {
  it('x25519SecretOf and x25519PublicOf describe the same key pair', () => {
    fc.assert(
      fc.property(seed32, (s) => {
        expect(toHex(x25519.getPublicKey(x25519SecretOf(s)))).toBe(
          toHex(x25519PublicOf(publicKeyOf(s))),
        );
      }),
      runs,
    );
  });

  it('x25519PublicOf is the birational map u = (1 + y) / (1 - y) mod p', () => {
    const p = 2n ** 255n - 19n;
    const pow = (b: bigint, e: bigint): bigint => {
      let r = 1n;
      for (b %= p; e > 0n; e >>= 1n, b = (b * b) % p) if (e & 1n) r = (r * b) % p;
      return r;
    };
    fc.assert(
      fc.property(seed32, (s) => {
        const pub = publicKeyOf(s);
        const y = bytesToNumberLE(pub) & ((1n << 255n) - 1n);
        const u = ((1n + y) * pow((1n - y + p) % p, p - 2n)) % p;
        expect(bytesToNumberLE(x25519PublicOf(pub))).toBe(u);
      }),
      runs,
    );
  });

  it('two identities agree on their Diffie-Hellman secret', () => {
    fc.assert(
      fc.property(seed32, seed32, (a, b) => {
        const alice = identityFromSecret(a);
        const bob = identityFromSecret(b);
        const fromAlice = x25519.getSharedSecret(
          x25519SecretOf(alice.secretKey),
          x25519PublicOf(bob.publicKey),
        );
        const fromBob = x25519.getSharedSecret(
          x25519SecretOf(bob.secretKey),
          x25519PublicOf(alice.publicKey),
        );
        expect(toHex(fromAlice)).toBe(toHex(fromBob));
      }),
      runs,
    );
  });

  it('refuses an Ed25519 public key that is not a curve point', () => {
    const offCurve = new Uint8Array(32);
    offCurve[0] = 2; // y = 2 has no x on the curve
    expect(() => ed25519.Point.fromBytes(offCurve)).toThrow();
    expect(() => x25519PublicOf(offCurve)).toThrow(/not a valid Ed25519 public key/);
    expect(() => x25519PublicOf(new Uint8Array(31))).toThrow(/32 bytes/);
    expect(() => x25519SecretOf(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
