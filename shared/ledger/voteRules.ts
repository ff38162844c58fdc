// The validity rules of a vote (docs/protocol.md §5, §12.4, §13.2). A witness never goes back
// on its word: on its own chain, it never backs two branches of one author, a revocation and
// what it revokes, two revocations at one head, or two changes of the witnesses for one epoch.
// With the quorum intersection of §7, at most one of each such pair is ever final. Every check
// reads only the vote's causal past: what the witness covered is in its earlier votes on its
// chain, or in this vote.
import type * as v from 'valibot';
import { keyHexOf, txIdOf, type KeyHex, type TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import type { voteSchema } from '../tx/vote.ts';
import { capSeq } from './devices.ts';
import type { EpochState } from './epochs.ts';
import type { LedgerState } from './state.ts';
import type { VoteHead } from './votes.ts';

/** What a valid vote names, and whether it covers new work (§15: then it is budget-free). */
export interface CheckedVote {
  readonly heads: VoteHead[];
  /** It moves this witness's word forward on some chain to a transaction that is not a vote. */
  readonly advances: boolean;
}

/** The heads a valid vote names, or why it is not valid. */
export function checkVote(s: LedgerState, tx: Tx, epochs: EpochState): CheckedVote | Rejection {
  if (!epochs.open.witnesses.has(tx.author)) {
    return reject(
      'not-witness',
      epochs.open.epoch === 0
        ? 'only witnesses named in genesis may vote'
        : `not a witness of witness set ${epochs.open.epoch}: only its witnesses may vote`,
    );
  }
  // Votes date the witness's view; deadlines in service contracts are judged by these dates,
  // so a witness's clock may not run backwards along its chain.
  const prevTime = tx.prev === null ? -1 : (s.valid.get(tx.prev)?.voteTime ?? -1);
  if (tx.time < prevTime) {
    return reject(
      'invalid-body',
      `a vote is dated ${tx.time}, before this witness's earlier vote at ${prevTime}`,
    );
  }
  const body = tx.body as v.InferOutput<typeof voteSchema>;
  const heads: VoteHead[] = [];
  let advances = false;
  for (const [authorKey, seq, idBytes] of body.heads) {
    const head: VoteHead = { author: keyHexOf(authorKey), seq, id: txIdOf(idBytes) };
    const target = s.valid.get(head.id);
    // A head is a dependency, or the witness's own prev: a witness may vote on its own chain.
    const referenced = tx.deps.includes(head.id) || head.id === tx.prev;
    if (!referenced || !target || target.tx.author !== head.author || target.tx.seq !== seq) {
      return reject(
        'invalid-body',
        'every voted head must be a dependency with the stated author and seq',
      );
    }
    // A witness never goes back on its word: on its own chain, each vote for an author must
    // extend the last one. (Voting for two branches needs two chains: an equivocation.)
    const earlier = lastVoteOnChain(s, tx, head.author);
    if (earlier && !s.chains.isAncestorOrEqual(earlier.id, head.id)) {
      return reject(
        'conflicting-vote',
        `the vote contradicts this witness's earlier vote at seq ${earlier.seq}`,
      );
    }
    // Votes on votes could ping-pong between witnesses without end: only other work counts.
    if (target.tx.type !== 'vote' && (earlier?.seq ?? -1) < seq) advances = true;
    heads.push(head);
  }
  const changeConflict = s.proposals.size > 0 ? proposalConflict(s, tx, heads) : null;
  if (changeConflict) return changeConflict;
  const conflict = s.devices.hasRevocations() ? revocationConflict(s, tx, heads) : null;
  return conflict ?? { heads, advances };
}

/**
 * The vote rule for changes (§13.2): on its own chain, a witness never backs two different
 * changes for one epoch, so that (with the quorum intersection of §7) at most one is enacted.
 */
function proposalConflict(s: LedgerState, tx: Tx, heads: readonly VoteHead[]): Rejection | null {
  for (const head of heads) {
    // The proposal this head covers: its one-time chain's first transaction. (A key that signed
    // two proposals has two such chains; the head says which.)
    const p = s.proposals.byId(s.chains.ancestorAt(head.id, 0) ?? ('' as TxId));
    if (!p) continue;
    for (const other of s.proposals.forEpoch(p.epoch)) {
      if (other.id === p.id) continue;
      const named = heads.find((h) => h.author === other.author);
      const earlier = named ?? lastVoteOnChain(s, tx, other.author);
      if (earlier && earlier.seq >= 0 && s.chains.ancestorAt(earlier.id, 0) === other.id) {
        return reject(
          'conflicting-vote',
          `the vote would back two different changes of the witnesses for epoch ${p.epoch}`,
        );
      }
    }
  }
  return null;
}

/**
 * The vote rule for revocations (§12.4): on its own chain, a witness never covers both a
 * revocation and a transaction of the revoked chain above the revocation's head, nor two
 * revocations of one chain at the same head. With the quorum intersection of §7, at most one
 * of each such pair is ever final. Reads only the vote's causal past: a covered revocation or
 * head is in an earlier vote on the witness's chain, or in this vote.
 */
function revocationConflict(s: LedgerState, tx: Tx, heads: readonly VoteHead[]): Rejection | null {
  const named = new Map(heads.map((h) => [h.author, h.seq]));
  const covered = (author: KeyHex): number =>
    Math.max(named.get(author) ?? -1, lastVoteOnChain(s, tx, author)?.seq ?? -1);
  const conflict = reject(
    'conflicting-vote',
    'the vote would back both a revocation and what it revokes (or two revocations at one head)',
  );
  for (const head of heads) {
    for (const r of s.devices.revocationsOf(head.author)) {
      if (capSeq(r) < head.seq && covered(r.author) >= 0) return conflict;
    }
    const r = s.devices.revocationBy(head.author);
    if (!r) continue;
    if (covered(r.target) > capSeq(r)) return conflict;
    for (const other of s.devices.revocationsOf(r.target)) {
      if (other.id !== r.id && capSeq(other) === capSeq(r) && covered(other.author) >= 0)
        return conflict;
    }
  }
  return null;
}

/** The head named by the witness's latest earlier vote for `author` on `tx`'s own chain. */
function lastVoteOnChain(s: LedgerState, tx: Tx, author: KeyHex): VoteHead | undefined {
  if (tx.prev === null) return undefined;
  const refs = s.votes.refs(tx.author, author);
  for (let i = refs.length - 1; i >= 0; i--) {
    const ref = refs[i];
    if (ref && ref.witnessSeq < tx.seq && s.chains.isAncestorOrEqual(ref.voteId, tx.prev))
      return ref.head;
  }
  return undefined;
}
