// Who rotates the join secret after a removal (engine/roomKeys.ts, docs/protocol.md §13.8): the
// proposing witness at once; when it is offline, the other current witnesses one after the
// other, ROTATION_FALLBACK_MS apart in an order every peer computes alike, each only if no
// rotation that shuts the removed member out has been seen. The agents share one ledger (as
// peers that sync at once) and the clock is moved by hand; each agent's check is run by hand.
import { describe, expect, it } from 'vitest';
import { signTx } from '../../shared/tx/envelope.ts';
import type { KeyHex } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { openKey } from '../../shared/ssk/box.ts';
import { ROOM_KEY_TYPE, roomKeys } from '../../shared/ssk/roomKey.ts';
import { withEpochDeps } from '../../shared/wallet/compose.ts';
import type { Compose } from '../../engine/events.ts';
import { RoomKeyAgent, rotationDelay, type RoomKeyHost } from '../../engine/roomKeys.ts';
import { ROTATION_FALLBACK_MS } from '../../engine/timing.ts';
import { deterministicRandom } from '../helpers/deterministicRandom.ts';
import { admit, identity, newLedger, type TestIdentity } from '../helpers/network.ts';
import { proposeTx, settle } from '../helpers/witnessSets.ts';

const w = [0, 1, 2].map((i) => identity(`rotation witness ${i}`));
const alice = identity('rotation alice');
const bob = identity('rotation bob');
const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A network of three witnesses where witness 0's removal of Bob is in effect. */
async function afterRemoval(): Promise<Ledger> {
  const ledger = await newLedger({
    founder: w[0],
    witnesses: w,
    allocations: [
      [alice, 10n],
      [bob, 10n],
    ],
  });
  const change = await proposeTx(ledger, w[0] as TestIdentity, identity('rotation change'), {
    kind: 'remove-member',
    key: bob.key,
  });
  expect(ledger.insert(change).status).toBe('accepted');
  await settle(ledger, w, [change.id]);
  expect(ledger.epochs.open.epoch).toBe(1);
  return ledger;
}

/** One witness's agent over the shared ledger; `check` runs its periodic check once. */
function agentOf(ledger: Ledger, who: TestIdentity, clock: { now: number }) {
  let check: (() => void) | null = null;
  const signed: VerifiedTx[] = [];
  const host: RoomKeyHost = {
    ports: {
      signer: {
        key: who.key,
        sign: (unsigned) => signTx(who.secret, unsigned),
        openSskBox: (box, ctx) => openKey(box, who.secret, ctx),
      },
      random: deterministicRandom(who.name),
      clock: { now: () => clock.now },
      timers: {
        after: () => () => undefined,
        every: (_ms, callback) => {
          check = callback;
          return () => (check = null);
        },
      },
    },
    ledger: () => ledger,
    act: async (compose: Compose) => {
      const composed = compose(ledger, who.key);
      if (!composed?.ok) throw new Error('not composed');
      const tx = await admit(signTx(who.secret, withEpochDeps(ledger, composed.tx)));
      expect(ledger.insert(tx).status).toBe('accepted');
      signed.push(tx);
      return { tx };
    },
    useSecret: () => Promise.resolve(),
    keepSecret: () => undefined,
    warn: (message) => {
      throw new Error(message);
    },
  };
  const agent = new RoomKeyAgent(host, 'A'.repeat(43));
  agent.start();
  return {
    agent,
    signed,
    check: async () => {
      check?.();
      await flush();
    },
  };
}

const rotationsIn = (ledger: Ledger) => roomKeys(ledger.indexes);

