// The ledger's Ed25519 verdict must not depend on the backend a peer runs. This corpus pins
// the verdict on published vectors and on adversarial cases, and checks every backend gives it.
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../../node/crypto/nodeEd25519.ts';
import { webCryptoBackend } from '../../renderer/platform/webCryptoEd25519.ts';
import { concat, fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import {
  checkStrictEncoding,
  createVerifier,
  nobleBackend,
  publicKeyOf,
  signMessage,
  type Ed25519Backend,
  type StrictRejection,
} from '../../shared/crypto/ed25519.ts';
import rfc8032 from '../vectors/rfc8032-ed25519.json' with { type: 'json' };
import speccheck from '../vectors/ed25519-speccheck-cases.json' with { type: 'json' };

const backends: readonly Ed25519Backend[] = [nobleBackend, nodeBackend, webCryptoBackend];
const verifiers = backends.map((backend) => ({ name: backend.name, ...createVerifier(backend) }));

/** Every backend's verdict through createVerifier; the test then demands they are all `want`. */
async function verdicts(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): Promise<boolean[]> {
  return Promise.all(verifiers.map((v) => v.verify(sig, msg, pub)));
}

async function expectVerdict(
  sig: Uint8Array,
  msg: Uint8Array,
  pub: Uint8Array,
  want: boolean,
): Promise<void> {
  const got = await verdicts(sig, msg, pub);
  expect(Object.fromEntries(verifiers.map((v, i) => [v.name, got[i]]))).toEqual(
    Object.fromEntries(verifiers.map((v) => [v.name, want])),
  );
}

const { Point } = ed25519;
const Fn = Point.Fn;
const L = Fn.ORDER;
const scalarOf = (bytes: Uint8Array): bigint => Fn.create(bytesToNumberLE(sha512(bytes)));
const leBytes32 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};

describe('RFC 8032 section 7.1 vectors', () => {
  it.each(rfc8032.map((v, i) => ({ ...v, name: `TEST ${i + 1}` })))('$name', async (v) => {
    const priv = fromHex(v.priv);
    const msg = fromHex(v.msg);
    expect(toHex(publicKeyOf(priv))).toBe(v.pub);
    expect(toHex(signMessage(priv, msg))).toBe(v.sig);
    await expectVerdict(fromHex(v.sig), msg, fromHex(v.pub), true);
    // ...and the same signature on another message is refused everywhere.
    await expectVerdict(fromHex(v.sig), concat(msg, utf8('!')), fromHex(v.pub), false);
  });

  it('refuses secret keys that are not 32-byte seeds', () => {
    expect(() => publicKeyOf(new Uint8Array(31))).toThrow(/32 bytes, got 31/);
    expect(() => signMessage(new Uint8Array(64), new Uint8Array())).toThrow(/32 bytes, got 64/);
  });
});

// The 12 cases of novifinancial/ed25519-speccheck ("Taming the many EdDSAs"), in file order.
// `reason` is what checkStrictEncoding says (null: it passes on to the cofactorless equation).
const SPECCHECK_VERDICTS: readonly {
  accept: boolean;
  reason: StrictRejection | null;
  why: string;
}[] = [
  { accept: false, reason: 'small-order-key', why: 'A and R small order, S = 0: A is refused' },
  { accept: false, reason: 'small-order-key', why: 'small-order A (mixed-order R): A is refused' },
  { accept: false, reason: 'small-order-r', why: 'small-order R (mixed-order A): R is refused' },
  { accept: true, reason: null, why: 'mixed-order A and R, holds cofactorless: valid' },
  { accept: false, reason: null, why: 'mixed-order A and R, holds only cofactored: invalid' },
  { accept: false, reason: null, why: 'holds cofactored, or cofactorless with unreduced k' },
  { accept: false, reason: 's-out-of-range', why: 'L <= S < 2^253: top-bits-only checks miss it' },
  { accept: false, reason: 's-out-of-range', why: 'S >= 2^253 (S >> L)' },
  { accept: false, reason: 'non-canonical-r', why: 'R = "negative zero" (0,-1), k from reduced R' },
  { accept: false, reason: 'non-canonical-r', why: 'R = "negative zero" (0,-1), k from raw R' },
  { accept: false, reason: 'non-canonical-key', why: 'A = "negative zero" (0,-1), reduced A' },
  { accept: false, reason: 'non-canonical-key', why: 'A = "negative zero" (0,-1), raw A' },
];

