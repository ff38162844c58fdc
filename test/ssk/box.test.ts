// The sealed key box: it opens for its recipient only, in its own context only, and every
// malformed or altered box is refused with a sentence, never an exception.
import { x25519 } from '@noble/curves/ed25519.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, fromHex, toHex, utf8 } from '../../shared/bytes.ts';
import { encodeCanonical, type CborValue } from '../../shared/codec/cbor.ts';
import { x25519PublicOf } from '../../shared/identity/keys.ts';
import {
  generateKey,
  inspectBox,
  openKey,
  sealKey,
  SSK_BOX_MAX_BYTES,
  type BoxContext,
  type SskMeta,
} from '../../shared/ssk/box.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import {
  A,
  B,
  bitFlips,
  C,
  junkInputs,
  network,
  otherNetwork,
  rewrite,
  secretA,
  secretB,
  secretC,
} from './parties.ts';

const NOT_FOR_US =
  'cannot open: not addressed to this identity, or the box or its context was altered';

const meta: SskMeta = {
  epoch: 1,
  alg: 1,
  created: 1_700_000_000_000,
  expires: 1_731_536_000_000,
  purpose: 'chat',
};
const toB: BoxContext = { network, sender: A, recipient: B, epoch: 1 };
const selfA: BoxContext = { network, sender: A, recipient: A, epoch: 1 };
const key = fromHex('5a'.repeat(32));

function sealed(ctx: BoxContext = toB, m: SskMeta = meta, label = 'box'): Uint8Array {
  return sealKey(key, m, ctx, deterministicRandom(label));
}

function expectRefused(result: ReturnType<typeof openKey>, error: string | RegExp): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatch(error);
}

/**
 * Builds a box by hand from the format in shared/ssk/box.ts, with any contents: the way to make
 * boxes sealKey refuses to make (unknown algorithm, wrong epoch, extra keys).
 */
function craftBox(contents: CborValue, ctx: BoxContext, version: CborValue = 1): Uint8Array {
  const random = deterministicRandom('craft');
  const eph = random.bytes(32);
  const nonce = random.bytes(24);
  const recipientX = x25519PublicOf(ctx.recipient);
  const epk = x25519.getPublicKey(eph);
  const shared = x25519.scalarMult(eph, recipientX);
  const aeadKey = hkdf(sha256, shared, concat(epk, recipientX), utf8('GPoW/ssk-box/v1'), 32);
  const ad = encodeCanonical({
    d: 'GPoW/ssk-box/v1',
    net: ctx.network,
    from: ctx.sender,
    to: ctx.recipient,
    epoch: ctx.epoch,
    epk,
  });
  const ct = xchacha20poly1305(aeadKey, nonce, ad).encrypt(encodeCanonical(contents));
  return encodeCanonical({ v: version, epk, nonce, ct });
}

const metaMap = (changes: Record<string, CborValue | undefined> = {}): CborValue => {
  const out: Record<string, CborValue> = {};
  for (const [k, v] of Object.entries({ ...meta, ...changes })) if (v !== undefined) out[k] = v;
  return out;
};

describe('sealKey and openKey', () => {
  it('round-trips the key and its metadata for the recipient', () => {
    const opened = openKey(sealed(), secretB, toB);
    expect(opened).toEqual({ ok: true, key, meta });
  });

  it("opens A's self-copy with A's own secret", () => {
    const opened = openKey(sealed(selfA), secretA, selfA);
    expect(opened).toEqual({ ok: true, key, meta });
  });

  it('leaves out an absent expiry, and keeps non-ASCII purposes intact', () => {
    const m: SskMeta = { epoch: 2, alg: 1, created: 0, purpose: 'Dateiübertragung ✓ 🔑' };
    const ctx = { ...toB, epoch: 2 };
    const opened = openKey(sealKey(key, m, ctx, deterministicRandom('m')), secretB, ctx);
    expect(opened).toEqual({ ok: true, key, meta: m });
    if (opened.ok) expect('expires' in opened.meta).toBe(false);
  });

  it('uses fresh randomness: two seals of the same key differ', () => {
    const one = sealKey(key, meta, toB, deterministicRandom('one'));
    const two = sealKey(key, meta, toB, deterministicRandom('two'));
    expect(toHex(one)).not.toBe(toHex(two));
    expect(openKey(one, secretB, toB).ok).toBe(true);
    expect(openKey(two, secretB, toB).ok).toBe(true);
  });

  it('returns a key the caller may wipe without changing the next open', () => {
    const box = sealed();
    const first = openKey(box, secretB, toB);
    if (!first.ok) throw new Error(first.error);
    first.key.fill(0);
    expect(openKey(box, secretB, toB)).toEqual({ ok: true, key, meta });
  });

  it('fits the ssk transaction even with the longest purpose in 4-byte characters', () => {
    const longest: SskMeta = {
      ...meta,
      created: Number.MAX_SAFE_INTEGER,
      expires: Number.MAX_SAFE_INTEGER,
      epoch: 2 ** 32 - 1,
      purpose: '🔑'.repeat(64),
    };
    const ctx = { ...toB, epoch: longest.epoch };
    const box = sealKey(key, longest, ctx, deterministicRandom('long'));
    expect(box.length).toBeLessThanOrEqual(SSK_BOX_MAX_BYTES);
    expect(openKey(box, secretB, ctx)).toEqual({ ok: true, key, meta: longest });
  });

  it('generateKey draws 32 bytes from the random port', () => {
    expect(toHex(generateKey(deterministicRandom('k')))).toBe(
      toHex(deterministicRandom('k').bytes(32)),
    );
  });
});

