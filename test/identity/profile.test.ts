// The profile transaction (docs/profiles.md): its strict body with one clear sentence per bad
// input, through the real admission path; no money moved; the latest profile of an identity
// wins, over its own chain and its devices' chains; a revoked device's profile stops counting.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import { admitTx } from '../../shared/tx/registry.ts';
import type { CborValue } from '../../shared/codec/cbor.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { nextPosition } from '../../shared/ledger/ledger.ts';
import {
  avatarTypeOf,
  latestProfile,
  MAX_AVATAR_BYTES,
  profileSchema,
} from '../../shared/identity/profile.ts';
import { composeProfile, type ProfileInput } from '../../shared/wallet/profile.ts';
import { addDevice, revokeTx } from '../helpers/devices.ts';
import {
  finalizeAll,
  identity,
  newLedger,
  registry,
  sign,
  verifier,
  type TestIdentity,
} from '../helpers/network.ts';

const alice = identity('alice');
const phone = identity('alice phone');
const w1 = identity('w1');

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
const WEBP = Uint8Array.from([0x52, 0x49, 0x46, 0x46, 4, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0]);

const network = () => newLedger({ witnesses: [w1], allocations: [[alice, 100n]], founder: w1 });

/** Signs a profile with any body, bypassing the composer's checks. */
function rawProfile(ledger: Ledger, who: TestIdentity, body: CborValue, time = 1): UnsignedTx {
  const position = nextPosition(ledger, who.key);
  if ('code' in position) throw new Error(position.message);
  return { net: ledger.networkId, ...position, deps: [], type: 'profile', body, time };
}

async function setProfile(
  ledger: Ledger,
  who: TestIdentity,
  input: ProfileInput,
  time = 1,
): Promise<string> {
  const composed = composeProfile(ledger, who.key, input, time);
  if (!composed.ok) throw new Error(composed.rejection.message);
  const tx = await sign(who, composed.tx);
  expect(ledger.insert(tx).status).toBe('accepted');
  return tx.id;
}

const problemOf = (body: unknown): string | null => {
  const parsed = v.safeParse(profileSchema, body);
  return parsed.success ? null : (parsed.issues[0]?.message ?? '');
};

describe('the profile body', () => {
  it('takes a name with an optional avatar, note and showBalance', () => {
    expect(problemOf({ name: 'Ana' })).toBeNull();
    expect(problemOf({ name: 'Ana Lopez', note: 'ask at the desk\nmornings' })).toBeNull();
    for (const avatar of [PNG, JPEG, WEBP]) expect(problemOf({ name: 'Ana', avatar })).toBeNull();
    expect(problemOf({ name: '山田 太郎', showBalance: true })).toBeNull();
    expect(problemOf({ name: 'x'.repeat(48) })).toBeNull();
    expect(problemOf({ name: '😀'.repeat(48) })).toBeNull();
  });

  const bad: ReadonlyArray<readonly [string, unknown, RegExp]> = [
    ['no name', {}, /needs a display name/],
    ['an empty name', { name: '' }, /must not be empty/],
    ['a name of 49 characters', { name: 'x'.repeat(49) }, /at most 48 characters, not 49/],
    ['a name that is not text', { name: 7 }, /display name must be text/],
    ['a leading space', { name: ' Ana' }, /start or end with a space/],
    ['a trailing space', { name: 'Ana ' }, /start or end with a space/],
    ['two spaces', { name: 'Ana  Lopez' }, /two spaces in a row/],
    ['a no-break space', { name: 'Ana\u00a0Lopez' }, /plain spaces only, not U\+00A0/],
    ['a zero-width space', { name: 'A\u200bna' }, /invisible or control character \(U\+200B\)/],
    ['a bidi override', { name: 'Ana\u202egnp.exe' }, /U\+202E/],
    ['a control character', { name: 'Ana\u0007' }, /U\+0007/],
    ['a Hangul filler', { name: '\u3164' }, /U\+3164/],
    ['a line break in a name', { name: 'Ana\nLopez' }, /U\+000A/],
    ['an unknown field', { name: 'Ana', role: 'admin' }, /only name, avatar, note and showBalance/],
    ['a body that is not a map', 'Ana', /must be a map/],
    ['an avatar that is text', { name: 'Ana', avatar: 'png' }, /avatar must be a byte string/],
    [
      'an avatar that is no image',
      { name: 'Ana', avatar: Uint8Array.of(1, 2, 3) },
      /PNG, JPEG or WebP/,
    ],
    [
      'an avatar over 16 KiB',
      { name: 'Ana', avatar: Uint8Array.from([...PNG, ...new Uint8Array(MAX_AVATAR_BYTES)]) },
      /at most 16 KiB/,
    ],
    ['a note of 281 characters', { name: 'Ana', note: 'n'.repeat(281) }, /at most 280 characters/],
    ['a note with a bidi isolate', { name: 'Ana', note: 'call \u2066me' }, /U\+2066/],
    ['showBalance that is not a boolean', { name: 'Ana', showBalance: 1 }, /true or false/],
  ];

  it.each(bad)('refuses %s with a clear sentence', (_what, body, message) => {
    expect(problemOf(body)).toMatch(message);
  });

  it.each(bad)('refuses %s on the admission path too', async (_what, body, message) => {
    const ledger = await network();
    const bytes = signTx(alice.secret, rawProfile(ledger, alice, body as CborValue));
    const result = await admitTx(bytes, registry, verifier);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.message).toMatch(message);
  });

  it('tells the image type by its first bytes', () => {
    expect(avatarTypeOf(PNG)).toBe('image/png');
    expect(avatarTypeOf(JPEG)).toBe('image/jpeg');
    expect(avatarTypeOf(WEBP)).toBe('image/webp');
    expect(avatarTypeOf(Uint8Array.of(0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x41, 0x56, 0x49))).toBe(
      null,
    );
  });
});

