// A compact state (docs/snapshots.md, "What later rules read of the past"): the ledger with the
// valid entries dropped that no rule can read again, so that memory and start-up follow the
// state, not the history. A ledger restored from it decides every later transaction as the full
// ledger does, or waits for a parent it dropped ("needs history"); never differently.
//
// Dropped are final transactions, and votes, that nothing kept can name as a parent or read:
// not a chain's head or final head, not a witness's latest vote for an author, not a credit
// some recipient has not yet claimed with a final transaction (nor its claimers, nor the votes
// proving it final), nothing of an author from its fork on. Kept data that still names a dropped transaction (a
// vote's head) keeps its author and seq (a stub), which is all ancestry needs above a fork.
//
// Built so far for genesis, transfers, votes, and the types kept whole (KEPT_WHOLE), devices and
// revocations among them (with each revocation's head: what the heir inherits is read from it).
// A ledger holding any other type is refused with a sentence: their rules read more of the past
// (witness sets, DNEC deadlines judged by witness votes), and each gets its own retention rule
// before it is compacted.
import type { KeyHex, TxId } from '../ids.ts';
import { DEVICE_TYPE, REVOKE_TYPE } from '../tx/device.ts';
import type { ChainLink } from './chains.ts';
import { finalHead, finalityProof, isFinal } from './finality.ts';
import type { LedgerState, ValidEntry } from './state.ts';
import type { VoteMaxima } from './votes.ts';

/**
 * Types kept whole: their rules read nothing of the past but their own index, which restoring
 * rebuilds from them (profile, ssk, network-refound, room-key). Few, and small.
 */
export const KEPT_WHOLE: ReadonlySet<string> = new Set([
  'ssk',
  'profile',
  'network-refound',
  'room-key',
  // Every checkpoint: the next one is checked against the one it follows (checkpoints.ts).
  'checkpoint',
  // Certificates and revocations (§12): who acts for whom, which chains are closed; later
  // revocations cite the certificates in their deps. Few: one per device and per loss.
  DEVICE_TYPE,
  REVOKE_TYPE,
]);
/** The types whose retention rules are written (see the file's header). */
export const COMPACTABLE: ReadonlySet<string> = new Set([
  'genesis',
  'transfer',
  'vote',
  ...KEPT_WHOLE,
]);

export interface CompactState {
  /** Kept valid entries, in an order where parents come first (as they were accepted). */
  readonly entries: readonly ValidEntry[];
  /** Dropped transactions that kept data still names: their place on their chain. */
  readonly stubs: ReadonlyMap<TxId, ChainLink>;
  readonly maxima: VoteMaxima;
  readonly balance: ReadonlyMap<KeyHex, bigint>;
  readonly escrow: ReadonlyMap<TxId, bigint>;
  /** What dropped transactions moved, per account: the audit starts from it. */
  readonly settled: ReadonlyMap<KeyHex, bigint>;
  readonly lastNonVote: ReadonlyMap<KeyHex, { id: TxId; seq: number }>;
  readonly latestVote: ReadonlyMap<KeyHex, { id: TxId; seq: number }>;
  /** This peer's own witness policy (docs/snapshots.md: local state, outside any root). */
  readonly removalCaps: ReadonlyMap<KeyHex, number>;
}

export type Compacted =
  | { readonly ok: true; readonly state: CompactState }
  | { readonly ok: false; readonly error: string };

