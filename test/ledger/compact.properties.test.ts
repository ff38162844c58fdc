// A compact state decides like the full ledger (shared/ledger/compact.ts; docs/snapshots.md):
// seeded histories of transfers, votes, partitions, equivocating authors and a Byzantine
// witness are cut after a first phase; the ledger of the cut is compacted and restored, the rest
// of the history is inserted in a random order, and every decision must match the full ledger's
// replay, except a transaction that waits for a parent the compaction dropped ("needs
// history"). When none waits, balances, finality, claimable credits, the witness duty and the
// audit must match too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
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

const seen = {
  runs: 0,
  dropped: 0,
  droppedEntries: 0,
  cutEntries: 0,
  restInserted: 0,
  waited: 0,
  compared: 0,
  forks: 0,
};

function compareWholly(sim: Sim, full: Ledger, restored: Ledger): void {
  seen.compared++;
  expectSameState(sim, full, restored);
}

describe('a compact state decides like the full ledger', () => {
  it('seeded: cut, compact, restore, then the rest in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb(config), { minLength: 20, maxLength: 60 }),
        fc.array(actionArb(config), { minLength: 10, maxLength: 50 }),
        fc.array(fc.nat(10_000), { minLength: 1, maxLength: 50 }),
        async (first: Action[], second: Action[], order: number[]) => {
          seen.runs++;
          const sim = await Sim.create(config);
          // Rounds of activity, each settled and followed by a payment from every user (which
          // claims what was paid to it): so that much of the first phase is final and claimed.
          for (let round = 0; round < 3; round++) {
            await sim.run(
              first.slice((round * first.length) / 3, ((round + 1) * first.length) / 3),
            );
            await sim.settle();
            for (let u = 0; u < config.users; u++)
              await sim.step({
                kind: 'transfer',
                view: 0,
                from: u,
                to: (u + 1) % config.users,
                amount: 1n,
                raw: false,
              });
            await sim.settle();
          }
          const cut = sim.signed.length;
          await sim.run(second);
          await sim.settle();

          const cutLedger = sim.replay(sim.signed.slice(0, cut));
          const compacted = cutLedger.compact();
          if (!compacted.ok) throw new Error(compacted.error);
          const dropped = cutLedger.validIds().length - compacted.state.entries.length;
          if (dropped > 0) seen.dropped++;
          seen.droppedEntries += dropped;
          seen.cutEntries += cutLedger.validIds().length;
          const started = Ledger.fromCompact(sim.genesis, registry, compacted.state);
          if (!started.ok) throw new Error(started.rejection.message);
          const restored = started.ledger;
          // Right after restoring, it answers as the ledger it came from.
          compareWholly(sim, cutLedger, restored);

          const rest: VerifiedTx[] = permuted(sim.signed.slice(cut), order);
          for (const tx of rest) restored.insert(tx);
          if (rest.length > 0) seen.restInserted++;
          const full = sim.replay(sim.signed);
          if (full.equivocations().length > 0) seen.forks++;

          const { waited, pruned } = expectSameDecisions(full, restored, sim.signed.slice(cut));
          if (waited || pruned) seen.waited++;
          else compareWholly(sim, full, restored);
        },
      ),
      {
        numRuns: Number(process.env.GPOW_COMPACT_RUNS ?? 40),
        seed: Number(process.env.GPOW_COMPACT_SEED ?? 0x6770_c0de),
      },
    );
    // Not vacuous: compaction dropped entries, later transactions came, and most runs could
    // be compared in full.
    expect(seen.dropped).toBeGreaterThan(seen.runs / 2);
    expect(seen.restInserted).toBeGreaterThan(seen.runs / 2);
    expect(seen.compared).toBeGreaterThan(seen.runs / 2);
  }, 300_000);
});