describe('ed25519-speccheck cases: one pinned verdict for every backend', () => {
  it('pins a verdict for every published case', () => {
    expect(SPECCHECK_VERDICTS).toHaveLength(speccheck.length);
  });

  it.each(speccheck.map((c, i) => ({ ...c, ...SPECCHECK_VERDICTS[i], index: i })))(
    'case $index: $why',
    async (c) => {
      const sig = fromHex(c.signature);
      const pub = fromHex(c.pub_key);
      expect(checkStrictEncoding(sig, pub)).toBe(c.reason);
      await expectVerdict(sig, fromHex(c.message), pub, c.accept === true);
    },
  );
});

describe('checkStrictEncoding', () => {
  const seed = new Uint8Array(32).fill(7);
  const pub = publicKeyOf(seed);
  const sig = signMessage(seed, utf8('strict'));
  const withR = (r: Uint8Array) => concat(r, sig.subarray(32));
  const withS = (s: Uint8Array) => concat(sig.subarray(0, 32), s);

  it('passes an honest signature', () => {
    expect(checkStrictEncoding(sig, pub)).toBeNull();
  });

  it('refuses wrong lengths', () => {
    expect(checkStrictEncoding(sig.subarray(1), pub)).toBe('bad-length');
    expect(checkStrictEncoding(concat(sig, new Uint8Array(1)), pub)).toBe('bad-length');
    expect(checkStrictEncoding(sig, pub.subarray(1))).toBe('bad-length');
  });

  it('refuses every small-order point as A or R (cross-checked with @noble/curves)', () => {
    expect(ED25519_TORSION_SUBGROUP).toHaveLength(8);
    for (const hex of ED25519_TORSION_SUBGROUP) {
      expect(Point.fromHex(hex).isSmallOrder()).toBe(true);
      expect(checkStrictEncoding(sig, fromHex(hex))).toBe('small-order-key');
      expect(checkStrictEncoding(withR(fromHex(hex)), pub)).toBe('small-order-r');
    }
  });

  it('refuses every encoding of y >= p, with either sign bit, and both "negative zeros"', () => {
    const p = 2n ** 255n - 19n;
    const bad: Uint8Array[] = [];
    for (let y = p; y < 2n ** 255n; y++) {
      bad.push(leBytes32(y), leBytes32(y | (1n << 255n)));
    }
    bad.push(leBytes32(1n | (1n << 255n)), leBytes32(p - 1n + (1n << 255n)));
    expect(bad).toHaveLength(40);
    for (const enc of bad) {
      expect(checkStrictEncoding(sig, enc)).toBe('non-canonical-key');
      expect(checkStrictEncoding(withR(enc), pub)).toBe('non-canonical-r');
    }
  });

  it('passes the canonical encodings next to the boundary', () => {
    // Not necessarily on the curve: decoding is the backends' job, not this byte check's.
    for (const y of [2n ** 255n - 21n, 2n ** 255n - 22n, 2n, 0xedn]) {
      for (const enc of [leBytes32(y), leBytes32(y | (1n << 255n))]) {
        expect(checkStrictEncoding(sig, enc)).toBeNull();
        expect(checkStrictEncoding(withR(enc), pub)).toBeNull();
      }
    }
  });

  it('compares S with the full group order, not just its top bits', () => {
    expect(checkStrictEncoding(withS(leBytes32(L - 1n)), pub)).toBeNull();
    expect(checkStrictEncoding(withS(leBytes32(0n)), pub)).toBeNull();
    for (const s of [L, L + 1n, 2n ** 253n - 1n, 2n ** 256n - 1n]) {
      expect(checkStrictEncoding(withS(leBytes32(s)), pub)).toBe('s-out-of-range');
    }
  });
});

