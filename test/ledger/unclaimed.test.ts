// The index of unclaimed credits (shared/ledger/unclaimed.ts): what it reads is what a chain has
// not claimed, and the cases where a claim on the chain does not count (a branch of a fork of
// an inherited chain) are still listed as the full walk lists them.
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../shared/bytes.ts';
import { claimableCredits, claimableCreditsFullWalk } from '../../shared/ledger/claims.ts';
import { insert } from '../../shared/ledger/intake.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import { LedgerState } from '../../shared/ledger/state.ts';
import { creditCandidates } from '../../shared/ledger/unclaimed.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { addDevice, revokeTx } from '../helpers/devices.ts';
import { finalizeAll, identity, newLedger, registry, sign, transfer } from '../helpers/network.ts';

const alice = identity('unclaimed alice');
const bob = identity('unclaimed bob');
const laptop = identity('unclaimed laptop');
const w = [identity('uw0'), identity('uw1'), identity('uw2'), identity('uw3')];

async function network(): Promise<Ledger> {
  return newLedger({
    founder: w[0]!,
    witnesses: w,
    allocations: [
      [alice, 1000n],
      [bob, 1000n],
    ],
  });
}

/** Every transaction the ledger accepts, replayed into a bare state whose index a test reads. */
function recorded(ledger: Ledger): () => LedgerState {
  const accepted: VerifiedTx[] = [];
  ledger.onAccepted((tx) => accepted.push(tx));
  return () => {
    const s = new LedgerState(ledger.genesis, registry);
    for (const tx of accepted) insert(s, tx, new Set());
    return s;
  };
}

describe('the index of unclaimed credits', () => {
  it('reads only what the chain has not claimed, however many credits it claimed before', async () => {
    const ledger = await network();
    const stateOf = recorded(ledger);
    for (let i = 0; i < 12; i++) await transfer(ledger, bob, alice, 1n);
    await finalizeAll(ledger, w);
    // Alice's payment claims all twelve; then two more arrive, unclaimed.
    await transfer(ledger, alice, bob, 5n);
    const late = [
      (await transfer(ledger, bob, alice, 2n)).tx,
      (await transfer(ledger, bob, alice, 3n)).tx,
    ];
    await finalizeAll(ledger, w);
    const s = stateOf();
    expect(s.creditsTo.get(alice.key)).toHaveLength(14);
    const head = s.chains.head(alice.key)?.id ?? null;
    const candidates = creditCandidates(s, [[alice.key, head]]);
    expect([...candidates].sort()).toEqual(late.map((tx) => tx.id).sort());
    expect(claimableCredits(s, alice.key).map((c) => [c.id, c.amount])).toEqual(
      late.map((tx, i) => [tx.id, BigInt(i + 2)]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    expect(claimableCredits(s, alice.key)).toEqual(claimableCreditsFullWalk(s, alice.key));
  });

  it('lists a credit claimed on a fork of an inherited chain, on the branch its revocation did not keep', async () => {
    const ledger = await network();
    const stateOf = recorded(ledger);
    expect((await addDevice(ledger, alice, laptop, { allowance: 100n })).status).toBe('accepted');
    const topUp = (await transfer(ledger, alice, laptop, 100n)).tx;
    const gift = (await transfer(ledger, bob, laptop, 25n)).tx;
    await finalizeAll(ledger, w);
    const cert = ledger.head(laptop.key);
    const claimable = ledger.claimableCredits(laptop.key);
    const proofOf = (id: string) => {
      const credit = claimable.find((c) => c.id === id);
      if (!credit) throw new Error('not claimable');
      return [credit.id, ...credit.votes];
    };
    // The laptop pays at seq 1 claiming the top-up only, and that payment becomes final.
    const kept = await sign(laptop, {
      net: ledger.networkId,
      seq: 1,
      prev: cert?.id ?? null,
      deps: [...new Set(proofOf(topUp.id))].sort(),
      type: 'transfer',
      body: { to: fromHex(bob.key), amount: 10n },
      time: 1,
    });
    expect(ledger.insert(kept).status).toBe('accepted');
    await finalizeAll(ledger, w);
    const revoke = await revokeTx(ledger, {
      account: alice,
      target: laptop.key,
      to: alice.key,
      by: alice,
      author: identity('unclaimed revocation'),
    });
    expect(revoke.body).toMatchObject({ head: [1, fromHex(kept.id)] });
    expect(ledger.insert(revoke).status).toBe('accepted');
    await finalizeAll(ledger, w);
    // Then the stolen laptop signs a second seq 1 that claims the gift: a fork below the cap.
    const other = await sign(laptop, {
      net: ledger.networkId,
      seq: 1,
      prev: cert?.id ?? null,
      deps: [...new Set([...proofOf(topUp.id), ...proofOf(gift.id)])].sort(),
      type: 'transfer',
      body: { to: fromHex(bob.key), amount: 20n },
      time: 1,
    });
    expect(ledger.insert(other).status).toBe('accepted');
    const s = stateOf();
    expect(s.chains.forkSeq(laptop.key)).toBe(1);
    expect(s.claimedBy.get(gift.id)).toEqual([other.id]);
    // The gift was claimed on the laptop's chain, but not below the head alice inherits.
    const listed = claimableCredits(s, alice.key);
    expect(listed.map((c) => c.id)).toEqual([revoke.id, gift.id]);
    expect(listed).toEqual(claimableCreditsFullWalk(s, alice.key));
  });
});
