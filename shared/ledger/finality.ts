// Finality (docs/protocol.md §7, §13.2 rule 5): a transaction is final when, for some witness
// set, a quorum of its witnesses have a vote counted for that set covering it. Votes are never
// discounted, so once final, always final; peers holding the same votes agree.
import type { KeyHex, TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { Config } from './epochs.ts';
import type { LedgerState } from './state.ts';

/** Final: covered by votes of a quorum of witnesses. Genesis is final by definition. */
export function isFinal(s: LedgerState, id: TxId): boolean {
  const entry = s.valid.get(id);
  if (!entry) return false;
  const { tx } = entry;
  if (tx.id === s.networkId || s.finalAtCut.has(id)) return true;
  // Below any fork, every head at or above this seq descends from this transaction.
  const belowFork = tx.seq < s.chains.forkSeq(tx.author);
  for (const config of s.configs.values()) {
    let votes = 0;
    if (belowFork) {
      for (const maxHead of s.votes.countedMax(config.key, tx.author).values())
        if (maxHead >= tx.seq) votes++;
    } else {
      for (const witness of config.sorted) {
        const refs = s.votes.refs(witness, tx.author);
        if (refs.some((ref) => ref.counts === config.key && s.chains.covers(ref.head, tx))) votes++;
      }
    }
    if (votes >= config.quorum) return true;
  }
  return false;
}

/**
 * The witness set (if any) of which a quorum has a counted vote among `candidates` covering
 * transaction `id`; with `only`, that set alone. This is finality as a transaction's own deps
 * prove it: what claims (§6.3), revocation heads (§12.2) and enactments (§13.2) need.
 */
export function quorumAmong(
  s: LedgerState,
  id: TxId,
  candidates: readonly TxId[],
  only?: Config,
): Config | null {
  const target = s.valid.get(id);
  if (!target) return null;
  const voters = new Map<string, Set<KeyHex>>();
  for (const candidate of candidates) {
    const vote = s.valid.get(candidate);
    const config = vote?.counts;
    if (!vote?.heads || !config || (only && config.key !== only.key)) continue;
    const head = vote.heads.find((h) => h.author === target.tx.author);
    if (!head || !s.chains.covers(head, target.tx)) continue;
    let set = voters.get(config.key);
    if (!set) voters.set(config.key, (set = new Set<KeyHex>()));
    set.add(vote.tx.author);
    if (set.size >= config.quorum) return config;
  }
  return null;
}

/**
 * Votes proving `tx` final: for each witness of one set, its latest counted vote covering it,
 * a quorum of them; the latest set that has one. Empty when `tx` is not final.
 */
export function finalityProof(s: LedgerState, tx: Tx, earliest = false): TxId[] {
  for (const config of [...s.configs.values()].reverse()) {
    const votes = proofIn(s, tx, config, earliest);
    if (votes.length > 0) return votes;
  }
  return [];
}

/**
 * A quorum of `config`'s latest counted votes covering `tx` (with `earliest`, each witness's
 * first: the votes that made it final, whose heads lie closest to it), or nothing.
 */
export function proofIn(s: LedgerState, tx: Tx, config: Config, earliest = false): TxId[] {
  const votes: TxId[] = [];
  for (const witness of config.sorted) {
    const refs = s.votes.refs(witness, tx.author);
    for (let k = 0; k < refs.length; k++) {
      const ref = refs[earliest ? k : refs.length - 1 - k];
      if (ref && ref.counts === config.key && s.chains.covers(ref.head, tx)) {
        votes.push(ref.voteId);
        break;
      }
    }
    if (votes.length === config.quorum) return votes;
  }
  return [];
}

/** The highest final transaction of a chain, which a revocation of it names. */
export function finalHead(s: LedgerState, author: KeyHex): { id: TxId; seq: number } | null {
  for (const seq of s.chains.seqsIn(author, 0, s.chains.maxSeq(author), 'down'))
    for (const id of s.chains.idsAt(author, seq)) if (isFinal(s, id)) return { id, seq };
  return null;
}

/**
 * The witnesses of the current set whose counted votes cover transaction `id`: how close it
 * is to final, and who has not seen it yet.
 */
export function backers(s: LedgerState, id: TxId): KeyHex[] {
  const tx = s.valid.get(id)?.tx;
  const config = s.current.open;
  if (!tx) return [];
  return config.sorted.filter((w) =>
    s.votes
      .refs(w, tx.author)
      .some((ref) => ref.counts === config.key && s.chains.covers(ref.head, tx)),
  );
}
