// Issue 13, finding 3, through the real `gpow` command: restoring an older backup of a home,
// paying offline, then running froze the account for good (the offline payment reused a chain
// position the network already held). Now the offline payment is refused with a sentence, and
// once the peer has synced the same payment goes through and nothing is frozen or stuck.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliHarness, stop } from './cliHarness.ts';
import { eventually } from './cluster.ts';

const { gpow, json, run, stopAll } = cliHarness();
let dir = '';

afterAll(async () => {
  await stopAll();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 20_000);

type Balance = { available: string; pending: string };

describe('a home restored from an older backup', () => {
  it('refuses to pay offline, then pays once synced, with nothing frozen', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gpow-restore-'));
    const [alice, bob, backup] = ['alice', 'bob', 'bob-backup'].map((n) => join(dir, n)) as [
      string,
      string,
      string,
    ];
    const create = (h: string) =>
      json<{ address: string }>(['--home', h, 'identity', 'create', '--fast-kdf']);
    const [a, b] = await Promise.all([create(alice), create(bob)]);
    await json([
      '--home',
      alice,
      'network',
      'create',
      '--name',
      'Restore',
      '--alloc',
      `${a.address}=1000`,
      '--alloc',
      `${b.address}=500`,
    ]);
    await run(alice);
    const { invitation } = await json<{ invitation: string }>(['--home', alice, 'invite']);
    await json(['--home', bob, 'join', invitation]);
    let bobPeer = await run(bob);
    const aliceGets = (amount: string) =>
      eventually(
        () => json<Balance>(['--home', alice, 'balance']).catch(() => null),
        (v) => v?.available === amount && v.pending === '0',
        30_000,
      );
    // Bob's peer must have the genesis before it can pay.
    await eventually(
      () => json<{ id: string }>(['--home', bob, 'send', a.address, '10']).catch(() => null),
      (v) => v !== null,
      30_000,
    );
    expect(await aliceGets('1010')).toMatchObject({ available: '1010' });
    await stop(bobPeer);
    await cp(bob, backup, { recursive: true });

    bobPeer = await run(bob);
    await json(['--home', bob, 'send', a.address, '20']);
    expect(await aliceGets('1030')).toMatchObject({ available: '1030' });
    await stop(bobPeer);

    // The backup goes back over the home, and Bob pays offline, as he would have.
    await rm(bob, { recursive: true });
    await cp(backup, bob, { recursive: true });
    const offline = await gpow(['--home', bob, 'send', a.address, '5']);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(
      /will not sign yet: its ledger log is not the file it last wrote \(restored from a backup, copied or moved\)/,
    );

    // Running, the peer learns its chain from Alice's; then the same payment goes through.
    await run(bob);
    const paid = await eventually(
      () => json<{ id: string }>(['--home', bob, 'send', a.address, '5']).catch(() => null),
      (v) => v !== null,
      30_000,
    );
    expect(paid?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(await aliceGets('1035')).toMatchObject({ available: '1035' });
    const bobNow = await eventually(
      () => json<Balance>(['--home', bob, 'balance']).catch(() => null),
      (v) => v?.available === '465' && v.pending === '0',
      30_000,
    );
    expect(bobNow).toMatchObject({ available: '465', pending: '0' });
    const status = await json<{ problems?: string[] }>(['--home', bob, 'status']);
    expect(status.problems ?? []).toEqual([]);
  }, 150_000);
});
