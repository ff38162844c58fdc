import { describe, expect, it } from 'vitest';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { fromHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import {
  finalizeAll,
  genesisOf,
  identity,
  newLedger,
  rawTransfer,
  registry,
  sign,
  transfer,
  vote,
} from '../helpers/network.ts';

const alice = identity('alice');
const bob = identity('bob');
const carol = identity('carol');
const w1 = identity('w1');
const w2 = identity('w2');
const w3 = identity('w3');
const w4 = identity('w4');
const witnesses = [w1, w2, w3, w4];

async function standard() {
  return newLedger({
    witnesses,
    allocations: [
      [alice, 1000n],
      [bob, 50n],
    ],
  });
}

describe('genesis', () => {
  it('defines the network id, supply, witnesses and quorum', async () => {
    const genesis = await genesisOf({ witnesses, allocations: [[alice, 1000n]] });
    const result = Ledger.fromGenesis(genesis, registry);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { ledger } = result;
    expect(ledger.networkId).toBe(genesis.id);
    expect(ledger.supply).toBe(1000n);
    expect(ledger.quorum).toBe(3);
    expect(ledger.isFinal(genesis.id)).toBe(true);
    expect(ledger.account(alice.key)).toEqual({
      balance: 1000n,
      available: 1000n,
      pending: 0n,
      frozen: false,
    });
  });

  it('refuses to start from a transaction that is not a genesis', async () => {
    const ledger = await standard();
    const { tx } = await transfer(ledger, alice, bob, 1n);
    const result = Ledger.fromGenesis(tx, registry);
    expect(result.ok).toBe(false);
  });

  it('rejects a second genesis', async () => {
    const ledger = await standard();
    const other = await genesisOf({ witnesses, allocations: [[bob, 5n]], name: 'other' });
    expect(ledger.insert(other)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'unexpected-genesis' },
    });
  });
});

describe('transfers', () => {
  it('moves money, shows it pending until final, then available', async () => {
    const ledger = await standard();
    const { tx, outcome } = await transfer(ledger, alice, bob, 300n);
    expect(outcome.status).toBe('accepted');
    expect(ledger.status(tx.id)).toEqual({ state: 'pending' });
    expect(ledger.account(alice.key)).toMatchObject({ balance: 700n, available: 700n });
    expect(ledger.account(bob.key)).toMatchObject({ balance: 350n, available: 50n, pending: 300n });

    await finalizeAll(ledger, witnesses);
    expect(ledger.status(tx.id)).toEqual({ state: 'final' });
    expect(ledger.account(bob.key)).toMatchObject({ balance: 350n, available: 350n, pending: 0n });
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('lets a recipient spend a credit only once it is final, and claims it once', async () => {
    const ledger = await standard();
    await transfer(ledger, alice, bob, 300n);
    // Not final yet: bob can spend his own 50 but not the 300.
    expect(
      composeTransfer(ledger, { from: bob.key, to: carol.key, amount: 100n, time: 1 }),
    ).toMatchObject({
      ok: false,
      rejection: { code: 'insufficient-funds' },
    });
    await finalizeAll(ledger, witnesses);
    const first = await transfer(ledger, bob, carol, 200n);
    expect(first.outcome.status).toBe('accepted');
    expect(ledger.claimableCredits(bob.key)).toEqual([]);
    // The claim is recorded on bob's chain: a raw spend that relies on claiming it again fails.
    const head = ledger.head(bob.key);
    if (!head) throw new Error('bob has a head');
    expect(first.tx.deps.some((id) => ledger.get(id)?.type === 'transfer')).toBe(true);
    const again = await sign(
      bob,
      rawTransfer(ledger, { seq: head.seq + 1, prev: head.id }, carol, 200n, first.tx.deps),
    );
    expect(ledger.insert(again)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'insufficient-funds' },
    });
    // rejectionOf agrees with status(), and says nothing of a valid transaction.
    expect(ledger.rejectionOf(again.id)).toEqual(
      (ledger.status(again.id) as { rejection: unknown }).rejection,
    );
    expect(ledger.rejectionOf(first.tx.id)).toBeUndefined();
    expect(ledger.account(bob.key).balance).toBe(150n);
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('does not count a credit without a quorum of votes in deps', async () => {
    const ledger = await standard();
    const paid = await transfer(ledger, alice, bob, 300n);
    await vote(ledger, w1);
    await vote(ledger, w2);
    // Two of four votes: below the quorum of three.
    expect(ledger.isFinal(paid.tx.id)).toBe(false);
    const votes = ledger.validIds().filter((id) => ledger.get(id)?.type === 'vote');
    const spend = await sign(
      bob,
      rawTransfer(ledger, { seq: 0, prev: null }, carol, 100n, [paid.tx.id, ...votes]),
    );
    expect(ledger.insert(spend)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'insufficient-funds' },
    });
  });

  it('rejects a spend beyond the balance with a reason', async () => {
    const ledger = await standard();
    const tx = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 1001n));
    expect(ledger.insert(tx)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'insufficient-funds' },
    });
    expect(ledger.status(tx.id)).toMatchObject({
      state: 'rejected',
      rejection: { code: 'insufficient-funds' },
    });
  });

  it('allows going below zero down to the mutual-credit limit, and no further', async () => {
    const ledger = await newLedger({ witnesses: [w1], allocations: [], creditLimit: 100n });
    expect(ledger.supply).toBe(0n);
    const ok = await transfer(ledger, alice, bob, 100n);
    expect(ok.outcome.status).toBe('accepted');
    expect(ledger.account(alice.key).balance).toBe(-100n);
    const head = ledger.head(alice.key);
    if (!head) throw new Error('alice has a head');
    const over = await sign(
      alice,
      rawTransfer(ledger, { seq: head.seq + 1, prev: head.id }, bob, 1n),
    );
    expect(ledger.insert(over)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'insufficient-funds' },
    });
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('refuses a transfer to oneself', async () => {
    const ledger = await standard();
    expect(
      composeTransfer(ledger, { from: alice.key, to: alice.key, amount: 1n, time: 1 }).ok,
    ).toBe(false);
    const raw = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, alice, 1n));
    expect(ledger.insert(raw)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'invalid-body' },
    });
  });
});