describe('only the recipient, in the sealed context, can open', () => {
  const box = sealed();

  it('refuses a third identity that claims to be the recipient', () => {
    expectRefused(openKey(box, secretC, { ...toB, recipient: C }), NOT_FOR_US);
  });

  it('refuses a secret that does not belong to the recipient in the context', () => {
    expectRefused(openKey(box, secretC, toB), /secret key given is not the key of the recipient/);
  });

  it('refuses the sender itself: the box is sealed to B, not to A', () => {
    expectRefused(openKey(box, secretA, { ...toB, recipient: A }), NOT_FOR_US);
  });

  it("refuses B opening A's self-copy", () => {
    expectRefused(openKey(sealed(selfA), secretB, { ...selfA, recipient: B }), NOT_FOR_US);
  });

  it.each([
    ['another network', { ...toB, network: otherNetwork }],
    ['another epoch', { ...toB, epoch: 2 }],
    ['another sender (the box moved to the pair C, B)', { ...toB, sender: C }],
    ['the self-copy context', { ...toB, sender: B }],
  ])('refuses %s', (_name, ctx) => {
    expectRefused(openKey(box, secretB, ctx), NOT_FOR_US);
  });

  it('refuses sender and recipient swapped', () => {
    expectRefused(openKey(box, secretA, { ...toB, sender: B, recipient: A }), NOT_FOR_US);
  });

  it('refuses a box sealed to C moved into a transaction to B', () => {
    const toC = { ...toB, recipient: C };
    const moved = sealed(toC);
    expect(openKey(moved, secretC, toC).ok).toBe(true);
    expectRefused(openKey(moved, secretB, toB), NOT_FOR_US);
  });

  it('refuses every single-bit change of the box', () => {
    let count = 0;
    for (const [i, altered] of bitFlips(box)) {
      const result = openKey(altered, secretB, toB);
      expect(result.ok, `byte ${i}`).toBe(false);
      count++;
    }
    expect(count).toBe(box.length * 2);
  });
});

