// Which held transactions a checkpoint's cut covers (docs/protocol.md §14.11), without keeping
// the cut itself: for each author, the tips of its chain inside the cut. A cut is closed under
// parents, so a transaction lies in it exactly when it is one of its author's tips there or an
// ancestor of one; a ledger answers ancestry along one chain from (author, seq) below any fork.
// What this costs is a few ids per author, whatever the length of the history, and extending
// it to the next checkpoint walks only what that checkpoint's cut adds.
import type { KeyHex, TxId } from '../ids.ts';
import type { Ledger } from './ledger.ts';

export class CutCover {
  /** For each author, the tips of its chain in the cut (two or more only for a forked author). */
  readonly #tips: ReadonlyMap<KeyHex, readonly TxId[]>;

  private constructor(tips: ReadonlyMap<KeyHex, readonly TxId[]>) {
    this.#tips = tips;
  }

  /** The cover of no cut: the genesis epoch, before any checkpoint. */
  static readonly none = new CutCover(new Map());

  /**
   * The cover of everything `ledger` holds valid: the cut of a ledger that has just started from
   * a certified state, before anything after the cut came in.
   */
  static ofLedger(ledger: Ledger): CutCover {
    const authors = new Set<KeyHex>();
    for (const id of ledger.validIds()) {
      const tx = ledger.get(id);
      if (tx) authors.add(tx.author);
    }
    const tips = new Map<KeyHex, TxId[]>();
    for (const author of authors) tips.set(author, ledger.tipsOf(author));
    return new CutCover(tips);
  }

  /**
   * Whether the cut holds `id`, a transaction `ledger` holds valid (false for any other). The
   * genesis lies in every cut: every ledger starts from it (epochs publish it all the same).
   */
  covers(ledger: Ledger, id: TxId): boolean {
    if (id === ledger.genesis.id) return true;
    const tx = ledger.get(id);
    if (!tx || ledger.rejectionOf(id)) return false;
    const tips = this.#tips.get(tx.author);
    return tips !== undefined && tips.some((tip) => ledger.reader.isAncestorOrEqual(id, tip));
  }

  /**
   * The cover of a later cut, the causal past of `parents`, which holds this one: only what the
   * later cut adds is walked. A sentence when `ledger` does not hold the whole of what it adds.
   */
  extend(ledger: Ledger, parents: readonly TxId[]): CutCover | string {
    const cut = ledger.cutOf(parents, (id) => this.covers(ledger, id));
    if (!cut.ok) return cut.error;
    const tips = new Map<KeyHex, TxId[]>();
    for (const [author, ids] of this.#tips) tips.set(author, [...ids]);
    for (const tx of cut.txs) {
      const held = tips.get(tx.author) ?? [];
      // Keep the maxima of the author's chain: drop tips below tx, add tx unless one is above it.
      if (held.some((tip) => ledger.reader.isAncestorOrEqual(tx.id, tip))) continue;
      const kept = held.filter((tip) => !ledger.reader.isAncestorOrEqual(tip, tx.id));
      tips.set(tx.author, [...kept, tx.id]);
    }
    return new CutCover(tips);
  }
}
