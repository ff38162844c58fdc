// Changing the witnesses (docs/protocol.md §13): a quorum of the current witnesses enacts a
// change, the old set hands over, and from then on the new set makes payments final.
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { signMessage } from '../../shared/crypto/ed25519.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { witnessSetMessage } from '../../shared/tx/witnessSet.ts';
import { composeWitnessSet, planWitnessChange } from '../../shared/wallet/witnesses.ts';
import {
  identity,
  newLedger,
  rawTransfer,
  sign,
  transfer,
  type TestIdentity,
} from '../helpers/network.ts';
import { proposeTx, settle, voteBacking } from '../helpers/witnessSets.ts';

const w = [0, 1, 2, 3, 4].map((i) => identity(`witness${i}`));
const alice = identity('alice');
const bob = identity('bob');
const carol = identity('carol');
const once = identity('one-time');

async function network(): Promise<Ledger> {
  return newLedger({
    founder: w[0],
    witnesses: w.slice(0, 4),
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
    ],
  });
}

const at = (i: number) => w[i] as TestIdentity;

describe('replacing a lost witness', () => {
  it('three of four back the change, hand over, and the new set makes payments final', async () => {
    const ledger = await network();
    const change = await proposeTx(ledger, at(0), once, {
      kind: 'replace',
      old: at(3).key,
      key: at(4).key,
    });
    expect(ledger.insert(change).status).toBe('accepted');
    // witness3 is gone; the other three back the change and go on voting.
    await settle(ledger, [at(0), at(1), at(2)], [change.id]);
    expect(ledger.epochs.open.epoch).toBe(1);
    expect([...ledger.witnesses]).toEqual([at(0).key, at(1).key, at(2).key, at(4).key].sort());
    const { tx } = await transfer(ledger, alice, bob, 10n);
    await settle(ledger, [at(0), at(1)]);
    expect(ledger.isFinal(tx.id)).toBe(false);
    await settle(ledger, [at(4)]);
    expect(ledger.isFinal(tx.id)).toBe(true);
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('changes twice in a row: each set hands over to the next', async () => {
    const ledger = await network();
    const first = await proposeTx(ledger, at(0), once, { kind: 'remove', key: at(3).key });
    ledger.insert(first);
    await settle(ledger, [at(0), at(1), at(2), at(3)], [first.id]);
    expect(ledger.epochs.open.epoch).toBe(1);
    const second = await proposeTx(ledger, at(1), identity('second'), {
      kind: 'add',
      key: at(4).key,
    });
    expect(ledger.insert(second).status).toBe('accepted');
    await settle(ledger, [at(0), at(1), at(2), at(4)], [second.id]);
    expect(ledger.epochs.open.epoch).toBe(2);
    expect(ledger.witnesses.has(at(4).key)).toBe(true);
    const { tx } = await transfer(ledger, alice, bob, 10n);
    await settle(ledger, [at(1), at(2), at(4)]);
    expect(ledger.isFinal(tx.id)).toBe(true);
  });

  it('a change backed by fewer than a quorum never takes effect', async () => {
    const ledger = await network();
    const change = await proposeTx(ledger, at(0), once, { kind: 'remove', key: at(3).key });
    ledger.insert(change);
    await settle(ledger, [at(0), at(1)], [change.id]);
    await settle(ledger, [at(2), at(3)]);
    expect(ledger.epochs.open.epoch).toBe(0);
    expect(ledger.epochs.seen.epoch).toBe(0);
    // Payments go on being final under the old set meanwhile.
    const { tx } = await transfer(ledger, alice, bob, 5n);
    await settle(ledger, [at(1), at(2), at(3)]);
    expect(ledger.isFinal(tx.id)).toBe(true);
  });

  it('a removed witness can no longer vote once the handover is in its past', async () => {
    const ledger = await network();
    const change = await proposeTx(ledger, at(0), once, { kind: 'remove', key: at(3).key });
    ledger.insert(change);
    await settle(ledger, [at(0), at(1), at(2)], [change.id]);
    expect(ledger.epochs.open.epoch).toBe(1);
    expect(await voteBacking(ledger, at(3))).toBeNull();
    const head = ledger.head(at(3).key);
    const vote = await sign(at(3), {
      net: ledger.networkId,
      seq: head ? head.seq + 1 : 0,
      prev: head?.id ?? null,
      deps: [ledger.epochTx],
      type: 'vote',
      body: { heads: [] },
      time: 5,
    });
    expect(ledger.insert(vote)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'not-witness' },
    });
  });
});

