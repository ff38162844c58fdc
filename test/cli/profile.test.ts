// `gpow profile` and `gpow member list` through the real command (docs/profiles.md): two homes,
// a network that allocates to both, a profile signed offline and then one through the running
// peer's control socket, and the directory showing them. Bad input is refused with a sentence
// before any passphrase is asked for. Nothing here needs two peers to meet over WebRTC: that is
// the replication tests' part, and profiles travel like any other transaction.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliHarness } from '../net/cliHarness.ts';

const { gpow, json, run, stopAll } = cliHarness();
let dir = '';
let alice = '';
let aliceAddress = '';
let bobAddress = '';

interface Row {
  readonly address: string;
  readonly name: string | null;
  readonly label: string;
  readonly roles: readonly string[];
  readonly balance: string | null;
  readonly mixedScript: boolean;
  readonly lastSeen: number | null;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-profile-'));
  alice = join(dir, 'alice');
  const bob = join(dir, 'bob');
  aliceAddress = (
    await json<{ address: string }>(['--home', alice, 'identity', 'create', '--fast-kdf'])
  ).address;
  bobAddress = (
    await json<{ address: string }>(['--home', bob, 'identity', 'create', '--fast-kdf'])
  ).address;
  await json([
    '--home',
    alice,
    'network',
    'create',
    '--name',
    'Co-op',
    '--alloc',
    `${aliceAddress}=1000`,
    '--alloc',
    `${bobAddress}=50`,
  ]);
}, 60_000);

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

describe('gpow profile and gpow member', () => {
  it('refuses a bad profile with a sentence, and signs nothing', async () => {
    const blank = await gpow(['--home', alice, 'profile', 'set', '--name', '   ']);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toMatch(/a display name must not be empty/);
    const hidden = await gpow(['--home', alice, 'profile', 'set', '--name', 'Al\u200bice']);
    expect(hidden.stderr).toMatch(/invisible or control character \(U\+200B\)/);
    const notImage = join(dir, 'avatar.txt');
    await writeFile(notImage, 'not an image');
    const avatar = await gpow([
      '--home',
      alice,
      'profile',
      'set',
      '--name',
      'Alice',
      '--avatar',
      notImage,
    ]);
    expect(avatar.stderr).toMatch(/PNG, JPEG or WebP/);
    const members = await json<Row[]>(['--home', alice, 'member', 'list']);
    expect(members.every((m) => m.name === null)).toBe(true);
  });

  it('signs a profile offline, and lists it', async () => {
    const avatar = join(dir, 'avatar.png');
    await writeFile(avatar, PNG);
    const set = await json<{ id: string; name: string }>([
      '--home',
      alice,
      'profile',
      'set',
      '--name',
      ' Ａlice  Smith ',
      '--note',
      'desk 4',
      '--avatar',
      avatar,
      '--show-balance',
    ]);
    expect(set.name).toBe('Alice Smith');
    expect(set.id).toMatch(/^[0-9a-f]{64}$/);
    const shown = await json<Record<string, unknown>>(['--home', alice, 'profile', 'show']);
    expect(shown).toMatchObject({
      address: aliceAddress,
      name: 'Alice Smith',
      note: 'desk 4',
      showBalance: true,
      avatar: 'image/png',
      avatarBytes: PNG.length,
    });
    const rows = await json<Row[]>(['--home', alice, 'member', 'list']);
    const me = rows.find((m) => m.address === aliceAddress);
    expect(me).toMatchObject({ label: 'Alice Smith', roles: ['witness'], balance: '1000' });
    expect(rows.find((m) => m.address === bobAddress)).toMatchObject({ name: null, balance: null });
  });

  it('signs through the running peer, and the directory follows', async () => {
    await run(alice);
    const set = await json<{ id: string; name: string }>([
      '--home',
      alice,
      'profile',
      'set',
      '--name',
      'Alice',
    ]);
    expect(set.name).toBe('Alice');
    const rows = await json<Row[]>(['--home', alice, 'member', 'list']);
    expect(rows.map((m) => m.address).sort()).toEqual([aliceAddress, bobAddress].sort());
    // The later profile replaced the first: no note, and the balance is private again.
    expect(rows.find((m) => m.address === aliceAddress)).toMatchObject({
      name: 'Alice',
      label: 'Alice',
      balance: null,
    });
    const other = await json<{ name: string | null }>([
      '--home',
      alice,
      'profile',
      'show',
      bobAddress,
    ]);
    expect(other.name).toBeNull();
    const human = await gpow(['--home', alice, 'member', 'list']);
    expect(human.stdout).toContain('Alice');
    expect(human.stdout).toContain('roles witness');
  });
});
