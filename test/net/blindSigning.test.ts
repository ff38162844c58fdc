// Issue 13, findings 2 and 3: a peer that lost part of its own history must not sign before it
// has learned its chain's latest position. Before the fix, a witness whose log was damaged (a
// byte changed mid-file, or its last 10 bytes cut) signed votes at positions it had already
// used, froze itself, and the network stopped finalizing; a member who restored an older
// backup and paid offline froze their own account. Real peers, real WebRTC on 127.0.0.1.
import { cp, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TxId } from '../../shared/ids.ts';
import { identity } from '../helpers/network.ts';
import {
  createCluster,
  eventually,
  waitForConvergence,
  type Cluster,
  type PeerProcess,
} from './cluster.ts';

const [witness, alice, bob] = ['witness', 'alice', 'bob'].map((n) => identity(`blind-${n}`)) as [
  ReturnType<typeof identity>,
  ReturnType<typeof identity>,
  ReturnType<typeof identity>,
];
let cluster: Cluster;
const live = new Map<string, PeerProcess>();

const allFinal = (s: Array<{ transactions: { pending: number } | null }>) =>
  s.every((x) => x.transactions !== null && x.transactions.pending === 0);
const peers = (): PeerProcess[] => [...live.values()];
const dirOf = (name: string): string => join(cluster.dir, name === 'witness' ? 'founder' : name);
const relayOf = (name: string): string => live.get(name)!.started.relayUrl!;

async function restart(name: string, who: typeof alice, relays: string[]): Promise<PeerProcess> {
  const peer = await cluster.spawnPeer(`${name}-${Date.now()}`, who, {
    dataDir: dirOf(name),
    relays,
  });
  live.set(name, peer);
  return peer;
}

async function payAndFinalize(from: string, to: typeof alice, amount: string): Promise<TxId> {
  const id = await live.get(from)!.call<TxId>('transfer', { to: to.key, amount });
  await waitForConvergence(peers(), 60_000, allFinal);
  return id;
}

async function expectNoEquivocation(): Promise<void> {
  for (const peer of peers()) expect(await peer.call<unknown[]>('equivocations')).toEqual([]);
}

const hasEvent = (peer: PeerProcess, pattern: RegExp): boolean =>
  peer.events.some((e) => e.type === 'warning' && pattern.test(String(e.message)));

beforeAll(async () => {
  cluster = await createCluster({
    founder: witness,
    witnesses: [witness],
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
    ],
  });
  live.set('witness', await cluster.spawnPeer('witness', witness));
  live.set('alice', await cluster.spawnPeer('alice', alice, { relays: [relayOf('witness')] }));
  live.set('bob', await cluster.spawnPeer('bob', bob, { relays: [relayOf('witness')] }));
  await waitForConvergence(peers(), 30_000, (s) => s.every((x) => x.transactions !== null));
  await payAndFinalize('alice', bob, '10');
}, 90_000);

afterAll(async () => cluster?.close(), 30_000);

describe('a witness whose log was damaged', () => {
  for (const damage of ['a byte changed in the middle', 'its last 10 bytes cut']) {
    it(`with ${damage}, learns its head from the network before voting again`, async () => {
      const before = await live.get('witness')!.call<{ seq: number }>('head', { key: witness.key });
      await live.get('witness')!.stop();
      live.delete('witness');
      const log = join(dirOf('witness'), 'ledger.log');
      const { size } = await stat(log);
      const file = await open(log, 'r+');
      if (damage.startsWith('a byte')) {
        const at = Math.floor(size / 2);
        const byte = Buffer.alloc(1);
        await file.read(byte, 0, 1, at);
        await file.write(Buffer.of(byte[0]! ^ 0xff), 0, 1, at);
      } else {
        await file.truncate(size - 10);
      }
      await file.close();
      // Back with the members' relays (theirs are the only ones left in common with bob).
      const back = await restart('witness', witness, [relayOf('alice'), relayOf('bob')]);
      expect(hasEvent(back, /will not sign yet/)).toBe(true);
      await back.waitFor(
        () => hasEvent(back, /learned the latest position/),
        30_000,
        'learning its head',
      );
      await payAndFinalize('bob', alice, '3');
      await expectNoEquivocation();
      const after = await back.call<{ seq: number }>('head', { key: witness.key });
      expect(after.seq).toBeGreaterThan(before.seq);
    }, 120_000);
  }
});

describe('a member who restores an older backup', () => {
  it('cannot pay from it offline, and pays normally once it has synced', async () => {
    const backup = join(cluster.dir, 'alice-backup');
    const start = BigInt(
      (await live.get('alice')!.call<{ balance: string }>('balance', { key: alice.key })).balance,
    );
    await live.get('alice')!.stop();
    await cp(dirOf('alice'), backup, { recursive: true });
    live.set('alice', await restart('alice', alice, [relayOf('witness')]));
    await payAndFinalize('alice', bob, '20');
    await payAndFinalize('alice', bob, '30');
    await live.get('alice')!.stop();
    await rm(dirOf('alice'), { recursive: true });
    await cp(backup, dirOf('alice'), { recursive: true });
    // Offline: no relay of the others. The backup's chain is behind what the network holds.
    const restored = await restart('alice', alice, []);
    await expect(restored.call('transfer', { to: bob.key, amount: '5' })).rejects.toThrow(
      /will not sign yet: its ledger log is not the file it last wrote \(restored from a backup/,
    );
    await restored.call('setRelays', { relays: [relayOf('witness')] });
    await restored.waitFor(
      () => hasEvent(restored, /learned the latest position/),
      30_000,
      'learning its head',
    );
    await payAndFinalize('alice', bob, '5');
    await expectNoEquivocation();
    const expected = String(start - 20n - 30n - 5n);
    const balance = await eventually(
      () => restored.call<{ balance: string }>('balance', { key: alice.key }),
      (a) => a.balance === expected,
    );
    expect(balance.balance).toBe(expected);
  }, 120_000);
});