describe('the handover is what keeps a change safe', () => {
  // Views V and V' split after witness0 and witness1 backed a change that swaps them for
  // witness4 and x. The Byzantine witness3 completes the quorum in V' only, so V' knows the
  // change enacted and V does not. In V, witnesses 0, 1 and 3 make t1 final under the old set.
  // In V', the new set would make the conflicting t2 final if it counted from the enactment on;
  // it needs the old set's acknowledgement (a quorum of it), which V' cannot have.
  it('a new set cannot finalize what conflicts with the old one before the old one hands over', async () => {
    const x = identity('x');
    const v1 = await network();
    const plan = planWitnessChange(v1, at(0).key, {
      kind: 'replace',
      old: at(1).key,
      key: at(4).key,
    });
    if (!plan.ok) throw new Error(plan.rejection.message);
    const swapped = { ...plan.plan, witnesses: [at(2).key, at(3).key, at(4).key, x.key].sort() };
    const sig = signMessage(
      at(0).secret,
      witnessSetMessage({
        net: fromHex(swapped.networkId),
        author: fromHex(once.key),
        epoch: swapped.epoch,
        witnesses: swapped.witnesses.map((k) => fromHex(k)),
      }),
    );
    const change = await sign(once, composeWitnessSet(swapped, sig, 1));
    v1.insert(change);
    const backing = [
      await voteBacking(v1, at(0), [change.id]),
      await voteBacking(v1, at(1), [change.id]),
    ];
    const v2 = await network();
    for (const tx of [change, ...backing]) if (tx) v2.insert(tx);
    await voteBacking(v2, at(3), [change.id]);
    // Its next vote cites the quorum that backed the change: V' knows it enacted.
    await voteBacking(v2, at(3));
    expect(v2.epochs.seen.epoch).toBe(1);
    expect(v1.epochs.seen.epoch).toBe(0);
    // The double spend: alice pays bob in V and carol in V'.
    const t1 = await sign(alice, rawTransfer(v1, { seq: 0, prev: null }, bob, 900n));
    const t2 = await sign(alice, rawTransfer(v2, { seq: 0, prev: null }, carol, 900n));
    v1.insert(t1);
    v2.insert(t2);
    await settle(v1, [at(0), at(1), at(3)]);
    expect(v1.isFinal(t1.id)).toBe(true);
    await settle(v2, [at(2), at(3), at(4), x]);
    expect(v2.isFinal(t2.id)).toBe(false);
    expect(v2.epochs.open.epoch).toBe(0);
  });
});

describe('bad proposals', () => {
  it('refuses a proposal by someone who is not a witness', async () => {
    const ledger = await network();
    const plan = planWitnessChange(ledger, at(0).key, { kind: 'add', key: at(4).key });
    if (!plan.ok) throw new Error(plan.rejection.message);
    const forged = { ...plan.plan, by: alice.key };
    const sig = signMessage(
      alice.secret,
      witnessSetMessage({
        net: fromHex(forged.networkId),
        author: fromHex(once.key),
        epoch: forged.epoch,
        witnesses: forged.witnesses.map((k) => fromHex(k)),
      }),
    );
    const tx = await sign(once, composeWitnessSet(forged, sig, 1));
    expect(ledger.insert(tx)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'not-witness' },
    });
  });

  it('refuses a proposal for the wrong epoch, and one that changes nothing', async () => {
    const ledger = await network();
    const plan = planWitnessChange(ledger, at(0).key, { kind: 'add', key: at(4).key });
    if (!plan.ok) throw new Error(plan.rejection.message);
    for (const [fields, message] of [
      [{ epoch: 2 }, /opens epoch 2/],
      [{ witnesses: plan.plan.before }, /the current ones/],
    ] as const) {
      const bad = { ...plan.plan, ...fields };
      const sig = signMessage(
        at(0).secret,
        witnessSetMessage({
          net: fromHex(bad.networkId),
          author: fromHex(once.key),
          epoch: bad.epoch,
          witnesses: bad.witnesses.map((k) => fromHex(k)),
        }),
      );
      const outcome = ledger.insert(await sign(once, composeWitnessSet(bad, sig, 1)));
      expect(outcome.status).toBe('rejected');
      if (outcome.status === 'rejected') expect(outcome.rejection.message).toMatch(message);
    }
  });

  it('plans refuse what would break the network, each with a sentence', async () => {
    const ledger = await newLedger({ founder: at(0), witnesses: [at(0)], allocations: [] });
    const cases = [
      [at(1).key, { kind: 'add', key: at(1).key }, /only a current witness/],
      [at(0).key, { kind: 'remove', key: at(0).key }, /at least one witness/],
      [at(0).key, { kind: 'add', key: at(0).key }, /already a witness/],
      [at(0).key, { kind: 'remove', key: at(2).key }, /not a witness/],
    ] as const;
    for (const [by, change, message] of cases) {
      const plan = planWitnessChange(ledger, by, change);
      expect(plan.ok).toBe(false);
      if (!plan.ok) expect(plan.rejection.message).toMatch(message);
    }
  });

  it('a witness cannot back two changes for one epoch', async () => {
    const ledger = await network();
    const first = await proposeTx(ledger, at(0), once, { kind: 'remove', key: at(3).key });
    const other = identity('another one-time');
    const plan = planWitnessChange(ledger, at(1).key, { kind: 'add', key: at(4).key });
    ledger.insert(first);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    const sig = signMessage(
      at(1).secret,
      witnessSetMessage({
        net: fromHex(plan.plan.networkId),
        author: fromHex(other.key),
        epoch: plan.plan.epoch,
        witnesses: plan.plan.witnesses.map((k) => fromHex(k)),
      }),
    );
    const second = await sign(other, composeWitnessSet(plan.plan, sig, 1));
    expect(ledger.insert(second).status).toBe('accepted');
    await voteBacking(ledger, at(2), [first.id]);
    // The honest composer never backs the second; a hand-made vote that does is refused.
    expect(await voteBacking(ledger, at(2), [second.id])).toBeNull();
    const head = ledger.head(at(2).key);
    const vote = await sign(at(2), {
      net: ledger.networkId,
      seq: (head?.seq ?? -1) + 1,
      prev: head?.id ?? null,
      deps: [second.id],
      type: 'vote',
      body: { heads: [[fromHex(other.key), 0, fromHex(second.id)]] },
      time: 5,
    });
    expect(ledger.insert(vote)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'conflicting-vote' },
    });
  });
});
