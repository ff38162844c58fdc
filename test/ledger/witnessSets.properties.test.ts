// Safety across changes of the witnesses (docs/protocol.md §13.3), as a seeded property: random
// schedules of proposals, backing, partitions, double spends and a Byzantine witness that keeps
// voting after its removal. Two conflicting transactions are never both final, money is
// conserved, and every order of the same transactions gives the same state and witness sets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import {
  reconfigActionArb,
  ReconfigSim,
  POOL,
  type ReconfigAction,
} from '../helpers/reconfigSim.ts';

const SEED = 0x6770_0d13;
const seen = { runs: 0, changes: 0, twoChanges: 0, doubleSpends: 0, finalAfterChange: 0 };

async function run(before: readonly ReconfigAction[], during: readonly ReconfigAction[]) {
  const sim = await ReconfigSim.create();
  // The history before the partition heals now and then, so that changes can follow changes.
  for (const [i, action] of before.entries()) {
    await sim.step(action);
    if (i % 15 === 14) await settleAll(sim, 2);
  }
  sim.healAll();
  // Partition: user0 spends the same funds in both views while the schedule goes on.
  await sim.step({ kind: 'pay', view: 0, from: 0, to: 1, amount: 450n });
  await sim.step({ kind: 'pay', view: 1, from: 0, to: 2, amount: 450n });
  for (const action of during) if (action.kind !== 'sync') await sim.step(action);
  for (let w = 0; w < POOL; w++) for (let view = 0; view < 2; view++) await sim.vote(view, w, true);
  sim.healAll();
  await settleAll(sim, 4);
  return sim;
}

/** Heals the partition and lets every witness vote (and back changes) a few rounds. */
async function settleAll(sim: ReconfigSim, rounds: number): Promise<void> {
  sim.healAll();
  for (let round = 0; round < rounds; round++) {
    for (let w = 0; w < POOL; w++) await sim.vote(w % 2, w, true);
    sim.healAll();
  }
}

function check(sim: ReconfigSim, ledger: Ledger): void {
  seen.runs++;
  if (ledger.epochs.open.epoch >= 1) seen.changes++;
  if (ledger.epochs.open.epoch >= 2) seen.twoChanges++;
  if (ledger.equivocations().length > 0) seen.doubleSpends++;
  expect(ledger.audit()).toEqual({ ok: true });
  const total = ledger.accounts().reduce((sum, key) => sum + ledger.account(key).balance, 0n);
  expect(total).toBe(ledger.supply);
  for (const fork of ledger.equivocations()) {
    const final = fork.ids.filter((id) => ledger.isFinal(id));
    expect(final.length, `both sides of ${fork.author.slice(0, 8)}#${fork.seq} final`).toBeLessThan(
      2,
    );
  }
  for (const key of ledger.accounts())
    expect(ledger.account(key).balance).toBeGreaterThanOrEqual(0n);
  const late = sim.signed.filter((tx) => tx.type === 'transfer' && ledger.isFinal(tx.id));
  if (ledger.epochs.open.epoch >= 1 && late.length > 0) seen.finalAfterChange++;
}

describe('safety across changes of the witnesses', () => {
  it('never finalizes both sides of a double spend, whatever the changes and partitions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(reconfigActionArb, { minLength: 20, maxLength: 60 }),
        fc.array(reconfigActionArb, { maxLength: 40 }),
        async (before, during) => {
          const sim = await run(before, during);
          check(sim, sim.views[0] as Ledger);
        },
      ),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('gives the same state and witness sets in every order of the same transactions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(reconfigActionArb, { maxLength: 40 }),
        fc.array(reconfigActionArb, { maxLength: 20 }),
        fc.integer(),
        async (before, during, shuffleSeed) => {
          const sim = await run(before, during);
          const reference = sim.views[0] as Ledger;
          const order = [...sim.signed];
          let state = shuffleSeed;
          for (let i = order.length - 1; i > 0; i--) {
            state = (Math.imul(state, 1103515245) + 12345) | 0;
            const j = Math.abs(state) % (i + 1);
            [order[i], order[j]] = [
              order[j] as (typeof order)[number],
              order[i] as (typeof order)[number],
            ];
          }
          const replayed = sim.replay(order);
          expect(replayed.stateRoot()).toBe(reference.stateRoot());
          expect(replayed.epochs.open.key).toBe(reference.epochs.open.key);
        },
      ),
      { seed: SEED + 1, numRuns: 30 },
    );
  });

  it('is not vacuous: changes, second changes and double spends all happened', () => {
    expect(seen.runs).toBeGreaterThanOrEqual(60);
    expect(seen.changes).toBeGreaterThan(10);
    expect(seen.twoChanges).toBeGreaterThan(2);
    expect(seen.doubleSpends).toBeGreaterThan(10);
    expect(seen.finalAfterChange).toBeGreaterThan(5);
  });
});
