// One identity on several machines (docs/protocol.md §12), through the real `gpow` command with
// one process per machine over real WebRTC on 127.0.0.1: Alice's original machine, a phone paired
// from a link, a laptop restored from her words while the others run, and Bob. Two devices pay
// at the same moment and while one is offline; a device is revoked. Every payment ends final or
// is refused with a sentence, every peer converges, nothing is frozen, and no money appears or
// disappears.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness, stop } from './cliHarness.ts';
import { eventually } from './cluster.ts';

const { gpow, json, run, stopAll, logs } = cliHarness();
let dir = '';

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

type Balance = {
  address: string;
  available: string;
  pending: string;
  balance: string;
  frozen: boolean;
  device?: string;
};
type Row = { status: string; amount: string; direction: string };
type DeviceRow = {
  name: string;
  address: string;
  holds: string;
  revoked: string | null;
  here: boolean;
};

describe('one identity on several devices', () => {
  it('pairs, pays from two devices at once and offline, restores from words, and revokes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-devices-'));
    const home = (name: string) => join(dir, name);
    const [alice, phone, laptop, bob] = ['alice', 'phone', 'laptop', 'bob'].map(home) as [
      string,
      string,
      string,
      string,
    ];
    const [created, b] = await Promise.all([
      json<{ address: string; mnemonic: string }>([
        '--home',
        alice,
        'identity',
        'create',
        '--fast-kdf',
      ]),
      json<{ address: string }>(['--home', bob, 'identity', 'create', '--fast-kdf']),
    ]);
    // Bob is the witness, so Alice's machines can come and go.
    await json([
      '--home',
      alice,
      'network',
      'create',
      '--name',
      'Devices',
      '--witness',
      b.address,
      '--alloc',
      `${created.address}=1000`,
    ]);
    const alicePeer = await run(alice);
    const { invitation } = await json<{ invitation: string }>(['--home', alice, 'invite']);
    await json(['--home', bob, 'join', invitation]);
    await run(bob);

    const balanceOf = (h: string) => json<Balance>(['--home', h, 'balance']).catch(() => null);
    const bobHas = (amount: string) =>
      eventually(
        () => json<Balance>(['--home', bob, 'balance', b.address]).catch(() => null),
        (v) => v?.available === amount && v.pending === '0',
        40_000,
      );

    // Pairing: a link from the original machine, opened in a fresh home; no words typed.
    const pairing = await json<{ link: string }>([
      '--home',
      alice,
      'device',
      'pair',
      '--name',
      'phone',
      '--allowance',
      '200',
    ]);
    const replayHome = home('replay');
    await json(['--home', phone, 'device', 'join', pairing.link, '--fast-kdf']);
    const phonePeer = await run(phone);
    // The original tops the phone up to its allowance.
    const topped = await eventually(
      () => balanceOf(phone),
      (v) => v?.device === '200' && v.pending === '0',
      40_000,
    );
    expect(topped).toMatchObject({ address: created.address, available: '1000', device: '200' });

    // Two devices pay at the same moment: both final, nothing frozen.
    const [fromAlice, fromPhone] = await Promise.all([
      json<{ id: string }>(['--home', alice, 'send', b.address, '100']),
      json<{ id: string }>(['--home', phone, 'send', b.address, '50']),
    ]);
    expect(fromAlice.id).not.toBe(fromPhone.id);
    expect(await bobHas('150')).toMatchObject({ available: '150' });

    // The phone goes offline and pays; the original pays meanwhile; the phone reconnects.
    await stop(phonePeer);
    const offline = await gpow(['--home', phone, 'send', b.address, '30']);
    expect(offline.code, offline.stderr).toBe(0);
    await json(['--home', alice, 'send', b.address, '20']);
    await run(phone);
    expect(await bobHas('200')).toMatchObject({ available: '200' });

    // A payment larger than what the phone holds is refused before signing, with where the rest is.
    const tooMuch = await gpow(['--home', phone, 'send', b.address, '500']);
    expect(tooMuch.code).toBe(1);
    expect(tooMuch.stderr).toMatch(
      /this device can spend \d+, not 500: your identity holds \d+ in all/,
    );

    // Restoring the words on a third machine while the others run makes it one more device.
    await json([
      '--home',
      laptop,
      'identity',
      'import',
      '--words',
      created.mnemonic,
      '--device-name',
      'laptop',
      '--allowance',
      '40',
      '--fast-kdf',
    ]);
    await json(['--home', laptop, 'join', invitation]);
    await run(laptop);
    const devices = await eventually(
      () => json<DeviceRow[]>(['--home', alice, 'device', 'list']).catch(() => []),
      (rows) => rows.some((r) => r.name === 'laptop'),
      40_000,
    );
    expect(devices.map((d) => d.name)).toEqual(['original device', 'phone', 'laptop']);
    // It set its own allowance when it certified itself (it holds the words); the original
    // tops it up, and again after it pays.
    const laptopHolds = (amount: string) =>
      eventually(
        () => balanceOf(laptop),
        (v) => v?.device === amount && v.pending === '0',
        40_000,
      );
    expect(await laptopHolds('40')).toMatchObject({ device: '40' });
    await json(['--home', laptop, 'send', b.address, '10']);
    expect(await bobHas('210')).toMatchObject({ available: '210' });
    expect(await laptopHolds('40')).toMatchObject({ device: '40' });

    // A replayed pairing link is refused in a fresh home once it has synced, and signs nothing.
    await json(['--home', replayHome, 'device', 'join', pairing.link, '--fast-kdf']);
    await run(replayHome);

    // Revoke the phone from the original: its holdings come back; it can no longer sign.
    const revoked = await json<{ id: string }>(['--home', alice, 'device', 'revoke', 'phone']);
    expect(revoked.id).toMatch(/^[0-9a-f]{64}$/);
    await eventually(
      () => json<DeviceRow[]>(['--home', phone, 'device', 'list']).catch(() => []),
      (rows) => rows.some((r) => r.name === 'phone' && r.revoked === 'final'),
      40_000,
    );
    const refused = await gpow(['--home', phone, 'send', b.address, '1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /this device was revoked: it can no longer sign for its identity/,
    );
    // Its running peer says so too, with where the money went.
    await eventually(
      () => Promise.resolve(logs.get(phone) ?? ''),
      (log) => log.includes('What it held went to the original device'),
      20_000,
    );
    expect(logs.get(phone)).toMatch(
      /this device was revoked: it can no longer sign for its identity\. What it held went to the original device/,
    );

    // Every peer agrees; money is conserved; nothing is frozen.
    const views = await Promise.all(
      [alice, phone, laptop, bob].map((h) =>
        json<Balance>(['--home', h, 'balance', created.address]),
      ),
    );
    for (const view of views)
      expect(view).toMatchObject({ available: '790', balance: '790', frozen: false });
    const roots = await eventually(
      async () =>
        Promise.all(
          [alice, phone, laptop, bob].map((h) =>
            json<{ stateRoot: string }>(['--home', h, 'status']).then((s) => s.stateRoot),
          ),
        ),
      (list) => new Set(list).size === 1,
      40_000,
    );
    expect(new Set(roots).size).toBe(1);
    const history = await json<Row[]>(['--home', alice, 'history']);
    expect(history.filter((r) => r.status !== 'final')).toEqual([]);
    const replayList = await json<DeviceRow[]>(['--home', replayHome, 'device', 'list']);
    expect(replayList.filter((r) => r.name === 'phone')).toHaveLength(1);
    expect(logs.get(replayHome)).toMatch(
      /this pairing link was already used by the device "phone"; nothing was signed/,
    );

    // The original machine is lost for good. Restoring the words on a new one and replacing the
    // original brings back everything it held, the revoked phone's holdings included.
    await stop(alicePeer);
    const replacement = home('replacement');
    await json([
      '--home',
      replacement,
      'identity',
      'import',
      '--words',
      created.mnemonic,
      '--device-name',
      'new laptop',
      '--fast-kdf',
    ]);
    // Alice's old invitation named her lost machine's relay: Bob invites her again.
    const again = await json<{ invitation: string }>(['--home', bob, 'invite']);
    await json(['--home', replacement, 'join', again.invitation]);
    await run(replacement);
    await eventually(
      () => json<DeviceRow[]>(['--home', replacement, 'device', 'list']).catch(() => []),
      (rows) => rows.some((r) => r.name === 'new laptop' && r.here),
      40_000,
    );
    await json(['--home', replacement, 'device', 'revoke', 'original']);
    const inherited = await eventually(
      () => balanceOf(replacement),
      (v) => v?.device === '750' && v.pending === '0',
      40_000,
    );
    // All but what the laptop holds (40).
    expect(inherited).toMatchObject({ available: '790', device: '750' });
    await json(['--home', replacement, 'send', b.address, '700']);
    expect(await bobHas('910')).toMatchObject({ available: '910' });
  }, 240_000);
});
