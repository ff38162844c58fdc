// What "a restored ledger decides like the full one" means in the compaction and checkpoint
// properties (test/ledger/compact.properties.test.ts, checkpoint.properties.test.ts).
import { expect } from 'vitest';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import type { TestIdentity } from './network.ts';

/** Whose accounts, proofs and duties are compared: a sim's users and witnesses. */
export interface Cast {
  readonly users: readonly TestIdentity[];
  readonly witnesses: readonly TestIdentity[];
}

/**
 * Every transaction of `txs` has the same status in both, unless the restored ledger is behind:
 * it holds one waiting for a parent its compaction dropped (one the full ledger holds), or does
 * not judge one because it forks a place of a chain the snapshot dropped (intake.ts,
 * beforeSnapshot). Behind, it may know less (a fork the full ledger froze an author for, votes
 * that wait), so it may call pending what the full ledger calls void or final; it still never
 * contradicts it: what it calls final is final, and what it refuses is refused (docs/
 * snapshots.md, "Where a compact peer must wait"). Says whether it was behind.
 */
export function expectSameDecisions(
  full: Ledger,
  restored: Ledger,
  txs: readonly VerifiedTx[],
): { waited: boolean; pruned: boolean } {
  let waited = false;
  let pruned = false;
  for (const tx of txs) {
    const mine = restored.status(tx.id);
    if (mine.state === 'waiting') {
      waited = true;
      for (const id of mine.missing) expect(full.has(id)).toBe(true);
    } else if (mine.state === 'unknown') {
      expect(full.status(tx.id).state, 'a pruned transaction is never final').not.toBe('final');
      pruned = true;
    }
  }
  for (const tx of txs) {
    const mine = restored.status(tx.id);
    if (mine.state === 'waiting' || mine.state === 'unknown') continue;
    const theirs = full.status(tx.id);
    const what = `${tx.type} ${tx.id}`;
    if (!waited && !pruned) expect(mine, what).toEqual(theirs);
    expect(mine.state === 'rejected', what).toBe(theirs.state === 'rejected');
    if (mine.state === 'final') expect(theirs.state, what).toBe('final');
  }
  return { waited, pruned };
}

/** Balances, the audit, claimable credits with their proofs, heads and the witness duty match. */
export function expectSameState(sim: Cast, full: Ledger, restored: Ledger): void {
  for (const key of full.accounts()) expect(restored.account(key), key).toEqual(full.account(key));
  expect(restored.audit()).toEqual({ ok: true });
  for (const user of sim.users) {
    const key = user.key;
    // A frozen author has no head, so every credit it ever had is listed, claimed or not;
    // a wallet signs nothing for it, and the compact state has dropped the claimed ones.
    if (full.isFrozen(key)) continue;
    // The proof may name either of a forked witness's two votes at one seq: which one a
    // ledger lists first depends on arrival order, in the full ledger as well.
    // The order credits are listed in follows arrival (a full ledger's own order differs from
    // peer to peer), so they are compared by id.
    const proofOf = (ledger: Ledger) =>
      ledger
        .claimableCredits(key)
        .map((c) => ({
          ...c,
          votes: c.votes.map((id) => `${full.get(id)?.author}@${full.get(id)?.seq}`),
        }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(proofOf(restored)).toEqual(proofOf(full));
    expect(restored.head(key)).toEqual(full.head(key));
  }
  for (const witness of sim.witnesses) {
    const key = witness.key;
    expect(restored.votableHeads(key)).toEqual(full.votableHeads(key));
  }
}
