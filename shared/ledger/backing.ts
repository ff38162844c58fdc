// What an honest witness votes for (docs/protocol.md §6.4, §12.4, §13.2, §13.3, §13.7): policy,
// not validity. A witness backs every author's latest head, but not a frozen author's, not a
// change its operator did not agree to, not a removed member's later payments, and, where a
// revocation and the chain it closes compete, only the side the vote rules still allow it; and
// never a checkpoint whose state it has not computed and found the same (§14.3).
import type { KeyHex, TxId } from '../ids.ts';
import { capSeq, type Revocation } from './devices.ts';
import { changing, type Proposal } from './epochs.ts';
import type { LedgerState } from './state.ts';
import type { VoteHead } from './votes.ts';

type Head = { id: TxId; seq: number };

/**
 * Heads a witness should vote for now: for every author that is not frozen, its latest
 * transaction other than a vote, when it is above what this witness already voted for. Where
 * a revocation and the chain it closes compete, it keeps to the vote rule of §12.4 and, when
 * free to choose, backs the revocation: a device is revoked because it is lost or stolen.
 */
export function votableHeads(
  s: LedgerState,
  witness: KeyHex,
  backs: (change: TxId) => boolean,
  checked: (checkpoint: TxId) => boolean,
): VoteHead[] {
  const out: VoteHead[] = [];
  for (const author of s.chains.authors()) {
    const latest = latestNonVote(s, author);
    if (!latest) continue;
    const proposal =
      s.proposals.size > 0
        ? s.proposals.byId(s.chains.ancestorAt(latest.id, 0) ?? ('' as TxId))
        : undefined;
    if (proposal && !mayBackChange(s, witness, proposal, backs)) continue;
    const removedAt = s.removalCaps.get(author);
    if (removedAt !== undefined && latest.seq > removedAt) continue;
    const voted = s.votes.maxHeads(author).get(witness) ?? -1;
    let head = s.devices.hasRevocations() ? heldBack(s, witness, author, latest) : latest;
    if (head && s.checkpoints.size > 0) head = belowUnchecked(s, author, head, voted, checked);
    if (head && head.seq > voted) out.push({ author, seq: head.seq, id: head.id });
  }
  return out.sort((a, b) => (a.author < b.author ? -1 : a.author > b.author ? 1 : 0));
}

/**
 * The author's latest transaction that is not a vote. Votes move no money and need not be
 * final, so witnesses certify only other transactions; voting on votes would never end.
 */
function latestNonVote(s: LedgerState, author: KeyHex): Head | undefined {
  return s.chains.isForked(author) ? undefined : s.lastNonVote.get(author);
}

/**
 * The head, or the transaction just below the author's lowest checkpoint above what this
 * witness voted for whose state it has not found the same (§14.3): a vote for a head covers
 * everything below it, so covering a wrong checkpoint's successors would certify it too.
 */
function belowUnchecked(
  s: LedgerState,
  author: KeyHex,
  head: Head,
  voted: number,
  checked: (checkpoint: TxId) => boolean,
): Head | undefined {
  let lowest: { seq: number; prev: TxId | null } | undefined;
  for (const c of s.checkpoints.ofAuthor(author))
    if (c.seq > voted && c.seq <= head.seq && !checked(c.id) && (!lowest || c.seq < lowest.seq))
      lowest = c;
  if (!lowest) return head;
  return lowest.prev === null ? undefined : { id: lowest.prev, seq: lowest.seq - 1 };
}

/**
 * Whether this witness backs a proposed change: its operator agreed to it, it opens the next
 * epoch, and the witness has backed no other change for that epoch (§13.2).
 */
function mayBackChange(
  s: LedgerState,
  witness: KeyHex,
  p: Proposal,
  backs: (change: TxId) => boolean,
): boolean {
  if (!backs(p.id) || changing(s.current) || p.epoch !== s.current.open.epoch + 1) return false;
  const voted = (key: KeyHex) => s.votes.maxHeads(key).get(witness) ?? -1;
  const rivals = s.proposals.forEpoch(p.epoch);
  if (rivals.some((o) => o.id !== p.id && voted(o.author) >= 0)) return false;
  // Among changes it agrees to, every honest witness backs the lowest id.
  return rivals.find((o) => backs(o.id))?.id === p.id;
}

/**
 * Whether a vote counted for an earlier witness set than the current one covers `id`. A
 * witness of a later set never backs what conflicts with such a transaction (§13.3): that is
 * how a later set inherits what the earlier one may have made final.
 */
function lockedBefore(s: LedgerState, id: TxId): boolean {
  const tx = s.valid.get(id)?.tx;
  const epoch = s.current.open.epoch;
  if (!tx || epoch === 0) return false;
  return s.votes.anyRef(
    tx.author,
    (ref) =>
      ref.counts !== null &&
      (s.configs.get(ref.counts)?.epoch ?? epoch) < epoch &&
      s.chains.covers(ref.head, tx),
  );
}

/** The head of `author` this witness may back, given revocations (undefined: none). */
function heldBack(s: LedgerState, witness: KeyHex, author: KeyHex, latest: Head): Head | undefined {
  const voted = (key: KeyHex) => s.votes.maxHeads(key).get(witness) ?? -1;
  const r = s.devices.revocationBy(author);
  if (r) return mayBackRevocation(s, witness, r) ? latest : undefined;
  const caps = s.devices
    .revocationsOf(author)
    .filter(
      (rev) =>
        voted(rev.author) >= 0 || mayBackRevocation(s, witness, rev) || lockedBefore(s, rev.id),
    )
    .map((rev) => rev.head);
  let cap: Head | null | undefined;
  for (const head of caps)
    if (cap === undefined || (head?.seq ?? -1) < (cap?.seq ?? -1)) cap = head;
  if (cap === undefined || latest.seq <= (cap?.seq ?? -1)) return latest;
  return cap ?? undefined;
}

/**
 * Whether this witness may (and, free to choose, will) back revocation `r`: it has not backed
 * the revoked chain above r's head, nor another revocation at the same head; among several
 * at one head it backs the lowest id, as every honest witness does.
 */
function mayBackRevocation(s: LedgerState, witness: KeyHex, r: Revocation): boolean {
  const voted = (key: KeyHex) => s.votes.maxHeads(key).get(witness) ?? -1;
  if (voted(r.target) > capSeq(r)) return false;
  for (const other of s.devices.revocationsOf(r.target)) {
    if (other.id === r.id || capSeq(other) !== capSeq(r)) continue;
    if (voted(other.author) >= 0 || other.id < r.id || lockedBefore(s, other.id)) return false;
  }
  // What an earlier set may have made final above r's head wins (§13.3).
  const above = s.chains.idsAt(r.target, capSeq(r) + 1);
  return !above.some((id) => lockedBefore(s, id));
}
