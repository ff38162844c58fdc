// Fuzzing the profile transaction (docs/profiles.md) on the whole intake path: canonical decoding,
// the body schema, the signature and the ledger, then the directory that shows what got in.
// Byte-level mutations of real profiles, and hostile bodies signed by a real author (names full
// of invisible, bidi, look-alike and oversized text; avatars of any bytes): nothing may throw,
// a mutation is never admitted, whatever is admitted keeps every limit of the rule, moves no
// money, and the directory lists it with an idempotent skeleton.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../shared/bytes.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import { skeleton } from '../../shared/identity/displayName.ts';
import { avatarTypeOf, MAX_AVATAR_BYTES } from '../../shared/identity/profile.ts';
import { nextPosition, type Ledger } from '../../shared/ledger/ledger.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { admitTx, type VerifiedTx } from '../../shared/tx/registry.ts';
import { members } from '../../shared/wallet/members.ts';
import { composeProfile } from '../../shared/wallet/profile.ts';
import { identity, newLedger, registry, sign, verifier } from '../helpers/network.ts';
import { mutate, mutationArb } from './fixtures.ts';
import { fuzzParameters, runs } from './harness.ts';

const ana = identity('fuzz ana');
const w1 = identity('fuzz w1');
let target: Ledger;
let corpus: VerifiedTx[] = [];
const seen = { cases: 0, admitted: 0 };

beforeAll(async () => {
  target = await newLedger({ founder: w1, witnesses: [w1], allocations: [[ana, 10n]] });
  const inputs = [
    { name: 'Ana' },
    { name: 'Ana Lopez', note: 'desk 4', showBalance: true },
    { name: 'Ana', avatar: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 1, 2) },
  ];
  for (const [i, input] of inputs.entries()) {
    const composed = composeProfile(target, ana.key, input, i);
    if (!composed.ok) throw new Error(composed.rejection.message);
    const tx = await sign(ana, composed.tx);
    target.insert(tx);
    corpus.push(tx);
  }
  corpus = [...corpus];
});

/** Characters that make names hostile, mixed with ordinary ones. */
const HOSTILE = [
  ...'aAоОoO0iIl1 ＡＢ山😀ﷺ',
  ' ',
  '  ',
  '\u0000',
  '\n',
  '\u00a0',
  '\u00ad',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2066',
  '\u3164',
  '\ufeff',
  '\ue000',
  '\ufffe',
  '\u{e0041}',
  '\u0301',
  '\ud800',
];
const text = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: max + 4 }),
    fc.string({ unit: 'grapheme', maxLength: max + 4 }),
    fc.array(fc.constantFrom(...HOSTILE), { maxLength: max + 4 }).map((p) => p.join('')),
  );
const avatar = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc
    .uint8Array({ maxLength: 64 })
    .map((b) => Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...b])),
  fc.constant(new Uint8Array(MAX_AVATAR_BYTES + 1).fill(0xff)),
);
const bodyArb: fc.Arbitrary<CborValue> = fc.oneof(
  fc.record(
    {
      name: text(48),
      note: text(280),
      avatar,
      showBalance: fc.oneof(fc.boolean(), fc.constant(1)),
    },
    { requiredKeys: ['name'] },
  ) as fc.Arbitrary<CborValue>,
  fc.record({
    name: fc.oneof(fc.integer(), fc.constant(null)),
    extra: fc.string(),
  }) as fc.Arbitrary<CborValue>,
  fc.string(),
);

/** The limits an admitted profile keeps, checked without the rule's own code. */
function keepsTheLimits(body: { name: string; note?: string; avatar?: Uint8Array }): void {
  const chars = [...body.name];
  expect(chars.length).toBeGreaterThanOrEqual(1);
  expect(chars.length).toBeLessThanOrEqual(48);
  expect(body.name).not.toMatch(/^ | $| {2}|[\p{Cc}\p{Cf}\p{Co}\p{Cs}\u3164\u00a0]/u);
  if (body.note !== undefined) expect(body.note).not.toMatch(/[\p{Cf}\p{Co}\p{Cs}]/u);
  if (body.avatar !== undefined) {
    expect(body.avatar.length).toBeLessThanOrEqual(MAX_AVATAR_BYTES);
    expect(avatarTypeOf(body.avatar)).not.toBeNull();
  }
}

describe('fuzz: profiles', () => {
  it(`never admits a mutated profile (${runs(1500)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
        async (pick, mutations) => {
          const original = corpus[pick % corpus.length] as VerifiedTx;
          let bytes = original.bytes;
          for (const m of mutations) bytes = mutate(bytes, m);
          seen.cases++;
          const result = await admitTx(bytes, registry, verifier);
          if (result.ok && !bytesEqual(bytes, original.bytes))
            expect(target.insert(result.tx).status).not.toBe('accepted');
        },
      ),
      fuzzParameters(0x7072_0f01, 1500),
    );
  });

  it(`keeps every limit of what it admits, signed by a real author (${runs(1500)} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, async (body) => {
        seen.cases++;
        const position = nextPosition(target, ana.key);
        if ('code' in position) throw new Error(position.message);
        const bytes = signTx(ana.secret, {
          net: target.networkId,
          ...position,
          deps: [],
          type: 'profile',
          body,
          time: 7,
        });
        const result = await admitTx(bytes, registry, verifier);
        if (!result.ok) {
          expect(result.rejection.message).toMatch(/^profile body: ./);
          return;
        }
        seen.admitted++;
        keepsTheLimits(result.tx.body as { name: string });
        const before = target.account(ana.key);
        expect(target.insert(result.tx).status).toBe('accepted');
        expect(target.account(ana.key)).toEqual(before);
        const row = members(target).find((m) => m.key === ana.key);
        expect(row?.profile).toBe(result.tx.id);
        expect(skeleton(skeleton(row?.name ?? ''))).toBe(skeleton(row?.name ?? ''));
      }),
      fuzzParameters(0x7072_0f02, 1500),
    );
    expect(target.audit()).toEqual({ ok: true });
  });

  it('saw the cases it means to (not vacuous)', () => {
    expect(seen.cases).toBeGreaterThanOrEqual(runs(3000));
    expect(seen.admitted).toBeGreaterThan(runs(1500) / 50);
  });
});
