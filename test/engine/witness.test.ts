// The witness duty (engine/witness.ts) of a peer that a change of the witnesses makes a witness
// (docs/protocol.md §13): it schedules nothing while it is not one; the vote that enacts the
// change is enough for it to vote by itself, with no other traffic, and that vote hands the set
// over; a payment that follows is final on its vote alone. Where the old witnesses must first
// acknowledge the change, it waits for them without a failed vote (it once warned "A witness
// vote failed: not a witness of this network"), and their acknowledgements schedule its vote.
// The duty is wired to the ledger as engine/peer.ts wires it (every accepted transaction
// schedules), its timers are run by hand, and its act refuses as engine/author.ts does.
import { describe, expect, it } from 'vitest';
import type { Compose } from '../../engine/events.ts';
import { Witness } from '../../engine/witness.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { signTx } from '../../shared/tx/envelope.ts';
import { composeVote, withEpochDeps } from '../../shared/wallet/compose.ts';
import { admit, identity, newLedger, transfer, type TestIdentity } from '../helpers/network.ts';
import { proposeTx } from '../helpers/witnessSets.ts';

const alice = identity('duty alice');
const bob = identity('duty bob');

/** Bob's witness duty over `ledger`; `run` fires the votes it has scheduled. */
function dutyOf(ledger: Ledger, who: TestIdentity) {
  const due: Array<() => void> = [];
  const votes: string[] = [];
  const warnings: string[] = [];
  const witness = new Witness(
    {
      clock: { now: () => 5 },
      timers: {
        after: (_ms, callback) => {
          due.push(callback);
          return () => undefined;
        },
        every: () => () => undefined,
      },
      signer: { key: who.key, sign: (unsigned) => signTx(who.secret, unsigned) },
    },
    {
      enabled: true,
      delayMs: 1,
      ledger: () => ledger,
      mayVote: () => true,
      act: async (compose: Compose) => {
        // As engine/author.ts does: nothing to do is null, a refusal is thrown.
        const composed = compose(ledger, who.key);
        if (composed === null) return null;
        if (!composed.ok) throw new Error(composed.rejection.message);
        const tx = await admit(signTx(who.secret, withEpochDeps(ledger, composed.tx)));
        expect(ledger.insert(tx).status).toBe('accepted');
        votes.push(tx.id);
        return { tx };
      },
      onWarning: (message) => warnings.push(message),
    },
  );
  ledger.onAccepted(() => witness.schedule());
  witness.start();
  return {
    votes,
    warnings,
    scheduled: () => due.length,
    run: async () => {
      while (due.length > 0) {
        due.shift()?.();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/** One vote by `who`, as its own duty casts it, backing the change. */
async function votes(ledger: Ledger, who: TestIdentity = alice): Promise<void> {
  const composed = composeVote(ledger, who.key, 1, { backs: () => true });
  if (!composed?.ok) throw new Error(`${who.name} has nothing to vote on`);
  const tx = await admit(signTx(who.secret, withEpochDeps(ledger, composed.tx)));
  expect(ledger.insert(tx).status).toBe('accepted');
}

describe('a peer that a change makes a witness', () => {
  it('votes by itself once the change is enacted, and hands the set over', async () => {
    const ledger = await newLedger({
      founder: alice,
      witnesses: [alice],
      allocations: [
        [alice, 100n],
        [bob, 10n],
      ],
    });
    const bobDuty = dutyOf(ledger, bob);
    const change = await proposeTx(ledger, alice, identity('duty change'), {
      kind: 'replace',
      old: alice.key,
      key: bob.key,
    });
    ledger.insert(change);
    await votes(ledger);
    // Not a witness yet: nothing is scheduled.
    expect(ledger.epochs.seen.epoch).toBe(0);
    expect(bobDuty.scheduled()).toBe(0);
    // Alice's next vote enacts the change: Bob is in the set taking over, and votes unasked.
    await votes(ledger);
    expect(ledger.epochs.seen.epoch).toBe(1);
    expect(ledger.epochs.open.epoch).toBe(0);
    expect(bobDuty.scheduled()).toBe(1);
    await bobDuty.run();
    expect(bobDuty.votes).toHaveLength(1);
    expect(ledger.epochs.open.epoch).toBe(1);
    expect(ledger.epochs.open.sorted).toEqual([bob.key]);
    // A payment after the handover is final on Bob's vote alone.
    const { tx } = await transfer(ledger, alice, bob, 25n);
    await bobDuty.run();
    expect(ledger.isFinal(tx.id)).toBe(true);
    expect(ledger.backers(tx.id)).toEqual([bob.key]);
    expect(bobDuty.warnings).toEqual([]);
  });

  it('waits without a failed vote while the old witnesses have not handed the set over', async () => {
    // Alice and Carol are the witnesses; Carol is replaced by Bob. Once enacted, Bob may vote
    // only when a quorum of the old set has acknowledged the change in the votes he cites.
    const carol = identity('duty carol');
    const ledger = await newLedger({
      founder: alice,
      witnesses: [alice, carol],
      allocations: [
        [alice, 100n],
        [bob, 10n],
      ],
    });
    const bobDuty = dutyOf(ledger, bob);
    const change = await proposeTx(ledger, alice, identity('duty change 2'), {
      kind: 'replace',
      old: carol.key,
      key: bob.key,
    });
    ledger.insert(change);
    await votes(ledger, alice);
    await votes(ledger, carol);
    await votes(ledger, alice);
    expect(ledger.epochs.seen.epoch).toBe(1);
    // A payment during the change, then Bob's duty runs before any acknowledgement by Carol:
    // nothing to do yet, and nothing failed.
    const { tx } = await transfer(ledger, bob, alice, 5n);
    await bobDuty.run();
    expect(bobDuty.votes).toEqual([]);
    expect(bobDuty.warnings).toEqual([]);
    // Carol acknowledges: that arrival schedules Bob's vote, which counts in the new set.
    await votes(ledger, carol);
    await votes(ledger, alice);
    await bobDuty.run();
    expect(bobDuty.votes).toHaveLength(1);
    expect(ledger.epochs.open.sorted).toEqual([alice.key, bob.key].sort());
    // Alice's vote after Carol's acknowledgement counted in the new set too: both cover it.
    expect(ledger.isFinal(tx.id)).toBe(true);
    expect(ledger.backers(tx.id).sort()).toEqual([alice.key, bob.key].sort());
    expect(bobDuty.warnings).toEqual([]);
  });
});
