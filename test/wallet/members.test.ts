// The member directory (shared/wallet/members.ts, docs/profiles.md): who is listed, names with a
// suffix whenever two could be taken for each other, roles, devices, last seen, and the balance
// only where the member's profile allows it.
import { describe, expect, it } from 'vitest';
import type { CborValue } from '../../shared/codec/cbor.ts';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { composeAction } from '../../shared/wallet/dnecCompose.ts';
import { members, suffixes, type Member } from '../../shared/wallet/members.ts';
import { composeProfile, type ProfileInput } from '../../shared/wallet/profile.ts';
import { addDevice } from '../helpers/devices.ts';
import {
  finalizeAll,
  identity,
  newLedger,
  sign,
  transfer,
  type TestIdentity,
} from '../helpers/network.ts';

const w1 = identity('w1');
const ana = identity('ana');
const mallory = identity('mallory');
const bob = identity('bob');
const carol = identity('carol');
const anaPhone = identity('ana phone');

async function act(
  ledger: Ledger,
  who: TestIdentity,
  type: string,
  body: Record<string, CborValue>,
  debit = 0n,
): Promise<void> {
  const composed = composeAction(ledger, who.key, type, body, { time: 50, debit });
  if (!composed.ok) throw new Error(composed.rejection.message);
  expect(ledger.insert(await sign(who, composed.tx)).status).toBe('accepted');
}

async function profile(ledger: Ledger, who: TestIdentity, input: ProfileInput, time = 10) {
  const composed = composeProfile(ledger, who.key, input, time);
  if (!composed.ok) throw new Error(composed.rejection.message);
  expect(ledger.insert(await sign(who, composed.tx)).status).toBe('accepted');
}

async function directory(): Promise<{ ledger: Ledger; rows: Map<KeyHex, Member> }> {
  const ledger = await newLedger({
    founder: w1,
    witnesses: [w1],
    allocations: [
      [ana, 100n],
      [bob, 200n],
      [carol, 300n],
    ],
  });
  await profile(ledger, ana, { name: 'Ana', note: 'desk 4', showBalance: true }, 10);
  await profile(ledger, mallory, { name: 'Аna' }, 11); // a Cyrillic А
  await profile(ledger, carol, { name: 'Carol' }, 12);
  await transfer(ledger, bob, carol, 5n);
  await act(ledger, carol, 'offer', { service: 'pow', capacity: 10n, rate: 1n });
  await act(ledger, bob, 'bond', { amount: 50n }, 50n);
  await finalizeAll(ledger, [w1]);
  await addDevice(ledger, ana, anaPhone, { name: 'phone' });
  return { ledger, rows: new Map(members(ledger).map((m) => [m.key, m])) };
}

describe('the member directory', () => {
  it('lists every identity with a chain, a profile, an allocation, or a witness', async () => {
    const { rows } = await directory();
    expect([...rows.keys()].sort()).toEqual(
      [w1, ana, mallory, bob, carol].map((who) => who.key).sort(),
    );
    // A device is listed under its identity, not as a member of its own.
    expect(rows.has(anaPhone.key)).toBe(false);
  });

  it('gives look-alike names a suffix of the key on every one of them', async () => {
    const { rows } = await directory();
    const real = rows.get(ana.key) as Member;
    const fake = rows.get(mallory.key) as Member;
    expect(real.suffix).toBe(ana.key.slice(0, 4));
    expect(real.label).toBe(`Ana · ${ana.key.slice(0, 4)}`);
    expect(fake.label).toBe(`Аna · ${mallory.key.slice(0, 4)}`);
    expect(fake.mixedScript).toBe(true);
    expect(rows.get(carol.key)?.label).toBe('Carol');
    expect(rows.get(carol.key)?.suffix).toBeNull();
  });

  it('names a member without a profile by its short address', async () => {
    const { rows } = await directory();
    const row = rows.get(bob.key) as Member;
    expect(row.name).toBeNull();
    expect(row.label).toMatch(/^gpow1.{8}….{6}$/);
  });

  it('shows roles, devices and when each was last seen', async () => {
    const { rows } = await directory();
    expect(rows.get(w1.key)?.roles).toEqual(['witness']);
    expect(rows.get(bob.key)?.roles).toEqual(['validator']);
    expect(rows.get(carol.key)?.roles).toEqual(['provider']);
    expect(rows.get(ana.key)?.devices).toEqual([
      { key: anaPhone.key, name: 'phone', revoked: false },
    ]);
    expect(rows.get(ana.key)?.lastSeen).toBe(10);
    expect(rows.get(carol.key)?.lastSeen).toBe(50);
  });

  it('shows the balance only where the profile allows it', async () => {
    const { rows } = await directory();
    expect(rows.get(ana.key)?.balance).toBe(100n);
    expect(rows.get(carol.key)?.balance).toBeNull();
    expect(rows.get(bob.key)?.balance).toBeNull();
    expect(rows.get(ana.key)?.note).toBe('desk 4');
  });

  it('keeps up with the ledger after the first call', async () => {
    const { ledger } = await directory();
    const dave = identity('dave');
    await profile(ledger, dave, { name: 'carol' }, 70);
    const rows = new Map(members(ledger).map((m) => [m.key, m]));
    expect(rows.get(dave.key)?.suffix).toBe(dave.key.slice(0, 4));
    expect(rows.get(carol.key)?.suffix).toBe(carol.key.slice(0, 4));
  });
});

describe('suffixes', () => {
  it('grow past 4 characters when two keys in a group share them', () => {
    const a = `abcd1${'0'.repeat(59)}` as KeyHex;
    const b = `abcd2${'0'.repeat(59)}` as KeyHex;
    const out = suffixes([
      { key: a, name: 'Ana' },
      { key: b, name: 'ANA' },
    ]);
    expect(out.get(a)).toBe('abcd1');
    expect(out.get(b)).toBe('abcd2');
  });
});
