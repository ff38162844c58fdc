// Seeded property of the cover of a cut (shared/ledger/cutCover.ts, docs/protocol.md §14.11): over
// random histories of payments, votes and equivocations (a member signing two transactions at
// one seq), the cover of an earlier cut extended to a later one, and the cover of the later cut
// walked at once, both say "in the cut" of exactly the transactions the cut holds. Epochs decide
// what to publish from it, so a wrong answer would drop a transaction from replication (a
// false "covered") or republish history (a false "not covered").
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TxId } from '../../shared/ids.ts';
import { CutCover } from '../../shared/ledger/cutCover.ts';
import type { Ledger } from '../../shared/ledger/ledger.ts';
import {
  identity,
  newLedger,
  rawTransfer,
  sign,
  transfer,
  vote,
  type TestIdentity,
} from '../helpers/network.ts';

const members = ['cc a', 'cc b', 'cc c'].map(identity);
const witnesses = ['cc w1', 'cc w2', 'cc w3', 'cc w4'].map(identity);

type Step =
  | { kind: 'pay'; from: number; to: number }
  | { kind: 'vote'; who: number }
  | { kind: 'fork'; who: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('pay' as const), from: fc.nat(2), to: fc.nat(2) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('vote' as const), who: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fork' as const), who: fc.nat(2) }) },
);

async function apply(ledger: Ledger, step: Step): Promise<void> {
  if (step.kind === 'vote') {
    await vote(ledger, witnesses[step.who] as TestIdentity).catch(() => null);
    return;
  }
  const from = members[step.kind === 'pay' ? step.from : step.who] as TestIdentity;
  if (step.kind === 'pay') {
    const to = members[step.to === step.from ? (step.to + 1) % 3 : step.to] as TestIdentity;
    await transfer(ledger, from, to, 1n).catch(() => null);
    return;
  }
  // A second transaction at the seq of the author's head: a fork (the author is frozen after).
  const head = ledger.head(from.key);
  if (!head || head.seq === 0) return;
  const below = ledger.idsAt(from.key, head.seq - 1)[0] ?? null;
  const other = members[(members.indexOf(from) + 1) % 3] as TestIdentity;
  ledger.insert(await sign(from, rawTransfer(ledger, { seq: head.seq, prev: below }, other, 2n)));
}

/** Every author's tips now: the parents of a cut holding everything the ledger holds so far. */
function everyTip(ledger: Ledger): TxId[] {
  const authors = new Set(ledger.validIds().map((id) => ledger.get(id)?.author));
  return [...authors].flatMap((author) => (author ? ledger.tipsOf(author) : []));
}

function cutSet(ledger: Ledger, parents: readonly TxId[]): Set<TxId> {
  const cut = ledger.cutOf(parents);
  if (!cut.ok) throw new Error(cut.error);
  return new Set([ledger.genesis.id, ...cut.txs.map((tx) => tx.id)]);
}

describe('the cover of a cut (seeded)', () => {
  it('answers as the cut does, extended from an earlier cut or walked at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 5, maxLength: 25 }),
        fc.array(stepArb, { minLength: 5, maxLength: 25 }),
        fc.array(stepArb, { minLength: 0, maxLength: 10 }),
        async (before, between, after) => {
          const ledger = await newLedger({
            witnesses,
            allocations: members.map((m) => [m, 100n] as const),
          });
          for (const step of before) await apply(ledger, step);
          const early = everyTip(ledger);
          for (const step of between) await apply(ledger, step);
          const late = everyTip(ledger);
          // What comes after the later cut is in neither: the tail of its epoch.
          for (const step of after) await apply(ledger, step);
          const one = CutCover.none.extend(ledger, early);
          if (typeof one === 'string') throw new Error(one);
          const chained = one.extend(ledger, late);
          const direct = CutCover.none.extend(ledger, late);
          if (typeof chained === 'string' || typeof direct === 'string') throw new Error('no cut');
          const [inEarly, inLate] = [cutSet(ledger, early), cutSet(ledger, late)];
          for (const id of ledger.validIds()) {
            expect(one.covers(ledger, id)).toBe(inEarly.has(id));
            expect(chained.covers(ledger, id)).toBe(inLate.has(id));
            expect(direct.covers(ledger, id)).toBe(inLate.has(id));
          }
        },
      ),
      { seed: 17_2026, numRuns: 40 },
    );
  }, 120_000);
});
