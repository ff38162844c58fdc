// The index of credits not known to be final (shared/ledger/pending.ts) in a ledger restored
// from a compact state, whose payer forks at the seq of a final credit it kept. Finality went
// back there once: the votes that showed it name heads the state kept only as stubs, which no
// longer say which branch they are on after the fork. The restored ledger now remembers what was
// final at its cut (state.ts, finalAtCut), as the full ledger does; pending.ts still settles a
// credit only while its payer has no fork, and reopens it when the payer forks.
import { describe, expect, it } from 'vitest';
import { restore } from '../../shared/ledger/compact.ts';
import { isFinal } from '../../shared/ledger/finality.ts';
import { audit } from '../../shared/ledger/integrity.ts';
import { insert } from '../../shared/ledger/intake.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { LedgerState } from '../../shared/ledger/state.ts';
import { account, accountFullWalk } from '../../shared/ledger/views.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import {
  finalizeAll,
  identity,
  newLedger,
  rawTransfer,
  sign,
  transfer,
} from '../helpers/network.ts';
import { stateOf } from '../helpers/replayHistory.ts';

const alice = identity('alice');
const bob = identity('bob');
const carol = identity('carol');
const witnesses = [identity('w1'), identity('w2'), identity('w3'), identity('w4')];

/**
 * alice pays bob three times (bob never claims: kept) and carol three times (carol claims:
 * dropped), then the witnesses vote, naming only her last payment. The full ledger, and one
 * restored from its compact state, with the credits to bob read final in both.
 */
async function history(): Promise<{ full: Ledger; restored: LedgerState; toBob: VerifiedTx[] }> {
  const full = await newLedger({
    witnesses,
    allocations: [
      [alice, 1000n],
      [bob, 10n],
      [carol, 10n],
    ],
  });
  const toBob: VerifiedTx[] = [];
  for (let i = 0; i < 3; i++) toBob.push((await transfer(full, alice, bob, 1n)).tx);
  for (let i = 0; i < 3; i++) await transfer(full, alice, carol, 5n);
  await finalizeAll(full, witnesses);
  for (let i = 0; i < 2; i++) {
    await transfer(full, carol, alice, 1n);
    await finalizeAll(full, witnesses);
  }
  const compacted = full.compact();
  if (!compacted.ok) throw new Error(compacted.error);
  const restored = stateOf(full.genesis);
  restore(restored, compacted.state);
  return { full, restored, toBob };
}

/** alice signs a second transaction at the seq of `at`, on the same parent: she forks. */
async function forkAt(ledger: Ledger, at: VerifiedTx): Promise<VerifiedTx> {
  return sign(alice, rawTransfer(ledger, { seq: at.seq, prev: at.prev }, carol, 1n));
}

describe('the pending index when the payer of a final credit forks after a restore', () => {
  it('reads what the walk reads after the payer forks below a credit it found final', async () => {
    const { full, restored, toBob } = await history();
    const last = toBob[2] as VerifiedTx;
    expect(restored.valid.has(last.id)).toBe(true);
    expect(isFinal(restored, last.id)).toBe(true);
    // Read first, so that the index has settled the credit as final.
    expect(account(restored, bob.key)).toEqual(accountFullWalk(restored, bob.key));
    const fork = await forkAt(full, last);
    expect([full.insert(fork).status, insert(restored, fork, new Set()).status]).toEqual([
      'accepted',
      'accepted',
    ]);
    // The votes cover it through alice's later payments, which the compact state dropped; it
    // was final at the cut, so it stays final.
    expect(isFinal(restored, last.id)).toBe(true);
    expect(account(restored, bob.key)).toEqual(accountFullWalk(restored, bob.key));
    expect(audit(restored)).toEqual({ ok: true });
  });

  // Found by this index's property: the restored ledger voided a credit the full ledger keeps
  // final. It now remembers what was final at its cut (state.ts, finalAtCut).
  it('a restored ledger keeps such a credit final, as the full ledger does', async () => {
    const { full, restored, toBob } = await history();
    const last = toBob[2] as VerifiedTx;
    const fork = await forkAt(full, last);
    full.insert(fork);
    insert(restored, fork, new Set());
    expect(full.isFinal(last.id)).toBe(true);
    expect(isFinal(restored, last.id)).toBe(true);
    expect(account(restored, bob.key)).toEqual(full.account(bob.key));
  });
});
