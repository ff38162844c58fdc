// Per-author chains of valid transactions, indexed by sequence number, with fork detection
// and ancestry queries.
//
// The key fact used for speed: if exactly one valid transaction exists at (author, seq), it is
// the ancestor at that height of every valid transaction of the author with a higher seq,
// because a transaction is valid only when its whole chain is. Walking prev links is needed
// only below a fork, which is rare and always evidence of equivocation.
import type { KeyHex, TxId } from '../ids.ts';

export interface ChainLink {
  readonly author: KeyHex;
  readonly seq: number;
  readonly prev: TxId | null;
}

/** A transaction's place on its chain. */
export interface Position {
  readonly seq: number;
  readonly id: TxId;
}

export class Chains {
  readonly #bySeq = new Map<KeyHex, Map<number, TxId[]>>();
  readonly #forkSeq = new Map<KeyHex, number>();
  readonly #maxSeq = new Map<KeyHex, number>();
  readonly #link: (id: TxId) => ChainLink | undefined;

  constructor(link: (id: TxId) => ChainLink | undefined) {
    this.#link = link;
  }

  /** Records a valid transaction. Returns true when it creates a fork lower than any before. */
  add(author: KeyHex, seq: number, id: TxId): boolean {
    let bySeq = this.#bySeq.get(author);
    if (!bySeq) this.#bySeq.set(author, (bySeq = new Map<number, TxId[]>()));
    const ids = bySeq.get(seq);
    this.#maxSeq.set(author, Math.max(this.#maxSeq.get(author) ?? -1, seq));
    if (!ids) {
      bySeq.set(seq, [id]);
      return false;
    }
    ids.push(id);
    ids.sort();
    if (seq < this.forkSeq(author)) {
      this.#forkSeq.set(author, seq);
      return true;
    }
    return false;
  }

  /** The lowest seq at which the author has two valid transactions, or Infinity. */
  forkSeq(author: KeyHex): number {
    return this.#forkSeq.get(author) ?? Infinity;
  }

  /** Whether the author has two valid transactions at one seq: it equivocated, and is frozen. */
  isForked(author: KeyHex): boolean {
    return this.forkSeq(author) !== Infinity;
  }

  /**
   * The chain head a wallet extends: the author's highest valid transaction. Undefined for an
   * author with no transactions, or a forked one (it must not sign anything more).
   */
  head(author: KeyHex): { id: TxId; seq: number } | undefined {
    if (this.isForked(author)) return undefined;
    const seq = this.maxSeq(author);
    const id = this.idsAt(author, seq)[0];
    return id === undefined ? undefined : { id, seq };
  }

  forkedAuthors(): KeyHex[] {
    return [...this.#forkSeq.keys()];
  }

  idsAt(author: KeyHex, seq: number): readonly TxId[] {
    return this.#bySeq.get(author)?.get(seq) ?? [];
  }

  maxSeq(author: KeyHex): number {
    return this.#maxSeq.get(author) ?? -1;
  }

  /**
   * The seqs from `from` to `to` at which the author has transactions recorded, ascending (or
   * descending), one at a time so that a caller may stop early. Walks the shorter of the range
   * and what is recorded: a compact state (compact.ts) records few seqs of a long chain, and a
   * seq it names need not be small.
   */
  *seqsIn(
    author: KeyHex,
    from: number,
    to: number,
    order: 'up' | 'down' = 'up',
  ): Generator<number> {
    const bySeq = this.#bySeq.get(author);
    const lo = Math.max(from, 0);
    const hi = Math.min(to, this.maxSeq(author));
    if (!bySeq || hi < lo) return;
    if (hi - lo < bySeq.size) {
      const step = order === 'up' ? 1 : -1;
      for (let seq = order === 'up' ? lo : hi; seq >= lo && seq <= hi; seq += step)
        if (bySeq.has(seq)) yield seq;
      return;
    }
    const seqs = [...bySeq.keys()].filter((seq) => seq >= lo && seq <= hi);
    yield* seqs.sort((a, b) => (order === 'up' ? a - b : b - a));
  }

  authors(): IterableIterator<KeyHex> {
    return this.#bySeq.keys();
  }

  /** The ancestor of valid transaction `id` at height `seq` (itself when seq matches). */
  ancestorAt(id: TxId, seq: number): TxId | undefined {
    let link = this.#link(id);
    if (!link || link.seq < seq || seq < 0) return undefined;
    if (link.seq === seq) return id;
    const ids = this.idsAt(link.author, seq);
    if (ids.length === 1) return ids[0];
    let current = id;
    while (link.seq > seq) {
      if (link.prev === null) return undefined;
      current = link.prev;
      link = this.#link(current);
      if (!link) return undefined;
    }
    return current;
  }

  /** True when a vote's head is `tx` or one of its descendants on the same chain. */
  covers(head: Position, tx: Position): boolean {
    return head.seq >= tx.seq && this.ancestorAt(head.id, tx.seq) === tx.id;
  }

  /** True when `ancestor` is `descendant` or lies on its chain. Both must be valid. */
  isAncestorOrEqual(ancestor: TxId, descendant: TxId): boolean {
    const link = this.#link(ancestor);
    return link !== undefined && this.ancestorAt(descendant, link.seq) === ancestor;
  }
}
