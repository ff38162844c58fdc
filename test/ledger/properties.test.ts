// The ledger's invariants as seeded property tests over simulated partitions, equivocating
// authors and Byzantine witnesses. A failing seed becomes a named regression test below.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { actionArb, Sim, type Action, type SimConfig } from '../helpers/sim.ts';

const SEED = 0x6770_0001;

const mutualCredit: SimConfig = {
  users: 4,
  witnesses: 4,
  byzantine: 1,
  views: 2,
  allocation: 300n,
  creditLimit: 100n,
};
const funded: SimConfig = {
  users: 3,
  witnesses: 7,
  byzantine: 2,
  views: 2,
  allocation: 500n,
  creditLimit: 0n,
};

/** Runs a history, heals the partition, and lets the honest witnesses finish voting. */
async function history(config: SimConfig, actions: readonly Action[]): Promise<Sim> {
  const sim = await Sim.create(config);
  await sim.run(actions);
  sim.healAll();
  for (let round = 0; round < 2; round++) {
    for (let w = 0; w < config.witnesses; w++)
      await sim.step({ kind: 'vote', view: sim.homeView(w), witness: w });
    sim.healAll();
  }
  return sim;
}

/** How often the interesting cases happened, so a property cannot pass vacuously. */
const seen = { runs: 0, equivocations: 0, finals: 0, rejected: 0, byzantineForks: 0 };

function checkInvariants(sim: Sim, ledger: Ledger): void {
  seen.runs++;
  if (ledger.equivocations().length > 0) seen.equivocations++;
  if (ledger.counts().final > 1) seen.finals++;
  if (ledger.counts().rejected > 0) seen.rejected++;
  if (sim.witnesses.slice(0, sim.config.byzantine).some((w) => ledger.isFrozen(w.key)))
    seen.byzantineForks++;
  expect(ledger.audit()).toEqual({ ok: true });
  // Conservation: balances sum to the genesis supply.
  const total = ledger.accounts().reduce((sum, key) => sum + ledger.account(key).balance, 0n);
  expect(total).toBe(ledger.supply);
  // No balance below its limit (the fault assumption holds in these configs).
  for (const key of ledger.accounts())
    expect(ledger.account(key).balance).toBeGreaterThanOrEqual(-ledger.creditLimit);
  // Equivocation is always detected: any two valid transactions at one (author, seq).
  const validAt = new Map<string, string>();
  for (const tx of sim.signed) {
    const state = ledger.status(tx.id).state;
    if (state === 'rejected' || state === 'waiting') continue;
    const slot = `${tx.author}/${tx.seq}`;
    const other = validAt.get(slot);
    if (other && other !== tx.id) {
      expect(ledger.isFrozen(tx.author)).toBe(true);
      expect(
        ledger.equivocations().some((e) => e.author === tx.author && e.ids.includes(tx.id)),
      ).toBe(true);
    }
    validAt.set(slot, tx.id);
  }
  // Safety: two conflicting transactions are never both final.
  const finalAt = new Map<string, string>();
  for (const tx of sim.signed) {
    if (!ledger.isFinal(tx.id)) continue;
    const slot = `${tx.author}/${tx.seq}`;
    const other = finalAt.get(slot);
    expect(other === undefined || other === tx.id).toBe(true);
    finalAt.set(slot, tx.id);
  }
  // Nothing is left waiting once every transaction is present.
  expect(ledger.counts().waiting).toBe(0);
}

const historyArb = (config: SimConfig) =>
  fc.array(actionArb(config), { minLength: 5, maxLength: 40 });

