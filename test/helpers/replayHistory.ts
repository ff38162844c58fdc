// Replays a signed history into bare ledger states and runs a check after every arrival: the
// whole history in a random order, then its first half compacted and restored into a fresh
// state (read once, so a cache is built in one go), and the rest in a random order. What the
// properties comparing an index with its full walk share.
import { compact, restore } from '../../shared/ledger/compact.ts';
import { insert } from '../../shared/ledger/intake.ts';
import { LedgerState } from '../../shared/ledger/state.ts';
import type { GenesisBody } from '../../shared/tx/genesis.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { registry } from './network.ts';
import { permuted } from './sim.ts';

export function stateOf(genesis: VerifiedTx): LedgerState {
  return new LedgerState(genesis as VerifiedTx<GenesisBody>, registry);
}

/** Inserts `txs` one at a time, running `check` after each, as a wallet reads between them. */
export function replayChecking(
  s: LedgerState,
  txs: readonly VerifiedTx[],
  check: (s: LedgerState) => void,
): void {
  for (const tx of txs) {
    insert(s, tx, new Set());
    check(s);
  }
}

/**
 * The history in the order `order` permutes it, checked at every step; then restored from a
 * compact state of its first half and the rest replayed. Whether a restore happened (a ledger
 * holding types compact.ts does not handle yet is not compacted).
 */
export function replayHistory(
  genesis: VerifiedTx,
  signed: readonly VerifiedTx[],
  order: readonly number[],
  check: (s: LedgerState) => void,
): boolean {
  replayChecking(stateOf(genesis), permuted(signed, order), check);
  const cut = Math.ceil(signed.length / 2);
  const first = stateOf(genesis);
  for (const tx of signed.slice(0, cut)) insert(first, tx, new Set());
  check(first);
  const compacted = compact(first);
  if (!compacted.ok) return false;
  const restored = stateOf(genesis);
  restore(restored, compacted.state);
  check(restored);
  replayChecking(restored, permuted(signed.slice(cut), order), check);
  return true;
}
