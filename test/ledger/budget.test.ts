// Writing budgets (docs/protocol.md §15): an author writes one transaction per `every` ms of
// witness time, `burst` at most at once. Witness time is the q-th latest date among distinct
// witnesses' votes in a transaction's past, so a minority of witnesses with wrong clocks cannot
// move it forward; votes that cover new work are free.
import { describe, expect, it } from 'vitest';
import type { TxId } from '../../shared/ids.ts';
import { BUDGET_SKEW_MS, witnessFloor, type BudgetParent } from '../../shared/ledger/budget.ts';
import { makeConfig } from '../../shared/ledger/epochs.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import type { Tx } from '../../shared/tx/envelope.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { budgetRefusal, budgetStatus, withBudgetDeps } from '../../shared/wallet/budget.ts';
import { identity, newLedger, sign, type TestIdentity } from '../helpers/network.ts';

const witnesses = [0, 1, 2, 3].map((i) => identity(`budget witness ${i}`));
const [alice, bob] = [identity('budget alice'), identity('budget bob')];
const BUDGET = { every: 1_000, burst: 3 };
const START = 1_000_000;

const budgetNetwork = () =>
  newLedger({
    witnesses,
    allocations: [
      [alice, 1_000n],
      [bob, 1_000n],
    ],
    budget: BUDGET,
    time: START,
  });

/** Alice pays bob 1, dated `time`, citing `deps` as well; signed without the wallet's checks. */
async function pay(ledger: Ledger, time: number, deps: readonly TxId[] = []): Promise<VerifiedTx> {
  const composed = composeTransfer(ledger, { from: alice.key, to: bob.key, amount: 1n, time });
  if (!composed.ok) throw new Error(composed.rejection.message);
  const all = [...new Set([...composed.tx.deps, ...deps])].sort();
  return sign(alice, { ...composed.tx, deps: all });
}

async function voteAt(ledger: Ledger, w: TestIdentity, time: number, tick = false) {
  const composed = composeVote(ledger, w.key, time, { tick });
  if (composed === null || !composed.ok) throw new Error('nothing to vote for');
  const tx = await sign(w, composed.tx);
  expect(ledger.insert(tx).status).toBe('accepted');
  return tx;
}

describe('the witness floor', () => {
  const config = makeConfig(
    0,
    witnesses.map((w) => w.key),
    null,
  );
  const voteBy = (w: TestIdentity, time: number): BudgetParent => ({
    tx: { author: w.key, time } as Tx,
    budget: null,
    counts: config,
  });

  it('is the q-th latest date among distinct witnesses, so one early clock cannot raise it', () => {
    const [w0, w1, w2, w3] = witnesses;
    const far = START + 10 ** 9;
    // Quorum 3 of 4: one witness dating far ahead moves nothing past the third latest date.
    const parents = [voteBy(w0!, far), voteBy(w1!, 500), voteBy(w2!, 400), voteBy(w3!, 300)];
    expect(witnessFloor(parents)).toBe(400);
    // Two votes of one witness count once, at its latest date.
    expect(witnessFloor([voteBy(w0!, far), voteBy(w0!, far), voteBy(w1!, 500)])).toBe(0);
    // A parent's floor carries over.
    const carried: BudgetParent = {
      ...voteBy(w1!, 1),
      counts: null,
      budget: { floor: 700, clock: 0, level: 0 },
    };
    expect(witnessFloor([...parents, carried])).toBe(700);
  });
});

