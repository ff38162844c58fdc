// Offline work, crashes, and a partition with a double spend, among five real peers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { identity } from '../helpers/network.ts';
import { createCluster, waitForConvergence, type Cluster, type PeerProcess } from './cluster.ts';

const people = Array.from({ length: 5 }, (_, i) => identity(`resilience-${i}`));
const cheater = identity('resilience-cheater');
const witnesses = people.slice(0, 4);
let cluster: Cluster;
let live: PeerProcess[];

beforeAll(async () => {
  cluster = await createCluster({
    founder: people[0]!,
    witnesses,
    allocations: [...people.map((p) => [p, 1000n] as const), [cheater, 500n] as const],
  });
  const founder = await cluster.spawnPeer('peer-0', people[0]);
  for (let i = 1; i < people.length; i++) {
    await cluster.spawnPeer(`peer-${i}`, people[i], { relays: [founder.started.relayUrl!] });
  }
  live = [...cluster.peers];
  await waitForConvergence(live, 30_000, (s) => s.every((x) => x.transactions !== null));
}, 60_000);

afterAll(async () => cluster?.close(), 30_000);

const allFinal = (s: Array<{ transactions: { pending: number } | null }>) =>
  s.every((x) => x.transactions !== null && x.transactions.pending === 0);

describe('offline-first', () => {
  it('a peer transacts while disconnected, reconnects, and everything converges', async () => {
    const [p0, , , , p4] = live as [
      PeerProcess,
      PeerProcess,
      PeerProcess,
      PeerProcess,
      PeerProcess,
    ];
    await p4.call('offline');
    const offlineTx = await p4.call<TxId>('transfer', { to: people[0]!.key, amount: '25' });
    const onlineTx = await p0.call<TxId>('transfer', { to: people[4]!.key, amount: '30' });
    // While apart, neither has the other's payment.
    expect((await p0.call<{ state: string }>('statusOf', { id: offlineTx })).state).toBe('unknown');
    await p4.call('online');
    await waitForConvergence(live, 60_000, allFinal);
    for (const peer of live) {
      expect((await peer.call<{ state: string }>('statusOf', { id: offlineTx })).state).toBe(
        'final',
      );
      expect((await peer.call<{ state: string }>('statusOf', { id: onlineTx })).state).toBe(
        'final',
      );
    }
  }, 90_000);
});

describe('crash safety', () => {
  it('loses no acknowledged transaction when a peer is SIGKILLed during a burst', async () => {
    const victim = live[1]!;
    const acked: TxId[] = [];
    const burst = (async () => {
      for (let i = 0; i < 200; i++) {
        acked.push(await victim.call<TxId>('transfer', { to: people[2]!.key, amount: '1' }));
      }
    })().catch(() => undefined); // the kill interrupts it
    await victim.waitFor(() => acked.length >= 15, 30_000, '15 acknowledged transfers');
    await victim.kill('SIGKILL');
    await burst;
    const restarted = await cluster.spawnPeer('peer-1-restarted', people[1], {
      dataDir: victim.dataDir,
      relays: [live[0]!.started.relayUrl!],
    });
    for (const id of acked) {
      expect((await restarted.call<{ state: string }>('statusOf', { id })).state).not.toBe(
        'unknown',
      );
    }
    live[1] = restarted;
    await waitForConvergence(live, 60_000, allFinal);
  }, 120_000);
});

describe('partition and heal', () => {
  it('detects a double spend made in both halves everywhere, and never finalizes both', async () => {
    const relays = live.map((p) => p.started.relayUrl!);
    const groupA = live.slice(0, 3); // three of the four witnesses: can finalize
    const groupB = live.slice(3); // one witness: cannot
    await Promise.all(groupA.map((p) => p.call('setRelays', { relays: [relays[0]] })));
    await Promise.all(groupB.map((p) => p.call('setRelays', { relays: [relays[3]] })));

    // The cheater signs two payments of the same funds, one for each half.
    const spend = (to: string) =>
      toHex(
        signTx(cheater.secret, {
          net: cluster.genesis.id,
          seq: 0,
          prev: null,
          deps: [],
          type: 'transfer',
          body: { to: fromHex(to), amount: 400n },
          time: 1,
        }),
      );
    const inA = await groupA[0]!.call<TxId>('import', { hex: spend(people[1]!.key) });
    const inB = await groupB[0]!.call<TxId>('import', { hex: spend(people[4]!.key) });
    // Honest traffic continues on both sides.
    await groupA[1]!.call('transfer', { to: people[0]!.key, amount: '5' });
    await groupB[1]!.call('transfer', { to: people[3]!.key, amount: '7' });
    await waitForConvergence(groupA, 60_000, allFinal);
    await waitForConvergence(groupB, 60_000);
    expect(await groupA[0]!.call('isFinal', { id: inA })).toBe(true);
    expect(await groupB[0]!.call('isFinal', { id: inB })).toBe(false);

    // Heal.
    await Promise.all(live.map((p) => p.call('setRelays', { relays })));
    await waitForConvergence(live, 90_000, allFinal);
    for (const peer of live) {
      const evidence = await peer.call<Array<{ author: string; ids: string[] }>>('equivocations');
      expect(evidence).toEqual([{ author: cheater.key, seq: 0, ids: [inA, inB].sort() }]);
      expect(await peer.call('isFinal', { id: inA })).toBe(true);
      expect(await peer.call('isFinal', { id: inB })).toBe(false);
      const view = await peer.call<{ frozen: boolean; balance: string }>('balance', {
        key: cheater.key,
      });
      expect(view).toMatchObject({ frozen: true, balance: '100' });
    }
  }, 240_000);
});