describe('generated adversarial cases', () => {
  const seed = fromHex('a1'.repeat(32));
  const a = ed25519.utils.getExtendedPublicKey(seed).scalar;
  const T = Point.fromHex(ED25519_TORSION_SUBGROUP[1] as string); // a point of order 8
  const r = scalarOf(utf8('adversarial nonce'));

  /** R = rB + T with S = r + k·a computed honestly: valid cofactored, invalid cofactorless. */
  function mixedOrderR(msg: Uint8Array): { sig: Uint8Array; pub: Uint8Array } {
    const pub = publicKeyOf(seed);
    const R = Point.BASE.multiply(r).add(T).toBytes();
    const k = scalarOf(concat(R, pub, msg));
    return { sig: concat(R, Fn.toBytes(Fn.create(r + k * a))), pub };
  }

  /** A = aB + T, honest R = rB and S = r + k·a; cofactorless holds only when [k]T = 0. */
  function mixedOrderA(msg: Uint8Array): { sig: Uint8Array; pub: Uint8Array; k: bigint } {
    const pub = Point.BASE.multiply(a).add(T).toBytes();
    const R = Point.BASE.multiply(r).toBytes();
    const k = scalarOf(concat(R, pub, msg));
    return { sig: concat(R, Fn.toBytes(Fn.create(r + k * a))), pub, k };
  }

  /** The first message `label-i` whose mixed-order-A challenge k satisfies `want`. */
  function findMixedA(label: string, want: (k: bigint) => boolean) {
    for (let i = 0; ; i++) {
      const msg = utf8(`${label}-${i}`);
      const c = mixedOrderA(msg);
      if (want(c.k)) return { ...c, msg };
    }
  }

  it('mixed-order R: every backend refuses what a cofactored verifier accepts', async () => {
    const msg = utf8('mixed-order R');
    const { sig, pub } = mixedOrderR(msg);
    expect(ed25519.verify(sig, msg, pub)).toBe(true); // cofactored (ZIP-215) verification
    expect(checkStrictEncoding(sig, pub)).toBeNull(); // so the equation itself must refuse it
    await expectVerdict(sig, msg, pub, false);
  });

  it("nobleBackend is cofactorless: it refuses what noble's default verify accepts", async () => {
    // If nobleBackend regressed to ed25519.verify, this is the case that would show it.
    const msg = utf8('regression guard');
    const { sig, pub } = mixedOrderR(msg);
    expect(ed25519.verify(sig, msg, pub)).toBe(true);
    expect(await nobleBackend.verify(sig, msg, pub)).toBe(false);
  });

  it('mixed-order A with [k]T != 0: refused everywhere, though cofactored accepts', async () => {
    const { sig, pub, msg } = findMixedA('mixed A', (k) => k % 8n !== 0n);
    expect(ed25519.verify(sig, msg, pub)).toBe(true);
    expect(checkStrictEncoding(sig, pub)).toBeNull();
    await expectVerdict(sig, msg, pub, false);
  });

  it('mixed-order A with [k]T = 0: the cofactorless equation holds, accepted everywhere', async () => {
    const { sig, pub, msg } = findMixedA('mixed A', (k) => k % 8n === 0n);
    await expectVerdict(sig, msg, pub, true);
  });

  it('non-canonical S (S + L) is refused everywhere, though the equation still holds', async () => {
    const msg = utf8('malleable');
    const sig = signMessage(seed, msg);
    const pub = publicKeyOf(seed);
    const malleated = concat(sig.subarray(0, 32), leBytes32(bytesToNumberLE(sig.subarray(32)) + L));
    expect(checkStrictEncoding(malleated, pub)).toBe('s-out-of-range');
    await expectVerdict(malleated, msg, pub, false);
  });

  it('A or R that is not on the curve is refused by every backend without throwing', async () => {
    const msg = utf8('off curve');
    const sig = signMessage(seed, msg);
    const pub = publicKeyOf(seed);
    // y = 2 is canonical, but (y^2 - 1)/(d y^2 + 1) is not a square mod p: no such point.
    const offCurve = leBytes32(2n);
    expect(() => Point.fromBytes(offCurve)).toThrow();
    for (const backend of backends) {
      await expect(backend.verify(sig, msg, offCurve)).resolves.toBe(false);
      await expect(backend.verify(concat(offCurve, sig.subarray(32)), msg, pub)).resolves.toBe(
        false,
      );
    }
    await expectVerdict(sig, msg, offCurve, false);
  });

  const runs = { seed: 0x6e0e, numRuns: 40 };
  const seed32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const message = fc.uint8Array({ maxLength: 200 });

  it('random valid signatures are accepted everywhere', async () => {
    await fc.assert(
      fc.asyncProperty(seed32, message, async (s, msg) => {
        await expectVerdict(signMessage(s, msg), msg, publicKeyOf(s), true);
      }),
      runs,
    );
  });

  it('a flipped bit in the signature, key or message is refused everywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        seed32,
        message,
        fc.nat(64 * 8 - 1),
        fc.nat(32 * 8 - 1),
        async (s, msg, sigBit, keyBit) => {
          const sig = signMessage(s, msg);
          const pub = publicKeyOf(s);
          const flip = (bytes: Uint8Array, bit: number) => {
            const out = Uint8Array.from(bytes);
            out[bit >> 3] = (out[bit >> 3] as number) ^ (1 << (bit & 7));
            return out;
          };
          await expectVerdict(flip(sig, sigBit), msg, pub, false);
          await expectVerdict(sig, msg, flip(pub, keyBit), false);
          if (msg.length > 0) {
            await expectVerdict(sig, flip(msg, sigBit % (msg.length * 8)), pub, false);
          }
        },
      ),
      runs,
    );
  });

  it('random bytes as signature and key: every backend gives the same verdict (false)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        seed32,
        message,
        async (sig, pub, msg) => {
          await expectVerdict(sig, msg, pub, false);
        },
      ),
      runs,
    );
  });
});

