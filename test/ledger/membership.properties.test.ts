// Membership (docs/protocol.md §13.7) as a seeded property: random schedules of admissions,
// removals and closings by a quorum of the witnesses, and members' transfers in two views that
// sync now and then. A transfer is refused as `not-member` exactly when its own causal past
// shows its author not allowed; every arrival order gives the same state; a removed member's
// money stays theirs. fast-check prints the seed and the failing schedule when one fails.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyHex, TxId } from '../../shared/ids.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import {
  memberActionArb,
  MembershipModel,
  MemberSim,
  type MemberAction,
} from '../helpers/membershipSim.ts';

const SEED = 0x6770_0d17;
const seen = {
  runs: 0,
  removals: 0,
  closes: 0,
  refused: 0,
  allowed: 0,
  staleValid: 0,
  rootsCompared: 0,
  keptBalances: 0,
};

async function run(closed: boolean, actions: readonly MemberAction[]): Promise<MemberSim> {
  const sim = await MemberSim.create(closed);
  for (const [i, action] of actions.entries()) {
    await sim.step(action);
    // Now and then the views meet and the changes take effect, so later payments follow them.
    if (i % 12 === 11) await sim.settle(3);
  }
  await sim.settle(4);
  return sim;
}

/** The changes in effect in `ledger`'s view, oldest first. */
function enacted(ledger: Ledger): { remove: readonly KeyHex[]; close: boolean }[] {
  const chain = [];
  for (let change = ledger.epochs.open.change; change !== null;) {
    const p = ledger.proposals().find((x) => x.id === change);
    if (!p) throw new Error(`change ${change} in effect but not held`);
    chain.unshift(p);
    change = ledger.epochsOf(change)?.open.change ?? null;
  }
  return chain;
}

const isValid = (ledger: Ledger, id: TxId) => ledger.epochsOf(id) !== undefined;
/** Applied: valid and not voided by a fork (its money moved). */
const isApplied = (ledger: Ledger, id: TxId) =>
  ['final', 'pending'].includes(ledger.status(id).state);

/** Allocation plus every applied transfer in, minus every applied transfer out. */
function expectedBalance(sim: MemberSim, ledger: Ledger, who: KeyHex): bigint {
  const genesis = sim.genesis.body as { allocations: [Uint8Array, bigint][] };
  let total = 0n;
  for (const [key, amount] of genesis.allocations)
    if (Buffer.from(key).toString('hex') === who) total += amount;
  for (const tx of sim.transfers()) {
    if (!isApplied(ledger, tx.id)) continue;
    const body = tx.body as { to: Uint8Array; amount: bigint };
    if (Buffer.from(body.to).toString('hex') === who) total += body.amount;
    if (tx.author === who) total -= body.amount;
  }
  return total;
}

async function check(sim: MemberSim, closed: boolean): Promise<void> {
  seen.runs++;
  const ledger = sim.views[0] as Ledger;
  const changes = enacted(ledger);
  seen.removals += changes.filter((p) => p.remove.length > 0).length;
  seen.closes += changes.filter((p) => p.close).length;
  const scratch = sim.replay(sim.signed);
  const model = new MembershipModel(scratch, sim, closed);
  const finalChange = ledger.epochs.open.change;
  for (const tx of sim.transfers()) {
    const past = await sim.pastChange(scratch, tx);
    if (!past) continue;
    const allowed = model.allows(past.change, tx.author);
    const refused = ledger.rejectionOf(tx.id)?.code === 'not-member';
    expect(refused, `${tx.id}: allowed in its past = ${allowed}`).toBe(!allowed);
    if (refused) seen.refused++;
    else seen.allowed++;
    // Valid, but signed without knowing of a removal that is now in effect.
    if (!refused && isValid(ledger, tx.id) && !model.allows(finalChange, tx.author))
      seen.staleValid++;
  }
  expect(ledger.audit()).toEqual({ ok: true });
  const total = ledger.accounts().reduce((sum, key) => sum + ledger.account(key).balance, 0n);
  expect(total).toBe(ledger.supply);
  for (const user of sim.users) {
    if (model.allows(finalChange, user.key)) continue;
    // Removed (or never admitted): what they hold is still theirs, and it adds up.
    const balance = ledger.account(user.key).balance;
    expect(balance).toBe(expectedBalance(sim, ledger, user.key));
    if (balance !== 0n) seen.keptBalances++;
  }
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const order = [...items];
  let state = seed;
  for (let i = order.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    const j = Math.abs(state) % (i + 1);
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return order;
}

/** What every transaction became, and every account that holds or owes something. */
function stateOf(ledger: Ledger, txs: readonly VerifiedTx[]) {
  const accounts = ledger
    .accounts()
    .map((key) => [key, ledger.account(key)] as const)
    .filter(([, view]) => view.balance !== 0n || view.available !== 0n);
  return {
    statuses: txs.map((tx) => [ledger.status(tx.id).state, ledger.rejectionOf(tx.id)?.code]),
    accounts,
    epoch: ledger.epochs.open.key,
  };
}

describe('membership across changes', () => {
  it('refuses a transfer as not-member exactly when its own past shows its author not allowed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(memberActionArb, { minLength: 30, maxLength: 70 }),
        async (closed, actions) => check(await run(closed, actions), closed),
      ),
      { seed: SEED, numRuns: 50 },
    );
  });

  it('gives the same state, sets and refusals in every arrival order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(memberActionArb, { minLength: 20, maxLength: 50 }),
        fc.integer(),
        async (closed, actions, shuffleSeed) => {
          const sim = await run(closed, actions);
          const reference = sim.views[0] as Ledger;
          const replayed = sim.replay(shuffled(sim.signed, shuffleSeed));
          expect(stateOf(replayed, sim.signed)).toEqual(stateOf(reference, sim.signed));
          expect(replayed.accounts()).toEqual(reference.accounts());
          expect(replayed.stateRoot()).toBe(reference.stateRoot());
          seen.rootsCompared++;
        },
      ),
      { seed: SEED + 1, numRuns: 25 },
    );
  });

  it('is not vacuous: removals, closings, refusals and stale valid transfers all happened', () => {
    expect(seen.runs).toBeGreaterThanOrEqual(50);
    expect(seen.removals).toBeGreaterThan(20);
    expect(seen.closes).toBeGreaterThan(5);
    expect(seen.refused).toBeGreaterThan(20);
    expect(seen.allowed).toBeGreaterThan(100);
    expect(seen.staleValid).toBeGreaterThan(5);
    expect(seen.rootsCompared).toBeGreaterThan(15);
    expect(seen.keptBalances).toBeGreaterThan(10);
  });
});
