// The writing budget (docs/protocol.md §15) as seeded properties: like every rule it is decided
// by the causal past alone, so any arrival order gives the same decisions and the same marks;
// a restored compact state carries the marks; and no author writes more than its budget allows
// over the witness time an honest witness's clock has reached, plus the skew.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TxId } from '../../shared/ids.ts';
import { BUDGET_SKEW_MS } from '../../shared/ledger/budget.ts';
import { encodeCompact } from '../../shared/ledger/compactCodec.ts';
import { Ledger } from '../../shared/ledger/ledger.ts';
import type { VerifiedTx } from '../../shared/tx/registry.ts';
import { composeTransfer, composeVote } from '../../shared/wallet/compose.ts';
import { genesisOf, identity, registry, sign, type TestIdentity } from '../helpers/network.ts';
import { permuted } from '../helpers/sim.ts';

const SEED = 0x6770_1501;
const START = 5_000_000;
const BUDGET = { every: 20_000, burst: 2 };
const users = [0, 1, 2].map((i) => identity(`budget user ${i}`));
// Witness 0 is Byzantine: it dates its votes far ahead of everyone.
const witnesses = [0, 1, 2, 3].map((i) => identity(`budget prop witness ${i}`));
const AHEAD = 10 ** 9;

type Step =
  | { kind: 'pay'; from: number; cite: boolean; dt: number }
  | { kind: 'vote'; witness: number; tick: boolean; dt: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('pay' as const),
    from: fc.nat(users.length - 1),
    cite: fc.boolean(),
    dt: fc.nat(2_000),
  }),
  fc.record({
    kind: fc.constant('vote' as const),
    witness: fc.nat(witnesses.length - 1),
    tick: fc.boolean(),
    dt: fc.nat(2_000),
  }),
);

function fresh(genesis: VerifiedTx): Ledger {
  const started = Ledger.fromGenesis(genesis, registry);
  if (!started.ok) throw new Error(started.rejection.message);
  return started.ledger;
}

/** Runs the steps on one ledger, signing each payment whatever its budget says. */
async function run(steps: readonly Step[]) {
  const genesis = await genesisOf({
    witnesses,
    allocations: users.map((u) => [u, 1_000n] as const),
    budget: BUDGET,
    time: START,
  });
  const ledger = fresh(genesis);
  const signed: VerifiedTx[] = [];
  let now = START;
  let honestLatest = START;
  for (const step of steps) {
    now += step.dt;
    const tx =
      step.kind === 'pay' ? await payment(ledger, step, now) : await vote(ledger, step, now);
    if (!tx) continue;
    if (step.kind === 'vote' && step.witness !== 0) honestLatest = now;
    ledger.insert(tx);
    signed.push(tx);
  }
  return { genesis, ledger, signed, honestLatest };
}

async function payment(ledger: Ledger, step: Extract<Step, { kind: 'pay' }>, now: number) {
  const from = users[step.from] as TestIdentity;
  const to = users[(step.from + 1) % users.length] as TestIdentity;
  const composed = composeTransfer(ledger, { from: from.key, to: to.key, amount: 1n, time: now });
  if (!composed.ok) return null;
  const votes = step.cite
    ? witnesses
        .flatMap((w) => ledger.latestVote(w.key) ?? [])
        .filter((id) => id !== composed.tx.prev)
    : [];
  const deps = [...new Set([...composed.tx.deps, ...votes])].sort();
  return sign(from, { ...composed.tx, deps: deps.slice(0, 64) });
}

async function vote(ledger: Ledger, step: Extract<Step, { kind: 'vote' }>, now: number) {
  const w = witnesses[step.witness] as TestIdentity;
  const time = step.witness === 0 ? now + AHEAD : now;
  const composed = composeVote(ledger, w.key, time, { tick: step.tick });
  if (composed === null || !composed.ok) return null;
  return sign(w, composed.tx);
}

const statusOf = (ledger: Ledger, id: TxId) => {
  const s = ledger.status(id);
  return s.state === 'rejected' ? `rejected ${s.rejection.code}` : s.state;
};
const everyone = [...users, ...witnesses];

describe('writing budgets, as properties', () => {
  it('decide the same in any arrival order, and within the bound an honest clock sets', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 20, maxLength: 80 }),
        fc.array(fc.nat(1_000), { minLength: 8, maxLength: 8 }),
        async (steps, keys) => {
          const { genesis, ledger, signed, honestLatest } = await run(steps);
          const other = fresh(genesis);
          for (const tx of permuted(signed, keys)) other.insert(tx);
          for (const tx of signed) expect(statusOf(other, tx.id)).toBe(statusOf(ledger, tx.id));
          for (const who of everyone)
            expect(other.budgetOf(who.key)).toEqual(ledger.budgetOf(who.key));
          for (const user of users) expectWithinBound(ledger, signed, user, honestLatest);
        },
      ),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('carry over a compact state: a restored ledger has the same marks and judges the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 20, maxLength: 60 }), async (steps) => {
        const { genesis, ledger } = await run(steps);
        const compacted = ledger.compactBytes();
        if (!compacted.ok) throw new Error(compacted.error);
        const restored = Ledger.fromCompactBytes(genesis, registry, compacted.bytes, 1 << 26);
        if (!restored.ok) throw new Error(restored.error);
        for (const who of everyone)
          expect(restored.ledger.budgetOf(who.key)).toEqual(ledger.budgetOf(who.key));
        // A state of this network without the marks is refused, not read as full budgets.
        const compact = ledger.compact();
        if (!compact.ok) throw new Error(compact.error);
        const entries = compact.state.entries.map((e) => ({ ...e, budget: null }));
        const bare = encodeCompact(genesis.id, { ...compact.state, entries });
        const refused = Ledger.fromCompactBytes(genesis, registry, bare, 1 << 26);
        expect(refused.ok ? '' : refused.error).toMatch(/lacks the writing budget's mark/);
        const now = START + steps.reduce((t, s) => t + s.dt, 0);
        for (let from = 0; from < users.length; from++) {
          const tx = await payment(ledger, { kind: 'pay', from, cite: true, dt: 0 }, now);
          if (!tx) continue;
          // (The same bytes may have been refused before: the full ledger then knows them.)
          ledger.insert(tx);
          restored.ledger.insert(tx);
          expect(statusOf(restored.ledger, tx.id)).toBe(statusOf(ledger, tx.id));
        }
      }),
      { seed: SEED + 1, numRuns: 15 },
    );
  });
});

/**
 * The bound of §15.2: an author's valid transactions, at `every` each, never exceed a full budget
 * plus how far its clock moved; its clock never passes the floor plus the skew; and the floor
 * never passes the latest date an honest witness wrote.
 */
function expectWithinBound(
  ledger: Ledger,
  signed: readonly VerifiedTx[],
  user: TestIdentity,
  honestLatest: number,
): void {
  const mine = signed.filter(
    (tx) => tx.author === user.key && ledger.status(tx.id).state !== 'rejected',
  );
  const head = ledger.budgetOf(user.key);
  if (mine.length === 0 || head === null) return;
  expect(head.floor).toBeLessThanOrEqual(honestLatest);
  expect(head.clock).toBeLessThanOrEqual(honestLatest + BUDGET_SKEW_MS);
  const spent = mine.length * BUDGET.every;
  expect(spent).toBeLessThanOrEqual(BUDGET.burst * BUDGET.every + (head.clock - START));
}
