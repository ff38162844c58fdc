// An index of valid witness votes: for each witness and author, the heads the witness voted
// for, in the order of the witness's own chain.
import type { KeyHex, TxId } from '../ids.ts';

export interface VoteHead {
  readonly author: KeyHex;
  readonly seq: number;
  readonly id: TxId;
}

export interface VoteRef {
  readonly voteId: TxId;
  /** The vote's seq in the witness's own chain. */
  readonly witnessSeq: number;
  readonly head: VoteHead;
  /** The witness set the vote counts for (Config.key, §13), or null: it counts for none. */
  readonly counts: string | null;
}

/**
 * The highest head seq each witness voted for on each author's chain, overall and per witness
 * set it counted for: what finality and the witness duty read, kept whole in a compact state.
 */
export interface VoteMaxima {
  /** [author, witness, seq] */
  readonly heads: ReadonlyArray<readonly [KeyHex, KeyHex, number]>;
  /** [set (Config.key), author, witness, seq] */
  readonly counted: ReadonlyArray<readonly [string, KeyHex, KeyHex, number]>;
}

export class VoteIndex {
  readonly #refs = new Map<KeyHex, Map<KeyHex, VoteRef[]>>();
  readonly #maxHead = new Map<KeyHex, Map<KeyHex, number>>();
  /** Per witness set (Config.key), per author, per witness: the highest head seq counted. */
  readonly #countedMax = new Map<string, Map<KeyHex, Map<KeyHex, number>>>();

  add(
    witness: KeyHex,
    witnessSeq: number,
    voteId: TxId,
    heads: readonly VoteHead[],
    counts: string | null,
  ): void {
    let byAuthor = this.#refs.get(witness);
    if (!byAuthor) this.#refs.set(witness, (byAuthor = new Map<KeyHex, VoteRef[]>()));
    for (const head of heads) {
      let refs = byAuthor.get(head.author);
      if (!refs) byAuthor.set(head.author, (refs = []));
      // Votes of one branch arrive in chain order, but a forked witness's branches interleave.
      let at = refs.length;
      while (at > 0 && (refs[at - 1] as VoteRef).witnessSeq > witnessSeq) at--;
      refs.splice(at, 0, { voteId, witnessSeq, head, counts });

      let maxByWitness = this.#maxHead.get(head.author);
      if (!maxByWitness) this.#maxHead.set(head.author, (maxByWitness = new Map<KeyHex, number>()));
      maxByWitness.set(witness, Math.max(maxByWitness.get(witness) ?? -1, head.seq));
      if (counts !== null) raise(this.#countedMax, counts, head.author, witness, head.seq);
    }
  }

  maxima(): VoteMaxima {
    const heads: Array<readonly [KeyHex, KeyHex, number]> = [];
    for (const [author, byWitness] of this.#maxHead)
      for (const [witness, seq] of byWitness) heads.push([author, witness, seq]);
    const counted: Array<readonly [string, KeyHex, KeyHex, number]> = [];
    for (const [set, byAuthor] of this.#countedMax)
      for (const [author, byWitness] of byAuthor)
        for (const [witness, seq] of byWitness) counted.push([set, author, witness, seq]);
    return { heads, counted };
  }

  /** Raises the maxima to `maxima` (a compact state's: they cover votes it dropped). */
  restoreMaxima(maxima: VoteMaxima): void {
    for (const [author, witness, seq] of maxima.heads) {
      let byWitness = this.#maxHead.get(author);
      if (!byWitness) this.#maxHead.set(author, (byWitness = new Map<KeyHex, number>()));
      byWitness.set(witness, Math.max(byWitness.get(witness) ?? -1, seq));
    }
    for (const [set, author, witness, seq] of maxima.counted)
      raise(this.#countedMax, set, author, witness, seq);
  }

  /** The highest head seq of `author` each witness has a vote counted for set `counts` on. */
  countedMax(counts: string, author: KeyHex): ReadonlyMap<KeyHex, number> {
    return this.#countedMax.get(counts)?.get(author) ?? new Map<KeyHex, number>();
  }

  /** Whether any witness has a vote naming a head of `author` that `accept` accepts. */
  anyRef(author: KeyHex, accept: (ref: VoteRef) => boolean): boolean {
    for (const byAuthor of this.#refs.values()) {
      if (byAuthor.get(author)?.some(accept)) return true;
    }
    return false;
  }

  /** Votes by `witness` that name a head of `author`, in increasing witness seq. */
  refs(witness: KeyHex, author: KeyHex): readonly VoteRef[] {
    return this.#refs.get(witness)?.get(author) ?? [];
  }

  /** The highest head seq each witness has voted for on `author`'s chain. */
  maxHeads(author: KeyHex): ReadonlyMap<KeyHex, number> {
    return this.#maxHead.get(author) ?? new Map<KeyHex, number>();
  }
}

/** Votes needed for finality: at least two thirds of the witnesses, ceil(2n/3). */
export const quorumOf = (witnessCount: number): number => Math.ceil((2 * witnessCount) / 3);

function raise(
  maps: Map<string, Map<KeyHex, Map<KeyHex, number>>>,
  counts: string,
  author: KeyHex,
  witness: KeyHex,
  seq: number,
): void {
  let byAuthor = maps.get(counts);
  if (!byAuthor) maps.set(counts, (byAuthor = new Map<KeyHex, Map<KeyHex, number>>()));
  let byWitness = byAuthor.get(author);
  if (!byWitness) byAuthor.set(author, (byWitness = new Map<KeyHex, number>()));
  byWitness.set(witness, Math.max(byWitness.get(witness) ?? -1, seq));
}