describe('composing a profile', () => {
  it('tidies what was typed: NFKC, one space, none at the ends', async () => {
    const ledger = await network();
    const composed = composeProfile(ledger, alice.key, { name: '  Ｊｏ \u00a0 Ann ' }, 1);
    expect(composed.ok && composed.tx.body).toEqual({ name: 'Jo Ann' });
  });

  it('refuses before signing, with the same sentences', async () => {
    const ledger = await network();
    const refused = (input: ProfileInput) => {
      const composed = composeProfile(ledger, alice.key, input, 1);
      return composed.ok ? null : composed.rejection.message;
    };
    expect(refused({ name: '   ' })).toMatch(/must not be empty/);
    expect(refused({ name: 'A\u200bna' })).toMatch(/U\+200B/);
    expect(refused({ name: 'Ana', avatar: Uint8Array.of(1) })).toMatch(/PNG, JPEG or WebP/);
    expect(refused({ name: 'Ana', note: 'n'.repeat(300) })).toMatch(/at most 280/);
  });
});

describe('which profile counts', () => {
  it('moves no money', async () => {
    const ledger = await network();
    const root = ledger.account(alice.key);
    await setProfile(ledger, alice, { name: 'Ana', showBalance: true });
    expect(ledger.account(alice.key)).toEqual(root);
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('is the latest on the chain: the highest seq wins, whatever its claimed time', async () => {
    const ledger = await network();
    await setProfile(ledger, alice, { name: 'Ana' }, 500);
    const second = await setProfile(ledger, alice, { name: 'Ana Lopez', note: 'hi' }, 100);
    const profile = latestProfile(ledger, alice.key);
    expect(profile?.id).toBe(second);
    expect(profile?.body).toEqual({ name: 'Ana Lopez', note: 'hi' });
  });

  it('counts a device chain for its identity, the later one across chains winning', async () => {
    const ledger = await network();
    await finalizeAll(ledger, [w1]);
    await setProfile(ledger, alice, { name: 'Ana' }, 10);
    expect((await addDevice(ledger, alice, phone)).status).toBe('accepted');
    const fromPhone = await setProfile(ledger, phone, { name: 'Ana on the go' }, 20);
    expect(latestProfile(ledger, alice.key)?.id).toBe(fromPhone);
    expect(latestProfile(ledger, phone.key)?.chain).toBe(phone.key);
    const again = await setProfile(ledger, alice, { name: 'Ana at home' }, 30);
    expect(latestProfile(ledger, phone.key)?.id).toBe(again);
  });

  it('stops counting a device once a revocation of it is final', async () => {
    const ledger = await network();
    await finalizeAll(ledger, [w1]);
    await setProfile(ledger, alice, { name: 'Ana' }, 10);
    await addDevice(ledger, alice, phone);
    await setProfile(ledger, phone, { name: 'Not Ana' }, 20);
    await finalizeAll(ledger, [w1]);
    expect(latestProfile(ledger, alice.key)?.body.name).toBe('Not Ana');
    const revocation = await revokeTx(ledger, {
      account: alice,
      target: phone.key,
      to: alice.key,
      by: alice,
      author: identity('one-time'),
    });
    expect(ledger.insert(revocation).status).toBe('accepted');
    await finalizeAll(ledger, [w1]);
    expect(latestProfile(ledger, alice.key)?.body.name).toBe('Ana');
  });

  it('is none for an identity that never signed one', async () => {
    expect(latestProfile(await network(), alice.key)).toBeNull();
  });
});