describe('versions, algorithms and metadata', () => {
  it('opens a box built by hand from the written format (the test builder is right)', () => {
    const box = craftBox({ k: key, m: metaMap() }, toB);
    expect(openKey(box, secretB, toB)).toEqual({ ok: true, key, meta });
  });

  it('refuses an unknown box version as unsupported, not as malformed', () => {
    const box = rewrite(sealed(), (m) => (m['v'] = 2));
    expectRefused(
      openKey(box, secretB, toB),
      'unsupported SSK box version 2 (this peer opens version 1)',
    );
    expectRefused(
      openKey(
        rewrite(sealed(), (m) => delete m['v']),
        secretB,
        toB,
      ),
      /version undefined/,
    );
  });

  it('refuses an unknown algorithm', () => {
    const box = craftBox({ k: key, m: metaMap({ alg: 2 }) }, toB);
    expectRefused(openKey(box, secretB, toB), /^unsupported key algorithm 2 /);
  });

  it('refuses metadata whose epoch differs from the context it was sealed in', () => {
    const box = craftBox({ k: key, m: metaMap({ epoch: 2 }) }, toB);
    expectRefused(openKey(box, secretB, toB), /names epoch 2, but the box was sealed for epoch 1/);
  });

  it.each<[string, CborValue, RegExp]>([
    ['an extra top-level key', { k: key, m: metaMap(), x: 1 }, /sealed key is malformed/],
    ['a missing key', { m: metaMap() }, /sealed key is malformed/],
    ['a short key', { k: key.subarray(1), m: metaMap() }, /sealed key is malformed/],
    ['metadata that is not a map', { k: key, m: 'chat' }, /unsupported key algorithm undefined/],
    ['an extra metadata key', { k: key, m: metaMap({ x: 1 }) }, /metadata is malformed/],
    ['an empty purpose', { k: key, m: metaMap({ purpose: '' }) }, /metadata is malformed/],
    ['a 65-character purpose', { k: key, m: metaMap({ purpose: 'p'.repeat(65) }) }, /malformed/],
    ['a negative creation time', { k: key, m: metaMap({ created: -1 }) }, /malformed/],
    ['an expiry that is a string', { k: key, m: metaMap({ expires: 'soon' }) }, /malformed/],
    ['epoch 0', { k: key, m: metaMap({ epoch: 0 }) }, /metadata is malformed/],
    ['contents that are not a map', [key], /sealed key is malformed/],
  ])('refuses sealed contents with %s', (_name, contents, error) => {
    expectRefused(openKey(craftBox(contents, toB), secretB, toB), error);
  });

  it('refuses non-canonical sealed contents', () => {
    // {k, m} written with m first: the right data, but not in canonical key order.
    const random = deterministicRandom('craft');
    const eph = random.bytes(32);
    const nonce = random.bytes(24);
    const recipientX = x25519PublicOf(B);
    const epk = x25519.getPublicKey(eph);
    const aeadKey = hkdf(
      sha256,
      x25519.scalarMult(eph, recipientX),
      concat(epk, recipientX),
      utf8('GPoW/ssk-box/v1'),
      32,
    );
    const ad = encodeCanonical({
      d: 'GPoW/ssk-box/v1',
      net: network,
      from: A,
      to: B,
      epoch: 1,
      epk,
    });
    const m = encodeCanonical(metaMap());
    const k = encodeCanonical(key);
    const plaintext = concat(Uint8Array.of(0xa2, 0x61, 0x6d), m, Uint8Array.of(0x61, 0x6b), k);
    const ct = xchacha20poly1305(aeadKey, nonce, ad).encrypt(plaintext);
    const box = encodeCanonical({ v: 1, epk, nonce, ct });
    expectRefused(openKey(box, secretB, toB), /sealed key is malformed: map keys are not sorted/);
  });
});

describe('malformed boxes and arguments never throw', () => {
  it.each(junkInputs.map((input, i) => [i, input]))('junk input #%i', (_i, input) => {
    const result = openKey(input, secretB, toB);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.length).toBeGreaterThan(10);
  });

  it('refuses every truncation of a box', () => {
    const box = sealed();
    for (let n = 0; n < box.length; n++) {
      expect(openKey(box.subarray(0, n), secretB, toB).ok, `length ${n}`).toBe(false);
    }
  });

  it('refuses trailing bytes after the box', () => {
    expectRefused(openKey(concat(sealed(), Uint8Array.of(0)), secretB, toB), /malformed SSK box/);
  });

  it.each<[string, (m: Record<string, CborValue>) => void, RegExp]>([
    ['an extra key', (m) => (m['x'] = 1), /malformed SSK box: .*x/],
    [
      'an epk of 31 bytes',
      (m) => (m['epk'] = new Uint8Array(31)),
      /epk: expected exactly 32 bytes/,
    ],
    ['an epk that is a string', (m) => (m['epk'] = 'key'), /epk: expected a byte string/],
    ['a nonce of 12 bytes', (m) => (m['nonce'] = new Uint8Array(12)), /nonce: expected exactly 24/],
    ['a ciphertext of 16 bytes', (m) => (m['ct'] = new Uint8Array(16)), /ct: too short/],
    ['no ciphertext', (m) => delete m['ct'], /malformed SSK box: ct/],
    ['a version that is a string', (m) => (m['v'] = '1'), /unsupported SSK box version 1/],
  ])('refuses a box with %s', (_name, change, error) => {
    expectRefused(openKey(rewrite(sealed(), change), secretB, toB), error);
  });

  it.each([
    ['all zeros', new Uint8Array(32)],
    ['u = 1', fromHex(`01${'00'.repeat(31)}`)],
    [
      'an order-8 point',
      fromHex('e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800'),
    ],
  ])('refuses an ephemeral key of small order: %s', (_name, epk) => {
    const box = rewrite(sealed(), (m) => (m['epk'] = epk));
    expectRefused(openKey(box, secretB, toB), /ephemeral key is of small order/);
  });

  it('refuses bad arguments with a sentence', () => {
    const box = sealed();
    expectRefused(openKey(box, secretB.subarray(1), toB), /recipient secret key must be 32 bytes/);
    expectRefused(openKey(box, 'secret' as unknown as Uint8Array, toB), /32 bytes/);
    expectRefused(
      openKey(box, secretB, { ...toB, network: new Uint8Array(3) }),
      /invalid box context/,
    );
    expectRefused(openKey(box, secretB, { ...toB, epoch: 0 }), /invalid box context/);
    expectRefused(openKey(box, secretB, null as unknown as BoxContext), /invalid box context/);
  });

  it('refuses a context whose recipient is not a curve point, without throwing', () => {
    // y = 2 has no x on edwards25519. No secret has it as its public key, so the check that the
    // secret belongs to the recipient refuses it before the key is ever converted to X25519.
    const notAPoint = fromHex(`02${'00'.repeat(31)}`);
    expectRefused(
      openKey(sealed(), secretB, { ...toB, recipient: notAPoint }),
      /secret key given is not the key of the recipient/,
    );
  });

  it('inspectBox checks the outer structure without opening', () => {
    const box = sealed();
    const shape = inspectBox(box);
    expect(shape.ok).toBe(true);
    if (shape.ok) {
      expect(shape.epk.length).toBe(32);
      expect(shape.nonce.length).toBe(24);
    }
    expect(inspectBox(box.subarray(1)).ok).toBe(false);
    expect(inspectBox(new Uint8Array(SSK_BOX_MAX_BYTES + 1)).ok).toBe(false);
  });
});