/** The compact state of `s`, or why it cannot be compacted yet. */
export function compact(s: LedgerState): Compacted {
  for (const entry of s.valid.values()) {
    if (!COMPACTABLE.has(entry.tx.type))
      return {
        ok: false,
        error: `this ledger holds a "${entry.tx.type}" transaction, and compacting those is not built yet`,
      };
  }
  if (s.waiting.size > 0 || s.configs.size > 1)
    return {
      ok: false,
      error: 'a ledger is compacted only when nothing waits and no witness set changed',
    };
  const kept = keptIds(s);
  const entries: ValidEntry[] = [];
  // A ledger restored from a compact state has dropped before: what that moved stays counted.
  const settled = new Map<KeyHex, bigint>(s.settled);
  for (const entry of s.valid.values()) {
    if (kept.has(entry.tx.id)) entries.push(entry);
    else addSettled(settled, entry);
  }
  return {
    ok: true,
    state: {
      entries,
      stubs: stubsFor(entries, kept),
      maxima: s.votes.maxima(),
      balance: new Map(s.balance),
      escrow: new Map(s.escrow),
      settled,
      lastNonVote: new Map(s.lastNonVote),
      latestVote: new Map(s.latestVote),
      removalCaps: new Map(s.removalCaps),
    },
  };
}

/** Everything some rule may read again (the header says what, docs/snapshots.md why). */
export function keptIds(s: LedgerState): Set<TxId> {
  const kept = new Set<TxId>([s.networkId, s.currentId]);
  // What is not final can still change (apply, or lose to a fork). Votes are never final
  // (witnesses certify other transactions only) and move nothing: what later rules read of
  // them is kept by the rules below, and the counted maxima keep the rest.
  for (const [id, entry] of s.valid)
    if (
      KEPT_WHOLE.has(entry.tx.type) ||
      (entry.tx.type !== 'vote' && (!isFinal(s, id) || !entry.applied))
    )
      kept.add(id);
  for (const author of s.chains.authors()) keepChain(s, kept, author);
  // What the witness duty offers to vote for next (votableHeads): a witness's last payment is
  // below its votes, and stays votable until every witness has covered it.
  for (const head of s.lastNonVote.values()) kept.add(head.id);
  keepLatestRefs(s, kept);
  keepUnclaimed(s, kept);
  // What a revoked chain held at its head is what its heir claims (claims.ts, sweepOf, lineOf,
  // inherit), and a succession names the head as the cap of the closed chain.
  for (const entry of s.valid.values())
    if (entry.tx.type === REVOKE_TYPE) {
      const head = s.devices.revocationBy(entry.tx.author)?.head;
      if (head) kept.add(head.id);
    }
  return kept;
}

/**
 * A chain's head (what its next transaction extends) and final head (what a fork of it may
 * extend, and what a revocation names); from a fork on, everything: every branch, and through
 * keepLatestRefs every vote on it.
 */
function keepChain(s: LedgerState, kept: Set<TxId>, author: KeyHex): void {
  for (const id of s.chains.idsAt(author, s.chains.maxSeq(author))) kept.add(id);
  const last = finalHead(s, author);
  if (last) kept.add(last.id);
  if (!s.chains.isForked(author)) return;
  for (const seq of s.chains.seqsIn(author, s.chains.forkSeq(author), s.chains.maxSeq(author)))
    for (const id of s.chains.idsAt(author, seq)) kept.add(id);
}

/**
 * Per witness and author, the latest vote naming the author (the conflicting-vote rule reads
 * it), and every vote naming a forked author's heads from the fork on (finality reads them).
 * A forked witness's branches each have a latest vote: all its votes from its fork on are kept
 * by keepChain, and below it the latest.
 */
function keepLatestRefs(s: LedgerState, kept: Set<TxId>): void {
  // Every author who ever voted has a latest vote: the witnesses, and no one else.
  for (const witness of s.latestVote.keys()) {
    const forkSeq = s.chains.forkSeq(witness);
    for (const author of s.chains.authors()) {
      const refs = s.votes.refs(witness, author);
      let below = false;
      for (let i = refs.length - 1; i >= 0; i--) {
        const ref = refs[i];
        if (!ref) continue;
        if (s.chains.isForked(author) && ref.head.seq >= s.chains.forkSeq(author))
          kept.add(ref.voteId);
        else if (!below && ref.witnessSeq < forkSeq) {
          kept.add(ref.voteId);
          below = true;
        }
      }
    }
  }
}

