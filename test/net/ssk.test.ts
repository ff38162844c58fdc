// Sustainable Symmetric Keys between real peers over WebRTC: A shares a key with B on the
// ledger, they exchange encrypted messages and a file off-chain, A resets the key, and they
// keep talking. C, in the same network, sees the ledger entries but can read none of it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import { identity } from '../helpers/network.ts';
import {
  createCluster,
  eventually,
  waitForConvergence,
  type Cluster,
  type PeerProcess,
} from './cluster.ts';

const [alice, bob, carol] = ['ssk-net-alice', 'ssk-net-bob', 'ssk-net-carol'].map((n) =>
  identity(n),
) as [ReturnType<typeof identity>, ReturnType<typeof identity>, ReturnType<typeof identity>];
let cluster: Cluster;
let a: PeerProcess;
let b: PeerProcess;
let c: PeerProcess;

beforeAll(async () => {
  cluster = await createCluster({
    founder: alice,
    witnesses: [alice],
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
      [carol, 1000n],
    ],
  });
  a = await cluster.spawnPeer('alice', alice);
  b = await cluster.spawnPeer('bob', bob, { relays: [a.started.relayUrl!] });
  c = await cluster.spawnPeer('carol', carol, { relays: [a.started.relayUrl!] });
  await waitForConvergence(cluster.peers, 30_000, (s) => s.every((x) => x.transactions !== null));
}, 60_000);

afterAll(async () => cluster?.close(), 30_000);

describe('SSK between real peers', () => {
  it('establishes a key on the ledger, then carries messages, a file and a private memo', async () => {
    const shared = await a.call<{ epoch: number }>('sskShare', { to: bob.key });
    expect(shared.epoch).toBe(1);
    await waitForConvergence(cluster.peers, 30_000);
    expect(await b.call('sskCurrent', { with: alice.key })).toMatchObject({ epoch: 1 });
    // Carol sees the share on the ledger, but cannot open it.
    expect(await c.call('canOpen', { a: alice.key, b: bob.key })).toBe(false);

    await a.call('msgSend', { to: bob.key, text: 'hello Bob, this is private' });
    const texts = await eventually(
      () => b.call<Array<{ text: string }>>('msgRead', { with: alice.key }),
      (t) => t.length >= 1,
    );
    expect(texts.map((t) => t.text)).toEqual(['hello Bob, this is private']);
    await b.call('msgSend', { to: alice.key, text: 'got it' });
    await eventually(
      () => a.call<unknown[]>('msgRead', { with: bob.key }),
      (t) => t.length >= 2,
    );

    const file = new Uint8Array(randomBytes(300_000));
    const id = await a.call<string>('fileSend', {
      to: bob.key,
      name: 'plan.pdf',
      hex: toHex(file),
    });
    const files = await eventually(
      () =>
        b.call<Array<{ id: string; complete: boolean; hex: string | null }>>('fileList', {
          with: alice.key,
        }),
      (f) => f.some((x) => x.id === id && x.complete),
    );
    expect(files.find((f) => f.id === id)?.hex).toBe(toHex(file));
    // Bob's peer reported progress while the file arrived.
    expect(
      b.events.some(
        (e) => e.type === 'channel' && (e.event as { type: string }).type === 'file-progress',
      ),
    ).toBe(true);

    const memoTx = await a.call<string>('transferPrivate', {
      to: bob.key,
      amount: '5',
      memo: 'for the plan',
    });
    await waitForConvergence(cluster.peers, 30_000);
    expect(await b.call('readMemo', { id: memoTx })).toBe('for the plan');
    expect(await c.call('readMemo', { id: memoTx })).toBeNull();
  }, 120_000);

  it('keeps communicating after a reset, reading old and new messages', async () => {
    const reset = await b.call<{ epoch: number }>('sskShare', { to: alice.key });
    expect(reset.epoch).toBe(2);
    await waitForConvergence(cluster.peers, 30_000);
    expect(await a.call('sskCurrent', { with: bob.key })).toMatchObject({ epoch: 2 });
    await a.call('msgSend', { to: bob.key, text: 'after the reset' });
    const texts = await eventually(
      () => b.call<Array<{ text: string; epoch: number }>>('msgRead', { with: alice.key }),
      (t) => t.some((x) => x.text === 'after the reset'),
    );
    expect(texts.find((t) => t.text === 'after the reset')?.epoch).toBe(2);
    expect(texts.find((t) => t.text === 'hello Bob, this is private')?.epoch).toBe(1);
    // Carol still reads nothing: she has no channel with either of them.
    expect(await c.call('sskCurrent', { with: alice.key })).toBeNull();
  }, 120_000);
});