describe('a writing budget', () => {
  it('refuses the transaction past the burst, and takes it once witness time has moved', async () => {
    const ledger = await budgetNetwork();
    let time = START;
    for (let i = 0; i < BUDGET.burst; i++) {
      expect(ledger.insert(await pay(ledger, time)).status).toBe('accepted');
    }
    const over = await pay(ledger, time);
    const outcome = ledger.insert(over);
    expect(outcome.status).toBe('rejected');
    expect(ledger.rejectionOf(over.id)?.code).toBe('over-budget');
    expect(ledger.rejectionOf(over.id)?.message).toMatch(
      /may write again once witness time has moved 1000 ms/,
    );
    // Three witnesses vote two seconds later: citing their votes gives two transactions' worth.
    time += 2_000;
    const votes = [];
    for (const w of witnesses.slice(0, 3)) votes.push((await voteAt(ledger, w, time)).id);
    expect(ledger.insert(await pay(ledger, time, votes)).status).toBe('accepted');
    expect(ledger.insert(await pay(ledger, time, votes)).status).toBe('accepted');
    const third = await pay(ledger, time, votes);
    ledger.insert(third);
    expect(ledger.rejectionOf(third.id)?.code).toBe('over-budget');
  });

  it('does not refill from a minority of witnesses dating their votes ahead', async () => {
    const ledger = await budgetNetwork();
    for (let i = 0; i < BUDGET.burst; i++) ledger.insert(await pay(ledger, START));
    // One witness of four (f = 1) dates its vote a day ahead; the others vote at START.
    const day = 86_400_000;
    const liar = await voteAt(ledger, witnesses[0] as TestIdentity, START + day);
    const honest = [];
    for (const w of witnesses.slice(1)) honest.push((await voteAt(ledger, w, START)).id);
    const head = ledger.head(alice.key)?.id ?? null;
    expect(ledger.budgetAfter(head, [liar.id, ...honest], START + day)?.floor).toBe(START);
    // Dated a day ahead too, the author gets only the skew past the floor: one burst, not a day.
    for (let i = 0; i < BUDGET.burst; i++) {
      expect(ledger.insert(await pay(ledger, START + day, [liar.id, ...honest])).status).toBe(
        'accepted',
      );
    }
    const tx = await pay(ledger, START + day, [liar.id, ...honest]);
    ledger.insert(tx);
    expect(ledger.rejectionOf(tx.id)?.code).toBe('over-budget');
    expect(ledger.budgetOf(alice.key)?.clock).toBe(START + BUDGET_SKEW_MS);
  });

  it("refills an author whose own clock is far behind, as the witnesses' time moves", async () => {
    const ledger = await budgetNetwork();
    for (let i = 0; i < BUDGET.burst; i++) ledger.insert(await pay(ledger, START));
    const votes = [];
    for (const w of witnesses.slice(0, 3)) votes.push((await voteAt(ledger, w, START + 3_000)).id);
    const slow = 1; // a clock far behind everyone's
    for (let i = 0; i < BUDGET.burst; i++)
      expect(ledger.insert(await pay(ledger, slow, votes)).status).toBe('accepted');
    expect(ledger.budgetOf(alice.key)?.clock).toBe(START + 3_000);
  });

  it('lets an idle network spend saved budget within the skew, and no further', async () => {
    const ledger = await budgetNetwork();
    for (let i = 0; i < BUDGET.burst; i++) ledger.insert(await pay(ledger, START));
    // No votes at all: the floor stays at the genesis date; the author's own date counts up to
    // BUDGET_SKEW_MS past it, once for the whole chain.
    const later = START + BUDGET_SKEW_MS + 3_600_000;
    expect(ledger.insert(await pay(ledger, later)).status).toBe('accepted');
    expect(ledger.budgetOf(alice.key)?.clock).toBe(START + BUDGET_SKEW_MS);
    expect(ledger.insert(await pay(ledger, later)).status).toBe('accepted');
    expect(ledger.insert(await pay(ledger, later)).status).toBe('accepted');
    const fourth = await pay(ledger, later);
    ledger.insert(fourth);
    expect(ledger.rejectionOf(fourth.id)?.code).toBe('over-budget');
  });

  it('charges nothing for votes that cover new work, and a tick like any transaction', async () => {
    const ledger = await budgetNetwork();
    const w0 = witnesses[0] as TestIdentity;
    ledger.insert(await pay(ledger, START));
    await voteAt(ledger, w0, START + 10);
    const full = BUDGET.burst * BUDGET.every;
    expect(ledger.budgetOf(w0.key)?.level).toBe(full);
    await voteAt(ledger, w0, START + 20, true);
    expect(ledger.budgetOf(w0.key)?.level).toBe(full - BUDGET.every);
  });

  it('is not in networks founded without one', async () => {
    const ledger = await newLedger({ witnesses, allocations: [[alice, 1_000n]] });
    for (let i = 0; i < 10; i++)
      expect(ledger.insert(await pay(ledger, 0)).status).toBe('accepted');
    expect(ledger.budgetOf(alice.key)).toBeNull();
  });
});

describe('the wallet and the budget', () => {
  it('cites the latest votes when the budget runs low, and refuses to sign past it', async () => {
    const ledger = await budgetNetwork();
    ledger.insert(await pay(ledger, START));
    const votes = [];
    for (const w of witnesses.slice(0, 3)) votes.push((await voteAt(ledger, w, START + 5_000)).id);
    ledger.insert(await pay(ledger, START + 5_000));
    // Below half full after the next one: the wallet cites the votes, and the level refills.
    const composed = composeTransfer(ledger, {
      from: alice.key,
      to: bob.key,
      amount: 1n,
      time: START + 5_000,
    });
    if (!composed.ok) throw new Error(composed.rejection.message);
    const withVotes = withBudgetDeps(ledger, composed.tx);
    for (const id of votes) expect(withVotes.deps).toContain(id);
    expect(budgetRefusal(ledger, withVotes)).toBeNull();
    expect(ledger.insert(await sign(alice, withVotes)).status).toBe('accepted');
    // Spent: the wallet says so, and when.
    ledger.insert(await sign(alice, withBudgetDeps(ledger, nextPay(ledger))));
    ledger.insert(await sign(alice, withBudgetDeps(ledger, nextPay(ledger))));
    const refusal = budgetRefusal(ledger, withBudgetDeps(ledger, nextPay(ledger)));
    expect(refusal?.rejection.code).toBe('over-budget');
    expect(refusal?.waitMs).toBe(1_000);
    expect(refusal?.rejection.message).toMatch(/you can write again in about 1 s/);
  });
});

describe('what status says of budgets', () => {
  it('names the authors near their budget now, and forgets them once witness time refills it', async () => {
    const ledger = await budgetNetwork();
    expect(budgetStatus(ledger)).toEqual({ ...BUDGET, strained: [] });
    for (let i = 0; i < BUDGET.burst; i++) ledger.insert(await pay(ledger, START));
    expect(budgetStatus(ledger)?.strained).toEqual([{ author: alice.key, name: null, left: 0 }]);
    // A quorum votes three seconds later: three transactions' worth is back, a full burst.
    for (const w of witnesses.slice(0, 3)) await voteAt(ledger, w, START + 3_000);
    expect(budgetStatus(ledger)?.strained).toEqual([]);
    expect(budgetStatus(await newLedger({ witnesses, allocations: [] }))).toBeNull();
  });
});

function nextPay(ledger: Ledger) {
  const composed = composeTransfer(ledger, {
    from: alice.key,
    to: bob.key,
    amount: 1n,
    time: START + 5_000,
  });
  if (!composed.ok) throw new Error(composed.rejection.message);
  return composed.tx;
}
