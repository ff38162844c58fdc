// Longer runs than the default suite: more peers, more transfers, repeated partitions and
// heals, and restarts. Run with `npm run test:soak`; GPOW_SOAK_ROUNDS sets the length.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identity } from '../helpers/network.ts';
import {
  createCluster,
  waitForConvergence,
  type Cluster,
  type PeerProcess,
} from '../net/cluster.ts';

const ROUNDS = Number(process.env.GPOW_SOAK_ROUNDS ?? 10);
const people = Array.from({ length: 7 }, (_, i) => identity(`soak-${i}`));
const witnesses = people.slice(0, 4);
let cluster: Cluster;
let live: PeerProcess[];

beforeAll(async () => {
  cluster = await createCluster({
    founder: people[0]!,
    witnesses,
    allocations: people.map((p) => [p, 100_000n] as const),
  });
  const founder = await cluster.spawnPeer('soak-0', people[0]);
  for (let i = 1; i < people.length; i++)
    await cluster.spawnPeer(`soak-${i}`, people[i], { relays: [founder.started.relayUrl!] });
  live = [...cluster.peers];
  await waitForConvergence(live, 60_000, (s) => s.every((x) => x.transactions !== null));
}, 120_000);

afterAll(async () => cluster?.close(), 60_000);

describe('soak', () => {
  it(`survives ${ROUNDS} rounds of concurrent transfers, partitions, heals and restarts`, async () => {
    const plans = fc.sample(
      fc.record({
        split: fc.integer({ min: 1, max: people.length - 1 }),
        transfers: fc.array(
          fc.tuple(
            fc.nat(people.length - 1),
            fc.nat(people.length - 1),
            fc.integer({ min: 1, max: 50 }),
          ),
          { minLength: 10, maxLength: 30 },
        ),
        restart: fc.nat(people.length - 1),
      }),
      { seed: 77, numRuns: ROUNDS },
    );
    for (const plan of plans) {
      const relays = live.map((p) => p.started.relayUrl!);
      // Partition into two groups, each with its own relay.
      await Promise.all(
        live.map((p, i) =>
          p.call('setRelays', { relays: [relays[i < plan.split ? 0 : plan.split]] }),
        ),
      );
      await Promise.all(
        plan.transfers.map(async ([from, to, amount]) => {
          if (from === to) return;
          await live[from]!.call('transfer', { to: people[to]!.key, amount: String(amount) }).catch(
            () => undefined,
          );
        }),
      );
      // Heal, restart one peer, and converge.
      await Promise.all(live.map((p) => p.call('setRelays', { relays })));
      const victim = live[plan.restart]!;
      await victim.stop();
      live[plan.restart] = await cluster.spawnPeer(`${victim.name}+`, people[plan.restart], {
        dataDir: victim.dataDir,
        relays,
      });
      await waitForConvergence(live, 180_000, (s) =>
        s.every((x) => x.transactions !== null && x.transactions.pending === 0),
      );
    }
    let total = 0n;
    for (const p of people)
      total += BigInt(
        (await live[0]!.call<{ balance: string }>('balance', { key: p.key })).balance,
      );
    expect(total).toBe(100_000n * BigInt(people.length));
  }, 3_600_000);
});