describe('regressions', () => {
  it('lets a witness claim a credit whose finality proof includes its own latest vote (its prev)', async () => {
    // Found by the 5-peer WebRTC test: the wallet put the witness's own vote, which is its
    // chain prev, into deps, and the decoder refuses prev repeated in deps.
    const ledger = await standard();
    await transfer(ledger, alice, w2, 100n);
    await finalizeAll(ledger, witnesses);
    const head = ledger.head(w2.key);
    expect(head && ledger.get(head.id)?.type).toBe('vote');
    const spend = await transfer(ledger, w2, carol, 60n);
    expect(spend.outcome.status).toBe('accepted');
    expect(spend.tx.deps).not.toContain(spend.tx.prev);
    expect(ledger.account(w2.key).balance).toBe(40n);
  });
});

describe('chains and dependencies', () => {
  it('waits for a missing predecessor and applies when the gap fills', async () => {
    const source = await standard();
    const a = await transfer(source, alice, bob, 10n);
    const b = await transfer(source, alice, bob, 20n);
    const target = Ledger.fromGenesis(source.genesis, registry);
    if (!target.ok) throw new Error('genesis');
    const ledger = target.ledger;
    expect(ledger.insert(b.tx)).toEqual({ status: 'waiting', id: b.tx.id, missing: [a.tx.id] });
    expect(ledger.status(b.tx.id)).toEqual({ state: 'waiting', missing: [a.tx.id] });
    expect(ledger.insert(a.tx)).toEqual({ status: 'accepted', id: a.tx.id });
    expect(ledger.status(b.tx.id)).toEqual({ state: 'pending' });
    expect(ledger.stateRoot()).toBe(source.stateRoot());
  });

  it('rejects a gap in the sequence and a chain that does not start at zero', async () => {
    const ledger = await standard();
    const a = await transfer(ledger, alice, bob, 10n);
    const skip = await sign(alice, rawTransfer(ledger, { seq: 2, prev: a.tx.id }, bob, 1n));
    expect(ledger.insert(skip)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'bad-sequence' },
    });
    const foreignPrev = await sign(bob, rawTransfer(ledger, { seq: 1, prev: a.tx.id }, carol, 1n));
    expect(ledger.insert(foreignPrev)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'bad-sequence' },
    });
  });

  it("requires the founder's chain to start at the genesis", async () => {
    const ledger = await newLedger({ founder: alice, witnesses, allocations: [[alice, 10n]] });
    const fresh = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 1n));
    expect(ledger.insert(fresh)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'bad-sequence' },
    });
    const ok = await transfer(ledger, alice, bob, 1n);
    expect(ok.tx.seq).toBe(1);
    expect(ok.tx.prev).toBe(ledger.networkId);
  });

  it('rejects descendants of an invalid transaction, even when they arrive first', async () => {
    const ledger = await standard();
    const bad = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 5000n));
    const child = await sign(alice, rawTransfer(ledger, { seq: 1, prev: bad.id }, bob, 1n));
    const dependent = await sign(
      bob,
      rawTransfer(ledger, { seq: 0, prev: null }, carol, 1n, [bad.id]),
    );
    expect(ledger.insert(child).status).toBe('waiting');
    expect(ledger.insert(dependent).status).toBe('waiting');
    ledger.insert(bad);
    expect(ledger.status(child.id)).toMatchObject({ rejection: { code: 'invalid-predecessor' } });
    expect(ledger.status(dependent.id)).toMatchObject({
      rejection: { code: 'invalid-dependency' },
    });
    // A later transaction that names the rejected one is rejected at once.
    const late = await sign(carol, rawTransfer(ledger, { seq: 0, prev: null }, bob, 1n, [bad.id]));
    expect(ledger.insert(late)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'invalid-dependency' },
    });
  });

  it('reports duplicates and transactions from another network', async () => {
    const ledger = await standard();
    const other = await newLedger({ witnesses, allocations: [[alice, 1000n]], name: 'elsewhere' });
    const { tx } = await transfer(ledger, alice, bob, 1n);
    expect(ledger.insert(tx).status).toBe('duplicate');
    // The same author and seq, signed for another network: never valid here.
    const replay = await transfer(other, alice, bob, 1n);
    expect(ledger.insert(replay.tx)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'wrong-network' },
    });
    expect(ledger.status('00'.repeat(32) as TxId)).toEqual({ state: 'unknown' });
  });
});