describe('rotating after a removal', () => {
  it('orders the witnesses alike on every peer, the proposer first', () => {
    const keys = ['aa', 'bb', 'cc', 'dd'] as KeyHex[];
    const delays = (proposer: string) =>
      keys.map((k) => rotationDelay(keys, proposer as KeyHex, k) / ROTATION_FALLBACK_MS);
    expect(delays('bb')).toEqual([3, 0, 1, 2]);
    expect(delays('dd')).toEqual([1, 2, 3, 0]);
    // A proposer no longer a witness: the turn starts after its place.
    expect(delays('bc')).toEqual([3, 4, 1, 2]);
    expect(rotationDelay(keys, 'bb' as KeyHex, 'ee' as KeyHex)).toBe(Infinity);
  });

  it('the proposer rotates at once, and nobody else does', async () => {
    const ledger = await afterRemoval();
    const clock = { now: 1_000 };
    const agents = w.map((who) => agentOf(ledger, who, clock));
    for (const a of agents) await a.check();
    clock.now += 10 * ROTATION_FALLBACK_MS;
    for (const a of agents) await a.check();
    const rotations = rotationsIn(ledger);
    expect(rotations).toHaveLength(1);
    expect(rotations[0]?.author).toBe(w[0]?.key);
    expect(rotations[0]?.boxes.has(bob.key)).toBe(false);
    expect(rotations[0]?.boxes.has(alice.key)).toBe(true);
  });

  it('with the proposer offline, the next witness in turn rotates once, a minute later', async () => {
    const ledger = await afterRemoval();
    const clock = { now: 1_000 };
    const online = [w[1], w[2]] as TestIdentity[];
    const sorted = ledger.epochs.open.sorted;
    const [first, second] = [...online].sort(
      (a, b) => rotationDelay(sorted, w[0]!.key, a.key) - rotationDelay(sorted, w[0]!.key, b.key),
    ) as [TestIdentity, TestIdentity];
    expect(rotationDelay(sorted, w[0]!.key, first.key)).toBe(ROTATION_FALLBACK_MS);
    const agents = online.map((who) => agentOf(ledger, who, clock));
    const checkAll = async () => {
      for (const a of agents) await a.check();
    };
    await checkAll();
    clock.now += ROTATION_FALLBACK_MS - 1_000;
    await checkAll();
    expect(rotationsIn(ledger)).toHaveLength(0);
    clock.now += 1_000;
    await checkAll();
    clock.now += 5 * ROTATION_FALLBACK_MS;
    await checkAll();
    const rotations = rotationsIn(ledger);
    expect(rotations).toHaveLength(1);
    expect(rotations[0]).toMatchObject({ author: first.key, generation: 1 });
    expect(rotations[0]?.change).toBe(ledger.proposals()[0]?.id);
    expect(rotations[0]?.boxes.has(bob.key)).toBe(false);
    expect(second.key).not.toBe(first.key);
  });

  it('counts a rotation signed knowing the removal, even one no change asked for', async () => {
    const ledger = await afterRemoval();
    const clock = { now: 1_000 };
    const agents = [w[1], w[2]].map((who) => agentOf(ledger, who as TestIdentity, clock));
    for (const a of agents) await a.check();
    // `gpow invite --rotate` by witness 2 before anyone's turn: it already leaves Bob out.
    const manual = await agents[1]!.agent.rotate();
    expect(manual.generation).toBe(1);
    clock.now += 10 * ROTATION_FALLBACK_MS;
    for (const a of agents) await a.check();
    const rotations = rotationsIn(ledger);
    expect(rotations).toHaveLength(1);
    expect(ledger.get(rotations[0]!.id)?.type).toBe(ROOM_KEY_TYPE);
    expect(rotations[0]?.change).toBeNull();
  });

  it('two witnesses that rotate at once end, with every member, on the same secret', async () => {
    // Two views of one network, each with the removal in effect, that have not synced yet.
    const [one, two] = [await afterRemoval(), await afterRemoval()] as [Ledger, Ledger];
    const clock = { now: 1_000 };
    const a = agentOf(one, w[1] as TestIdentity, clock);
    const b = agentOf(two, w[2] as TestIdentity, clock);
    const alices = [agentOf(one, alice, clock), agentOf(two, alice, clock)];
    const [ra, rb] = [await a.agent.rotate(), await b.agent.rotate()];
    expect(ra.generation).toBe(rb.generation);
    expect(ra.secret).not.toBe(rb.secret);
    for (const x of alices) await x.check();
    expect(alices[0]?.agent.secret).not.toBe(alices[1]?.agent.secret);
    // They sync: every peer, the two witnesses included, takes the rotation with the lower id.
    for (const tx of a.signed) two.insert(tx);
    for (const tx of b.signed) one.insert(tx);
    for (const x of [a, b, ...alices]) await x.check();
    const winner = [a.signed[0]!, b.signed[0]!].sort((x, y) => (x.id < y.id ? -1 : 1))[0];
    const expected = winner === a.signed[0] ? ra.secret : rb.secret;
    expect([a, b, ...alices].map((x) => x.agent.secret)).toEqual(Array(4).fill(expected));
  });
});
