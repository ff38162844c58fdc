// Five real peers over WebRTC on 127.0.0.1, each a separate process, transacting concurrently.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identity } from '../helpers/network.ts';
import { createCluster, waitForConvergence, type Cluster } from './cluster.ts';

const people = Array.from({ length: 5 }, (_, i) => identity(`net-peer-${i}`));
const witnesses = people.slice(0, 4);
let cluster: Cluster;

beforeAll(async () => {
  cluster = await createCluster({
    founder: people[0]!,
    witnesses,
    allocations: people.map((p) => [p, 1000n] as const),
  });
  const founder = await cluster.spawnPeer('peer-0', people[0]);
  for (let i = 1; i < people.length; i++) {
    await cluster.spawnPeer(`peer-${i}`, people[i], { relays: [founder.started.relayUrl!] });
  }
}, 60_000);

afterAll(async () => cluster?.close(), 30_000);

describe('replication over real WebRTC', () => {
  it('five peers applying random transfers concurrently converge to one state root', async () => {
    const peers = cluster.peers;
    await waitForConvergence(peers, 30_000, (s) => s.every((x) => x.transactions !== null));
    // A seeded schedule: each peer pays random others, all peers at once.
    const plan = fc.sample(
      fc.array(fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 40 })), {
        minLength: 4,
        maxLength: 4,
      }),
      { seed: 2026, numRuns: people.length },
    );
    await Promise.all(
      peers.map(async (peer, i) => {
        for (const [to, amount] of plan[i]!) {
          const target = to === i ? (to + 1) % people.length : to;
          await peer.call('transfer', { to: people[target]!.key, amount: String(amount) });
        }
      }),
    );
    const statuses = await waitForConvergence(peers, 60_000, (s) =>
      s.every(
        (x) =>
          x.transactions !== null && x.transactions.pending === 0 && x.transactions.valid >= 1 + 20,
      ),
    );
    expect(new Set(statuses.map((s) => s.stateRoot)).size).toBe(1);
    // Conservation, from any peer's view.
    let total = 0n;
    for (const p of people) {
      const view = await peers[0]!.call<{ balance: string }>('balance', { key: p.key });
      total += BigInt(view.balance);
    }
    expect(total).toBe(5000n);
  }, 120_000);

  it('regression: many payments at once from one peer never equivocate, even while it votes', async () => {
    // Found by the soak run: the peer composed each payment from the same chain head while an
    // earlier one was still being verified, signing two transactions at one seq and freezing
    // its own identity. Peer 0 is also a witness, so its votes race its payments too.
    const peers = cluster.peers;
    const sends = Array.from({ length: 10 }, (_, i) =>
      peers[0]!.call('transfer', { to: people[1 + (i % 4)]!.key, amount: '1' }),
    );
    await Promise.all(sends);
    const statuses = await waitForConvergence(peers, 60_000, (s) =>
      s.every((x) => x.transactions!.pending === 0),
    );
    expect(new Set(statuses.map((s) => s.stateRoot)).size).toBe(1);
    expect(await peers[0]!.call('equivocations')).toEqual([]);
    const view = await peers[1]!.call<{ frozen: boolean }>('balance', { key: people[0]!.key });
    expect(view.frozen).toBe(false);
  }, 120_000);
});
