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
import { registry } from '../helpers/network.ts';
import { actionArb, Sim, type Action, type SimConfig } from '../helpers/sim.ts';

const config: SimConfig = {
  users: 4,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  allocation: 300n,
  creditLimit: 100n,
};

async function settle(sim: Sim): Promise<void> {
  sim.healAll();
  for (let w = 0; w < config.witnesses; w++)
    await sim.step({ kind: 'vote', view: sim.homeView(w), witness: w });
  sim.healAll();
}

/** A permutation of `items` by the seeded keys (fast-check gives them). */
function permuted<T>(items: readonly T[], keys: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, key: keys[i % keys.length]! * 7919 + i }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
}

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
  for (const key of full.accounts()) expect(restored.account(key), key).toEqual(full.account(key));
  expect(restored.audit()).toEqual({ ok: true });
  for (const user of sim.users) {
    const key = user.key;
    // A frozen author has no head, so every credit it ever had is listed, claimed or not;
    // a wallet signs nothing for it, and the compact state has dropped the claimed ones.
    if (full.isFrozen(key)) continue;
    // The proof may name either of a forked witness's two votes at one seq: which one a
    // ledger lists first depends on arrival order, in the full ledger as well.
    const proofOf = (ledger: Ledger) =>
      ledger.claimableCredits(key).map((c) => ({
        ...c,
        votes: c.votes.map((id) => `${full.get(id)?.author}@${full.get(id)?.seq}`),
      }));
    expect(proofOf(restored)).toEqual(proofOf(full));
    expect(restored.head(key)).toEqual(full.head(key));
  }
  for (const witness of sim.witnesses) {
    const key = witness.key;
    expect(restored.votableHeads(key)).toEqual(full.votableHeads(key));
  }
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
            await settle(sim);
            for (let u = 0; u < config.users; u++)
              await sim.step({
                kind: 'transfer',
                view: 0,
                from: u,
                to: (u + 1) % config.users,
                amount: 1n,
                raw: false,
              });
            await settle(sim);
          }
          const cut = sim.signed.length;
          await sim.run(second);
          await settle(sim);

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

          let waited = false;
          for (const tx of sim.signed.slice(cut)) {
            const mine = restored.status(tx.id);
            const theirs = full.status(tx.id);
            if (mine.state === 'waiting') {
              // Only for a parent the compaction dropped: one the full ledger holds.
              waited = true;
              for (const id of mine.missing) expect(full.has(id)).toBe(true);
              continue;
            }
            expect(mine, `${tx.type} ${tx.id}`).toEqual(theirs);
          }
          if (waited) seen.waited++;
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