describe('equivocation', () => {
  it('detects two transactions at one seq, freezes the author, and voids the unfinal branch', async () => {
    const ledger = await standard();
    const spendA = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 900n));
    const spendB = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, carol, 900n));
    ledger.insert(spendA);
    ledger.insert(spendB);
    expect(ledger.isFrozen(alice.key)).toBe(true);
    expect(ledger.equivocations()).toEqual([
      { author: alice.key, seq: 0, ids: [spendA.id, spendB.id].sort() },
    ]);
    expect(ledger.status(spendA.id)).toMatchObject({
      state: 'void',
      rejection: { code: 'frozen-author' },
    });
    expect(ledger.account(alice.key)).toMatchObject({ balance: 1000n, frozen: true });
    expect(
      composeTransfer(ledger, { from: alice.key, to: bob.key, amount: 1n, time: 1 }),
    ).toMatchObject({
      ok: false,
      rejection: { code: 'frozen-author' },
    });
    // Honest witnesses do not vote for a frozen author.
    expect(ledger.votableHeads(w1.key).some((h) => h.author === alice.key)).toBe(false);
    expect(ledger.audit()).toEqual({ ok: true });
  });

  it('keeps the branch that became final before the conflict was seen', async () => {
    const ledger = await standard();
    const spendA = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 900n));
    ledger.insert(spendA);
    await finalizeAll(ledger, witnesses);
    expect(ledger.isFinal(spendA.id)).toBe(true);
    const spendB = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, carol, 900n));
    ledger.insert(spendB);
    expect(ledger.isFrozen(alice.key)).toBe(true);
    expect(ledger.status(spendA.id)).toEqual({ state: 'final' });
    expect(ledger.status(spendB.id).state).toBe('void');
    expect(ledger.account(bob.key).available).toBe(950n);
    expect(ledger.account(carol.key).balance).toBe(0n);
    expect(ledger.audit()).toEqual({ ok: true });
  });
});

describe('votes', () => {
  it('will not compose a vote for a non-witness', async () => {
    const ledger = await standard();
    await transfer(ledger, alice, bob, 1n);
    const composed = composeVote(ledger, bob.key, 1);
    expect(composed).toMatchObject({ ok: false, rejection: { code: 'not-witness' } });
  });

  it('rejects a vote from a non-witness and a vote whose head is not in deps', async () => {
    const ledger = await standard();
    const paid = await transfer(ledger, alice, bob, 1n);
    const byBob = await sign(bob, {
      net: ledger.networkId,
      seq: 0,
      prev: null,
      deps: [paid.tx.id],
      type: 'vote',
      body: { heads: [[fromHex(alice.key), 0, fromHex(paid.tx.id)]] },
      time: 1,
    });
    expect(ledger.insert(byBob)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'not-witness' },
    });
    const headless = await sign(w2, {
      net: ledger.networkId,
      seq: 0,
      prev: null,
      deps: [],
      type: 'vote',
      body: { heads: [[fromHex(alice.key), 0, fromHex(paid.tx.id)]] },
      time: 1,
    });
    expect(ledger.insert(headless)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'invalid-body' },
    });
  });

  it('rejects a witness contradicting its own earlier vote on its chain', async () => {
    const ledger = await standard();
    const a0 = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, bob, 1n));
    const a0x = await sign(alice, rawTransfer(ledger, { seq: 0, prev: null }, carol, 1n));
    ledger.insert(a0);
    const first = await vote(ledger, w2);
    if (!first) throw new Error('w2 votes');
    ledger.insert(a0x);
    const contradicting = await sign(w2, {
      net: ledger.networkId,
      seq: 1,
      prev: first.id,
      deps: [a0x.id],
      type: 'vote',
      body: { heads: [[fromHex(alice.key), 0, fromHex(a0x.id)]] },
      time: 1,
    });
    expect(ledger.insert(contradicting)).toMatchObject({
      status: 'rejected',
      rejection: { code: 'conflicting-vote' },
    });
  });

  it('finalizes with a single witness voting on its own chain', async () => {
    const ledger = await newLedger({ founder: w1, witnesses: [w1], allocations: [[w1, 100n]] });
    const paid = await transfer(ledger, w1, bob, 40n);
    await vote(ledger, w1);
    expect(ledger.isFinal(paid.tx.id)).toBe(true);
    const spent = await transfer(ledger, bob, carol, 40n);
    expect(spent.outcome.status).toBe('accepted');
  });
});
