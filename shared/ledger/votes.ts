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
}

export class VoteIndex {
  readonly #refs = new Map<KeyHex, Map<KeyHex, VoteRef[]>>();
  readonly #maxHead = new Map<KeyHex, Map<KeyHex, number>>();

  add(witness: KeyHex, witnessSeq: number, voteId: TxId, heads: readonly VoteHead[]): void {
    let byAuthor = this.#refs.get(witness);
    if (!byAuthor) this.#refs.set(witness, (byAuthor = new Map<KeyHex, VoteRef[]>()));
    for (const head of heads) {
      let refs = byAuthor.get(head.author);
      if (!refs) byAuthor.set(head.author, (refs = []));
      // Votes of one branch arrive in chain order, but a forked witness's branches interleave.
      let at = refs.length;
      while (at > 0 && (refs[at - 1] as VoteRef).witnessSeq > witnessSeq) at--;
      refs.splice(at, 0, { voteId, witnessSeq, head });

      let maxByWitness = this.#maxHead.get(head.author);
      if (!maxByWitness) this.#maxHead.set(head.author, (maxByWitness = new Map<KeyHex, number>()));
      maxByWitness.set(witness, Math.max(maxByWitness.get(witness) ?? -1, head.seq));
    }
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
