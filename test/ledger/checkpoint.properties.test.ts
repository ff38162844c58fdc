// The state of a checkpoint agrees with replay (docs/protocol.md §14.1, §14.4): seeded histories
// of transfers, votes, partitions, equivocating authors and a Byzantine witness, with two nested
// cuts chosen at random, the second's state built on the first's.
//
// - Every peer computes the same state at a cut, whatever else it holds and in whatever order its
//   transactions came: a full peer, and one that started from the first state and received only
//   what came after (so honest witnesses agree on every root, however they started).
// - Snapshot of replay = replay after snapshot: a ledger restored from the second state, given
//   the rest of the history in any order, decides every transaction as the full replay does, or
//   waits for history the snapshots dropped; when nothing waits, balances, proofs, heads and the
//   witness duty match too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../shared/bytes.ts';
import type { TxId } from '../../shared/ids.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import { stateAtCut } from '../../shared/ledger/cutState.ts';
import { expectSameDecisions, expectSameState } from '../helpers/compactCompare.ts';
import { registry } from '../helpers/network.ts';
import { actionArb, permuted, Sim, type Action, type SimConfig } from '../helpers/sim.ts';

const config: SimConfig = {
  users: 4,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  allocation: 300n,
  creditLimit: 100n,
};

const seen = { runs: 0, grew: 0, fromSnapshot: 0, compared: 0, behind: 0 };

/** Up to three valid transactions of `ledger` picked by `picks` among the first `upTo` signed. */
function pickParents(sim: Sim, ledger: Ledger, upTo: number, picks: readonly number[]): TxId[] {
  const valid = sim.signed.slice(0, upTo).filter((tx) => ledger.status(tx.id).state !== 'rejected');
  if (valid.length === 0) return [];
  return [...new Set(picks.map((p) => (valid[p % valid.length] as { id: TxId }).id))];
}

function stateOf(ledger: Ledger, parents: readonly TxId[], base: Uint8Array | null): Uint8Array {
  const state = stateAtCut(ledger, parents, base);
  if (!state.ok) throw new Error(state.error);
  return state.bytes;
}

function restore(sim: Sim, bytes: Uint8Array): Ledger {
  const restored = Ledger.fromCompactBytes(sim.genesis, registry, bytes, 1 << 24);
  if (!restored.ok) throw new Error(restored.error);
  return restored.ledger;
}

describe('the state of a checkpoint agrees with replay', () => {
  it('seeded: the same on every peer, and snapshot of replay = replay after snapshot', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb(config), { minLength: 20, maxLength: 60 }),
        fc.array(actionArb(config), { minLength: 10, maxLength: 50 }),
        fc.array(fc.nat(10_000), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(10_000), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(10_000), { minLength: 1, maxLength: 50 }),
        async (first: Action[], second: Action[], picks1, picks2, order) => {
          seen.runs++;
          const sim = await Sim.create(config);
          await sim.run(first);
          await sim.settle();
          const firstPhase = sim.signed.length;
          await sim.run(second);
          await sim.settle();

          const full = sim.replay(sim.signed);
          const shuffled = sim.replay(permuted(sim.signed, order));
          const early = sim.replay(sim.signed.slice(0, firstPhase));
          const parents1 = pickParents(sim, full, firstPhase, picks1);
          const parents2 = [
            ...new Set([...parents1, ...pickParents(sim, full, sim.signed.length, picks2)]),
          ];

          // Every full peer, whatever it holds beyond the cut and in whatever order.
          const state1 = stateOf(full, parents1, null);
          expect(toHex(stateOf(shuffled, parents1, null))).toBe(toHex(state1));
          expect(toHex(stateOf(early, parents1, null))).toBe(toHex(state1));
          const state2 = stateOf(full, parents2, state1);
          expect(toHex(stateOf(shuffled, parents2, state1))).toBe(toHex(state2));

          // A peer that started from the first state and then received what is not in its cut.
          const cut1 = full.cutOf(parents1);
          const cut2 = full.cutOf(parents2);
          if (!cut1.ok || !cut2.ok) throw new Error('a cut of the full ledger');
          const inFirst = new Set(cut1.txs.map((tx) => tx.id));
          if (cut2.txs.length > cut1.txs.length) seen.grew++;
          const started = restore(sim, state1);
          for (const tx of permuted(sim.signed, order)) if (!inFirst.has(tx.id)) started.insert(tx);
          const there = stateAtCut(started, parents2, state1);
          if (there.ok) {
            seen.fromSnapshot++;
            expect(toHex(there.bytes)).toBe(toHex(state2));
          } else expect(there.error).toMatch(/does not hold transaction/);

          // Replay after the second snapshot decides as the replay of everything.
          const inSecond = new Set(cut2.txs.map((tx) => tx.id));
          const after = sim.signed.filter((tx) => !inSecond.has(tx.id) && tx.id !== sim.genesis.id);
          const restored = restore(sim, state2);
          for (const tx of permuted(after, order)) restored.insert(tx);
          const { waited, pruned } = expectSameDecisions(full, restored, after);
          if (waited || pruned) seen.behind++;
          else {
            seen.compared++;
            expectSameState(sim, full, restored);
          }
        },
      ),
      {
        numRuns: Number(process.env.GPOW_CHECKPOINT_RUNS ?? 40),
        seed: Number(process.env.GPOW_CHECKPOINT_SEED ?? 0x6770_c4e2),
        ...(process.env.GPOW_PATH ? { path: process.env.GPOW_PATH } : {}),
      },
    );
    if (process.env.GPOW_SEEN) console.log(seen);
    // Not vacuous: the second cut added to the first, the snapshot peer computed the second state
    // in most runs, and most runs could be compared in full.
    expect(seen.grew).toBeGreaterThan(seen.runs / 2);
    expect(seen.fromSnapshot).toBeGreaterThan(seen.runs / 2);
    expect(seen.compared).toBeGreaterThan(seen.runs / 2);
  }, 300_000);
});
