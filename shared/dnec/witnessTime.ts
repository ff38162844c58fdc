// Clockless deadlines: what the witnesses had seen by a given time.
//
// Peers have no shared clock, and a rule may not read the local one. Witness votes are dated
// (a witness's dates never go back along its chain), so each witness's chain says what it had
// voted for by any time t: its view at t. A witness ANSWERS a question about time t:
// - "seen": its view at t contains the event (known as soon as such a vote exists);
// - "not seen": it has a vote dated after t, and its view at t does not contain the event.
// The witnesses decide together, with thresholds that can never both be met:
// - the event happened by t when a quorum q of witnesses answer "seen";
// - it did not when n − q + 1 witnesses answer "not seen".
// q + (n − q + 1) > n, so deciding both would need a witness with two answers, which needs two
// chains: an equivocation. With every witness answering, exactly one side is reached. The
// decision is the q-th earliest witness sighting, compared with t: a minority of witnesses with
// wrong clocks moves it only within the range honest witnesses saw. See docs/protocol.md §11.
import type { KeyHex, TxId } from '../ids.ts';
import type { LedgerReader } from '../tx/types.ts';

/** One vote per witness: the latest the evidence holds. */
export type Evidence = ReadonlyMap<KeyHex, TxId>;

/** No deadline: "seen at any time" (finality). */
export const ANY_TIME = Number.MAX_SAFE_INTEGER;

/** True when the witness of vote `voteId` had seen transaction `txId` by time `at`. */
export function sawBy(reader: LedgerReader, voteId: TxId, txId: TxId, at: number): boolean {
  const tx = reader.valid(txId);
  if (!tx) return false;
  const head = reader.viewHead(voteId, tx.author, at);
  return head !== undefined && reader.covers(head, tx);
}

/** True when the witness's view at `at` can no longer grow: it has voted after `at`. */
export function viewClosed(reader: LedgerReader, voteId: TxId, at: number): boolean {
  return (reader.valid(voteId)?.time ?? -1) > at;
}

export type Sighting = { readonly seen: TxId } | { readonly absent: true } | undefined;

/**
 * Decides whether one of `candidates` happened by `at`: `seen` names the candidate a quorum saw,
 * `absent` means enough witnesses had closed views without any candidate, undefined means the
 * evidence does not decide yet.
 */
export function sighting(
  reader: LedgerReader,
  evidence: Evidence,
  candidates: readonly TxId[],
  at: number,
): Sighting {
  for (const candidate of candidates) {
    let count = 0;
    for (const vote of evidence.values()) if (sawBy(reader, vote, candidate, at)) count++;
    if (count >= reader.quorum) return { seen: candidate };
  }
  let absent = 0;
  for (const vote of evidence.values()) {
    if (viewClosed(reader, vote, at) && !candidates.some((c) => sawBy(reader, vote, c, at)))
      absent++;
  }
  return absent >= reader.witnesses.length - reader.quorum + 1 ? { absent: true } : undefined;
}

/**
 * Counts, per witness, the distinct keys among `voters` (id → voter) seen by `at`, and decides
 * whether at least `k` of them happened: 'yes' with a quorum of witnesses seeing ≥ k, 'no' with
 * n − q + 1 closed views seeing fewer, undefined otherwise.
 */
export function countAtLeast(
  reader: LedgerReader,
  evidence: Evidence,
  voters: ReadonlyMap<TxId, KeyHex>,
  k: number,
  at: number,
): 'yes' | 'no' | undefined {
  let yes = 0;
  let no = 0;
  for (const vote of evidence.values()) {
    const seen = new Set<KeyHex>();
    for (const [id, voter] of voters) if (sawBy(reader, vote, id, at)) seen.add(voter);
    if (seen.size >= k) yes++;
    else if (viewClosed(reader, vote, at)) no++;
  }
  if (yes >= reader.quorum) return 'yes';
  return no >= reader.witnesses.length - reader.quorum + 1 ? 'no' : undefined;
}

/** The ids among `candidates` that a quorum of the evidence's witnesses saw by `at`. */
export function certifiedAmong(
  reader: LedgerReader,
  evidence: Evidence,
  candidates: Iterable<TxId>,
  at: number,
): TxId[] {
  const out: TxId[] = [];
  for (const id of candidates) {
    let count = 0;
    for (const vote of evidence.values()) if (sawBy(reader, vote, id, at)) count++;
    if (count >= reader.quorum) out.push(id);
  }
  return out;
}

/** From a list of transaction ids, the latest vote of each witness among them. */
export function evidenceFrom(reader: LedgerReader, ids: Iterable<TxId>): Map<KeyHex, TxId> {
  const witnesses = new Set(reader.witnesses);
  const best = new Map<KeyHex, { id: TxId; seq: number }>();
  for (const id of ids) {
    const tx = reader.valid(id);
    if (!tx || tx.type !== 'vote' || !witnesses.has(tx.author)) continue;
    const current = best.get(tx.author);
    if (!current || tx.seq > current.seq || (tx.seq === current.seq && id < current.id)) {
      best.set(tx.author, { id, seq: tx.seq });
    }
  }
  return new Map([...best].map(([witness, { id }]) => [witness, id]));
}