describe('ledger invariants (property tests)', () => {
  for (const [name, config] of [
    ['mutual credit, 1 of 4 witnesses Byzantine', mutualCredit],
    ['funded, 2 of 7 witnesses Byzantine', funded],
  ] as const) {
    it(`order independence, conservation, limits, detection and safety: ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(historyArb(config), fc.nat(), async (actions, shuffleSeed) => {
          const sim = await history(config, actions);
          const reference = sim.views[0] as Ledger;
          checkInvariants(sim, reference);
          for (const view of sim.views) expect(view.stateRoot()).toBe(reference.stateRoot());

          // Any permutation, with duplicates, gives the same state root.
          const shuffled = fc.sample(
            fc.shuffledSubarray(sim.signed, { minLength: sim.signed.length }),
            { seed: shuffleSeed, numRuns: 1 },
          )[0] as VerifiedTx[];
          const withDuplicates = [...shuffled, ...shuffled.slice(0, shuffled.length >> 1)];
          const replayed = sim.replay(withDuplicates);
          expect(replayed.stateRoot()).toBe(reference.stateRoot());
          checkInvariants(sim, replayed);

          // Reverse order: the worst case for waiting on missing parents.
          expect(sim.replay([...sim.signed].reverse()).stateRoot()).toBe(reference.stateRoot());
        }),
        { seed: SEED, numRuns: 40 },
      );
    });
  }

  it('incremental application equals a replay from genesis at every step', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb(mutualCredit), async (actions) => {
        const sim = await history(mutualCredit, actions);
        const incremental = Sim.fresh(sim.genesis);
        for (let i = 0; i < sim.signed.length; i++) {
          incremental.insert(sim.signed[i] as VerifiedTx);
          expect(incremental.audit()).toEqual({ ok: true });
          if (i % 7 === 0)
            expect(incremental.stateRoot()).toBe(
              sim.replay(sim.signed.slice(0, i + 1)).stateRoot(),
            );
        }
        expect(incremental.stateRoot()).toBe((sim.views[0] as Ledger).stateRoot());
      }),
      { seed: SEED + 1, numRuns: 15 },
    );
  });

  it('never accepts a transaction replayed on another network', async () => {
    await fc.assert(
      fc.asyncProperty(historyArb(funded), async (actions) => {
        const sim = await history(funded, actions);
        // Same founder and witnesses, other allocations: another genesis, so another network.
        const other = await Sim.create({ ...funded, allocation: funded.allocation + 1n });
        const elsewhere = other.views[0] as Ledger;
        // A replayed vote can be byte-identical to an earlier one (signatures are deterministic).
        const unique = [...new Map(sim.signed.map((tx) => [tx.id, tx])).values()];
        for (const tx of unique.slice(0, 10)) {
          expect(elsewhere.insert(tx)).toMatchObject({
            status: 'rejected',
            rejection: { code: 'wrong-network' },
          });
        }
      }),
      { seed: SEED + 2, numRuns: 5 },
    );
  });
});

describe('finality safety under Byzantine witnesses and equivocating authors', () => {
  it('never finalizes both spends of an author who double-spends across a partition', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb(funded), { maxLength: 25 }),
        fc.array(actionArb(funded), { maxLength: 25 }),
        async (before, during) => {
          const sim = await Sim.create(funded);
          await sim.run(before);
          sim.healAll();
          // Partition: user0 spends the same funds in both halves; every witness votes in its half.
          await sim.step({ kind: 'transfer', view: 0, from: 0, to: 1, amount: 400n, raw: true });
          await sim.step({ kind: 'transfer', view: 1, from: 0, to: 2, amount: 400n, raw: true });
          await sim.run(during.filter((a) => a.kind !== 'sync'));
          for (let w = 0; w < funded.witnesses; w++) {
            for (let view = 0; view < funded.views; view++)
              await sim.step({ kind: 'vote', view, witness: w });
          }
          sim.healAll();
          for (let w = 0; w < funded.witnesses; w++)
            await sim.step({ kind: 'vote', view: sim.homeView(w), witness: w });
          sim.healAll();
          const ledger = sim.views[0] as Ledger;
          checkInvariants(sim, ledger);
        },
      ),
      { seed: SEED + 3, numRuns: 30 },
    );
  });
});

describe('the properties are not vacuous', () => {
  it('exercised equivocations, finality, rejections and Byzantine forks', () => {
    expect(seen.runs).toBeGreaterThan(100);
    expect(seen.equivocations).toBeGreaterThan(10);
    expect(seen.finals).toBeGreaterThan(10);
    expect(seen.rejected).toBeGreaterThan(10);
    expect(seen.byzantineForks).toBeGreaterThan(5);
  });
});