/**
 * A credit stays until each recipient has claimed it with a final transaction of its own;
 * with it, every transaction that claimed it (who claimed it is how a second claim is refused)
 * and the votes proving it final (what a claim cites).
 */
function keepUnclaimed(s: LedgerState, kept: Set<TxId>): void {
  for (const [id, entry] of s.valid) {
    if (entry.effects.credits.length === 0) continue;
    const claimers = s.claimedBy.get(id) ?? [];
    const done = entry.effects.credits.every((credit) =>
      claimers.some((c) => s.valid.get(c)?.tx.author === credit.to && isFinal(s, c)),
    );
    if (done && !kept.has(id)) continue;
    kept.add(id);
    for (const c of claimers) kept.add(c);
    // On an unforked chain the latest refs kept above already cover it; a forked author's
    // credit may need votes from below its fork, which this keeps.
    for (const vote of finalityProof(s, entry.tx)) kept.add(vote);
  }
}

/** Where kept data names a dropped transaction: each kept vote's heads. */
function stubsFor(entries: readonly ValidEntry[], kept: ReadonlySet<TxId>): Map<TxId, ChainLink> {
  const stubs = new Map<TxId, ChainLink>();
  for (const entry of entries)
    for (const head of entry.heads ?? [])
      if (!kept.has(head.id))
        stubs.set(head.id, { author: head.author, seq: head.seq, prev: null });
  return stubs;
}

function addSettled(settled: Map<KeyHex, bigint>, entry: ValidEntry): void {
  const add = (key: KeyHex, delta: bigint) => settled.set(key, (settled.get(key) ?? 0n) + delta);
  if (entry.effects.debit !== 0n) add(entry.tx.author, -entry.effects.debit);
  for (const credit of entry.effects.credits) add(credit.to, credit.amount);
}

/**
 * Fills `s`, a state fresh from the genesis, with a compact state: the kept entries and their
 * indexes (as acceptance builds them, without validating again: each entry carries what its
 * validation computed), the stubs, and the tables that summarise what was dropped.
 */
export function restore(s: LedgerState, c: CompactState): void {
  for (const entry of c.entries) {
    const { tx } = entry;
    if (tx.id === s.networkId) continue;
    s.valid.set(tx.id, { ...entry });
    for (const claim of entry.claims) push(s.claimedBy, claim, tx.id);
    for (const credit of entry.effects.credits) push(s.creditsTo, credit.to, tx.id);
    s.chains.add(tx.author, tx.seq, tx.id);
    if (entry.heads) s.votes.add(tx.author, tx.seq, tx.id, entry.heads, entry.counts?.key ?? null);
  }
  // The indexes of the types kept whole, rebuilt as acceptance builds them: entries come in an
  // order where parents come first.
  for (const { tx } of c.entries)
    if (KEPT_WHOLE.has(tx.type)) {
      s.registry.get(tx.type)?.accepted?.(tx, s.context(tx));
      s.checkpoints.add(tx);
      s.devices.add(tx);
    }
  for (const [id, link] of c.stubs) {
    s.stubs.set(id, link);
    s.chains.add(link.author, link.seq, id);
  }
  for (const author of s.chains.authors()) s.snapshotTop.set(author, s.chains.maxSeq(author));
  s.votes.restoreMaxima(c.maxima);
  replace(s.balance, c.balance);
  replace(s.escrow, c.escrow);
  replace(s.settled, c.settled);
  replace(s.lastNonVote, c.lastNonVote);
  replace(s.latestVote, c.latestVote);
  replace(s.removalCaps, c.removalCaps);
  // What was final at the cut stays final, whatever forks come later (state.ts, finalAtCut).
  for (const { tx } of c.entries) if (isFinal(s, tx.id)) s.finalAtCut.add(tx.id);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function replace<K, V>(target: Map<K, V>, source: ReadonlyMap<K, V>): void {
  target.clear();
  for (const [k, v] of source) target.set(k, v);
}