describe('sealKey refuses to seal what could not be opened', () => {
  const random = deterministicRandom('refuse');

  it.each([
    ['a 31-byte key', key.subarray(1), meta, toB, /symmetric key must be 32 bytes/],
    ['an unknown algorithm', key, { ...meta, alg: 2 as 1 }, toB, /unsupported key algorithm/],
    ['an empty purpose', key, { ...meta, purpose: '' }, toB, /purpose must be 1 to 64/],
    ['a 65-character purpose', key, { ...meta, purpose: 'x'.repeat(65) }, toB, /1 to 64/],
    ['a lone surrogate', key, { ...meta, purpose: 'a\ud800' }, toB, /well-formed/],
    ['epoch 2^32', key, { ...meta, epoch: 2 ** 32 }, { ...toB, epoch: 2 ** 32 }, /below 2\^32/],
    ['a fractional time', key, { ...meta, created: 1.5 }, toB, /integer/],
    [
      'mismatched epochs',
      key,
      meta,
      { ...toB, epoch: 2 },
      /names epoch 1 but the context is epoch 2/,
    ],
    ['a short network id', key, meta, { ...toB, network: new Uint8Array(31) }, /network/],
  ])('%s', (_name, k, m, ctx, error) => {
    expect(() => sealKey(k, m, ctx, random)).toThrow(error);
  });

  it('refuses an extra metadata field', () => {
    const extra = { ...meta, note: 'x' } as SskMeta;
    expect(() => sealKey(key, extra, toB, random)).toThrow(/invalid SSK metadata/);
  });

  it.each([
    [
      'identity (0, -1), order 2',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    ],
    ['an order-4 point', '0000000000000000000000000000000000000000000000000000000000000000'],
    ['an order-8 point', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
    ['another order-8 point', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
  ])('refuses a small-order recipient: %s', (_name, hex) => {
    expect(() => sealKey(key, meta, { ...toB, recipient: fromHex(hex) }, random)).toThrow(
      /small order/,
    );
  });

  it.each([
    ['the identity point, which has no Montgomery form', `01${'00'.repeat(31)}`],
    ['y = 2, which is not on the curve', `02${'00'.repeat(31)}`],
  ])('refuses a recipient that is %s', (_name, hex) => {
    expect(() => sealKey(key, meta, { ...toB, recipient: fromHex(hex) }, random)).toThrow(
      /not a valid Ed25519 public key/,
    );
  });

  it('refuses a random port that returns too few bytes', () => {
    const short = { bytes: (n: number) => new Uint8Array(n - 1) };
    expect(() => sealKey(key, meta, toB, short)).toThrow(/wrong number of bytes/);
  });
});

describe('properties', () => {
  const runs = { seed: 0x55534b42, numRuns: 40 };
  const metaArb = fc.record(
    {
      epoch: fc.integer({ min: 1, max: 2 ** 32 - 1 }),
      alg: fc.constant(1 as const),
      created: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      expires: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      purpose: fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
    },
    { requiredKeys: ['epoch', 'alg', 'created', 'purpose'] },
  );

  it('every key and metadata round-trips for the recipient, and for nobody else', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        metaArb,
        fc.string(),
        (k, m, label) => {
          const ctx = { network, sender: A, recipient: B, epoch: m.epoch };
          const box = sealKey(k, m, ctx, deterministicRandom(label));
          expect(box.length).toBeLessThanOrEqual(SSK_BOX_MAX_BYTES);
          expect(openKey(box, secretB, ctx)).toEqual({ ok: true, key: k, meta: m });
          expect(openKey(box, secretC, { ...ctx, recipient: C }).ok).toBe(false);
        },
      ),
      runs,
    );
  });
});
