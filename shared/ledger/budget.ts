// Writing budgets (docs/protocol.md §15): each author may write one transaction per `every` ms
// of witness time, with up to `burst` saved, so that one member's valid flood cannot exhaust the
// others. Like every rule it reads only the transaction's causal past, so every peer decides it
// the same way, in any arrival order.
//
// Time comes from the witnesses, never from the author alone:
// - an entry's **floor** is the latest time a quorum of witnesses had reached before it was
//   made: the q-th latest date among the votes of distinct witnesses among its parents, or a
//   parent's floor, whichever is later. At least one of those q witnesses is honest, so an
//   honest clock had reached the floor before the entry existed.
// - its **clock** is the author's own date, held between the floor and BUDGET_SKEW_MS past it,
//   and never going back along the chain. The skew lets an author whose network has been idle (no votes,
//   so a floor that stands still) spend its saved budget; it adds at most one skew's worth of
//   transactions to a whole chain, since the clock only rises.
// - its **level** is the budget left, in ms of witness time: the previous level plus how far
//   the clock moved, capped at `burst` transactions' worth, minus `every` for this one.
import type { KeyHex } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { GenesisBody } from '../tx/genesis.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import type { Config } from './epochs.ts';

export interface BudgetParams {
  /** Milliseconds of witness time per transaction. */
  readonly every: number;
  /** How many transactions an author may save up and write at once. */
  readonly burst: number;
}

/** A network's budget rule: its parameters, and its genesis's date, the first floor of all. */
export interface BudgetRule extends BudgetParams {
  readonly origin: number;
}

/**
 * What a network founded today gets (§15.3 gives the reasons): two transactions a second,
 * sustained, and a minute's worth at once.
 */
export const DEFAULT_BUDGET: BudgetParams = { every: 500, burst: 120 };

/** How far an author's clock may run ahead of the witnesses' floor. */
export const BUDGET_SKEW_MS = 60_000;

/** What validation computed for an entry (see the header). */
export interface BudgetMark {
  readonly floor: number;
  readonly clock: number;
  readonly level: number;
}

/** What budget validation reads of a parent. */
export interface BudgetParent {
  readonly tx: Tx;
  readonly budget: BudgetMark | null;
  /** For a vote, the witness set it counts for. */
  readonly counts: Config | null;
}

/** The network's budget rule, from its genesis; null for a network founded without one. */
export function budgetRule(genesis: Tx): BudgetRule | null {
  const params = (genesis.body as Partial<GenesisBody>).params?.budget;
  return params ? { every: params.every, burst: params.burst, origin: genesis.time } : null;
}

/** The genesis's mark: its date is the first floor, and its chain starts with a full budget. */
export const genesisMark = (rule: BudgetRule): BudgetMark => ({
  floor: rule.origin,
  clock: rule.origin,
  level: rule.burst * rule.every,
});

/**
 * The latest time a quorum had reached before a transaction with these parents: a parent's
 * floor, or the q-th latest date among the votes of distinct witnesses of one set among them,
 * and never before `origin` (the genesis's date: every transaction of a network follows it).
 */
export function witnessFloor(parents: readonly BudgetParent[], origin = 0): number {
  let floor = origin;
  const dates = new Map<string, { config: Config; latest: Map<KeyHex, number> }>();
  for (const p of parents) {
    floor = Math.max(floor, p.budget?.floor ?? 0);
    if (!p.counts) continue;
    let set = dates.get(p.counts.key);
    if (!set) dates.set(p.counts.key, (set = { config: p.counts, latest: new Map() }));
    const author = p.tx.author;
    set.latest.set(author, Math.max(set.latest.get(author) ?? 0, p.tx.time));
  }
  for (const { config, latest } of dates.values()) {
    if (latest.size < config.quorum) continue;
    const sorted = [...latest.values()].sort((a, b) => b - a);
    floor = Math.max(floor, sorted[config.quorum - 1] as number);
  }
  return floor;
}

/**
 * Where a transaction dated `time` (whose previous entry on its chain is `prev`, if any) leaves
 * its author's budget; a level below zero means it is over by that much. `cost` is 0 for what is
 * bounded otherwise (a vote that covers new work, a type that says so), else 1.
 */
export function nextMark(
  params: BudgetRule,
  time: number,
  prev: BudgetParent | undefined,
  parents: readonly BudgetParent[],
  cost: 0 | 1,
): BudgetMark {
  const floor = witnessFloor(parents, params.origin);
  // Held between the floor and the skew past it: an author whose clock is slow, or was set
  // back, still refills as the witnesses' time moves.
  const own = Math.min(Math.max(time, floor), floor + BUDGET_SKEW_MS);
  const cap = params.burst * params.every;
  const before = prev?.budget;
  if (!before) return { floor, clock: own, level: cap - cost * params.every };
  const clock = Math.max(before.clock, own);
  const level = Math.min(cap, before.level + (clock - before.clock)) - cost * params.every;
  return { floor, clock, level };
}

/** The budget rule: nextMark's mark, or `over-budget` when the author has spent its budget. */
export function markOf(
  params: BudgetRule,
  time: number,
  prev: BudgetParent | undefined,
  parents: readonly BudgetParent[],
  cost: 0 | 1,
): BudgetMark | Rejection {
  const mark = nextMark(params, time, prev, parents, cost);
  return mark.level < 0 ? overBudget(params, -mark.level) : mark;
}

function overBudget(params: BudgetParams, short: number): Rejection {
  return reject(
    'over-budget',
    `the author has spent its writing budget (one transaction every ${params.every} ms of ` +
      `witness time, ${params.burst} at most at once): it may write again once witness time ` +
      `has moved ${short} ms`,
  );
}
