// Signing within the writing budget (docs/protocol.md §15). A wallet never signs a transaction
// its own ledger would refuse as over budget: it cites the witnesses' latest votes when its
// budget needs witness time to have moved, and otherwise says when the author can write again.
import type { KeyHex, TxId } from '../ids.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { CHECKPOINT_TYPE } from '../tx/checkpoint.ts';
import { MAX_DEPS, type UnsignedTx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import { namesOf } from './members.ts';

/** Types whose parents say what they are about: a vote's heads, a checkpoint's cut. */
const EXACT_DEPS: ReadonlySet<string> = new Set(['vote', CHECKPOINT_TYPE]);

/**
 * Adds to `tx`'s deps the current witnesses' latest votes, when its author's budget after it
 * would be below half full: they move the witness floor the budget refills from. Most
 * transactions need none, and so grow by nothing.
 */
export function withBudgetDeps(ledger: Ledger, tx: UnsignedTx): UnsignedTx {
  const params = ledger.budget;
  if (!params || tx.net === null || EXACT_DEPS.has(tx.type)) return tx;
  const after = ledger.budgetAfter(tx.prev, tx.deps, tx.time);
  if (after && after.level * 2 >= params.burst * params.every) return tx;
  const votes = latestVotes(ledger).filter((id) => id !== tx.prev && !tx.deps.includes(id));
  const room = MAX_DEPS - tx.deps.length;
  if (votes.length === 0 || room <= 0) return tx;
  return { ...tx, deps: [...tx.deps, ...votes.slice(0, room)].sort() };
}

/**
 * Null when `tx` is within its author's budget, or the refusal to give instead of signing it,
 * with how long the author should wait. Votes that cover new work and types outside the budget
 * (a beacon) are not previewed: their own rules bound them.
 */
export function budgetRefusal(
  ledger: Ledger,
  tx: UnsignedTx,
): { readonly rejection: Rejection; readonly waitMs: number } | null {
  const params = ledger.budget;
  if (!params || tx.net === null || tx.type === 'vote') return null;
  if (ledger.registry.get(tx.type)?.budgetFree) return null;
  const after = ledger.budgetAfter(tx.prev, tx.deps, tx.time);
  if (!after || after.level >= 0) return null;
  const waitMs = -after.level;
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  const rate = params.every >= 1000 ? `${params.every / 1000} s` : `${params.every} ms`;
  return {
    rejection: reject(
      'over-budget',
      `You have written as much as this network allows for now (one transaction every ${rate}, ` +
        `${params.burst} at most at once): you can write again in about ${seconds} s.`,
    ),
    waitMs,
  };
}

/** The latest vote of each current witness this ledger holds. */
function latestVotes(ledger: Ledger): TxId[] {
  const ids: TxId[] = [];
  for (const witness of ledger.witnesses) {
    const id = ledger.latestVote(witness);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** What `status` and the app say of writing budgets (§15). */
export interface BudgetStatus {
  readonly every: number;
  readonly burst: number;
  /**
   * Authors with less than a tenth of a burst left now, fewest left first (at most `limit`):
   * those writing at their budget's pace, a flood among them.
   */
  readonly strained: ReadonlyArray<{
    /** The chain's key in hex (plain text: this goes over the control socket as it is). */
    readonly author: string;
    /** The name the member gave itself (its profile), if any. */
    readonly name: string | null;
    readonly left: number;
  }>;
}

/**
 * The network's budget and who is near its end now: each author's level at its head, refilled
 * by how far witness time (the floor the witnesses' latest votes give) has moved since. Only
 * `authors` are read (a running peer passes those it saw write lately; by default, everyone).
 */
export function budgetStatus(
  ledger: Ledger,
  authors: Iterable<KeyHex> = ledger.accounts(),
  limit = 10,
): BudgetStatus | null {
  const params = ledger.budget;
  if (!params) return null;
  const now = ledger.budgetAfter(null, latestVotes(ledger), 0)?.floor ?? 0;
  const cap = params.burst * params.every;
  const strained: Array<{ author: KeyHex; left: number }> = [];
  for (const author of authors) {
    const mark = ledger.budgetOf(author);
    if (!mark) continue;
    const level = Math.min(cap, mark.level + Math.max(0, now - mark.clock));
    const left = Math.floor(level / params.every);
    if (left * 10 < params.burst) strained.push({ author, left });
  }
  strained.sort((a, b) => a.left - b.left || (a.author < b.author ? -1 : 1));
  const shown = strained.slice(0, limit);
  // Names read every member's profile: only when someone is to be named (status runs often).
  const nameOf = shown.length > 0 ? namesOf(ledger) : () => null;
  return {
    every: params.every,
    burst: params.burst,
    strained: shown.map(({ author, left }) => ({ author, name: nameOf(author), left })),
  };
}