describe('wrong-type input', () => {
  const seed = new Uint8Array(32).fill(3);
  const msg = utf8('typed');
  const sig = signMessage(seed, msg);
  const pub = publicKeyOf(seed);
  const junk: unknown[] = [
    undefined,
    null,
    42,
    'not bytes',
    toHex(sig),
    [...sig],
    {},
    new Uint16Array(32),
    new Uint8Array(0),
    new Uint8Array(63),
  ];

  it('returns false and never throws, whichever argument is wrong', async () => {
    for (const v of verifiers) {
      await expect(v.verify(sig, msg, pub)).resolves.toBe(true);
      for (const j of junk) {
        const bad = j as Uint8Array;
        await expect(v.verify(bad, msg, pub)).resolves.toBe(false);
        await expect(v.verify(sig, bad, pub)).resolves.toBe(false);
        await expect(v.verify(sig, msg, bad)).resolves.toBe(false);
      }
    }
  });

  it('a backend that throws is treated as a refusal', async () => {
    const throwing = createVerifier({
      name: 'throws',
      verify: () => Promise.reject(new Error('boom')),
    });
    await expect(throwing.verify(sig, msg, pub)).resolves.toBe(false);
  });

  it('the backend sees the bytes the strict check saw, even if the caller mutates them', async () => {
    let seen: Uint8Array | undefined;
    const spy = createVerifier({
      name: 'spy',
      verify: async (s) => {
        await Promise.resolve();
        seen = s;
        return true;
      },
    });
    const mine = Uint8Array.from(sig);
    const pending = spy.verify(mine, msg, pub);
    mine.fill(0);
    await pending;
    expect(seen && toHex(seen)).toBe(toHex(sig));
  });
});
