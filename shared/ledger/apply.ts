// Acceptance (docs/protocol.md §6.4, §6.5, §12.3): a valid transaction joins the indexes, and
// moves money if it applies. A transaction applies unless it is above a fork of its chain, or
// above the head of a final revocation of its chain, and not final: so whether it applies can
// change as votes and forks arrive, and balances follow each change.
import type { KeyHex, TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import { WITNESS_SET_TYPE } from '../tx/witnessSet.ts';
import { capSeq } from './devices.ts';
import { laterState } from './epochs.ts';
import { isFinal } from './finality.ts';
import type { LedgerState, ValidEntry } from './state.ts';
import { capRemoved, proposalOf } from './witnessChanges.ts';

/** Records a valid transaction in the state, and applies what it changes. */
export function accept(s: LedgerState, entry: ValidEntry): void {
  const { tx } = entry;
  s.valid.set(tx.id, entry);
  for (const claim of entry.claims) {
    const list = s.claimedBy.get(claim);
    if (list) list.push(tx.id);
    else s.claimedBy.set(claim, [tx.id]);
  }
  for (const credit of entry.effects.credits) {
    const list = s.creditsTo.get(credit.to);
    if (list) list.push(tx.id);
    else s.creditsTo.set(credit.to, [tx.id]);
  }
  if (tx.type === 'vote') keepHighest(s.latestVote, tx);
  const newFork = s.chains.add(tx.author, tx.seq, tx.id);
  if (tx.type !== 'vote') keepHighest(s.lastNonVote, tx);
  if (entry.heads) s.votes.add(tx.author, tx.seq, tx.id, entry.heads, entry.counts?.key ?? null);
  if (tx.type === WITNESS_SET_TYPE) s.proposals.add(proposalOf(tx));
  const later = laterState(s.current, entry.epochs);
  if (later !== s.current) {
    capRemoved(s, s.current.open, later.open);
    s.current = later;
    s.currentId = tx.id;
  }
  s.devices.add(tx);
  s.checkpoints.add(tx);
  s.registry.get(tx.type)?.accepted?.(tx, s.context(tx));

  if (newFork) refreshAuthor(s, tx.author);
  else setApplied(s, entry, shouldApply(s, entry));
  // New votes can finalize transactions of frozen authors, which then apply, and
  // revocations, which close a chain.
  for (const head of entry.heads ?? []) {
    const closed = s.devices.revocationBy(head.author)?.target;
    if (closed !== undefined) refreshAuthor(s, closed);
    if (refreshFrom(s, head.author) !== Infinity) refreshAuthor(s, head.author);
  }
}

/**
 * Keeps per author its highest-seq transaction; of two at one seq (a fork), the lower id, so
 * that the set of transactions decides and not their arrival order (a checkpoint's state is
 * computed from the set, §14.1).
 */
function keepHighest(map: Map<KeyHex, { id: TxId; seq: number }>, tx: Tx): void {
  const held = map.get(tx.author);
  if (!held || tx.seq > held.seq || (tx.seq === held.seq && tx.id < held.id))
    map.set(tx.author, { id: tx.id, seq: tx.seq });
}

/**
 * A transaction applies unless it is above a fork of its chain or above the head of a final
 * revocation of its chain; even then it applies once final (finality never reverts).
 */
export function shouldApply(s: LedgerState, entry: ValidEntry): boolean {
  const { tx } = entry;
  const cap = capOf(s, tx.author);
  const standing = tx.seq < s.chains.forkSeq(tx.author) && (cap === null || tx.seq <= cap);
  return standing || isFinal(s, tx.id);
}

/** The head seq a final revocation leaves standing on `author`'s chain, or null. */
export function capOf(s: LedgerState, author: KeyHex): number | null {
  let cap: number | null = null;
  for (const r of s.devices.revocationsOf(author)) {
    if (isFinal(s, r.id)) cap = Math.min(cap ?? Infinity, capSeq(r));
  }
  return cap;
}

/** The lowest seq of `author`'s chain whose transactions may not apply (Infinity: none). */
function refreshFrom(s: LedgerState, author: KeyHex): number {
  let from = s.chains.forkSeq(author);
  for (const r of s.devices.revocationsOf(author)) from = Math.min(from, capSeq(r) + 1);
  return from;
}

function refreshAuthor(s: LedgerState, author: KeyHex): void {
  const from = refreshFrom(s, author);
  const to = s.chains.maxSeq(author);
  for (const seq of s.chains.seqsIn(author, from, to)) {
    for (const id of s.chains.idsAt(author, seq)) {
      const entry = s.valid.get(id);
      if (entry) setApplied(s, entry, shouldApply(s, entry));
    }
  }
}

function setApplied(s: LedgerState, entry: ValidEntry, applied: boolean): void {
  if (entry.applied === applied) return;
  entry.applied = applied;
  const sign = applied ? 1n : -1n;
  const { effects, tx } = entry;
  if (effects.debit !== 0n) addBalance(s, tx.author, -sign * effects.debit);
  for (const credit of effects.credits) addBalance(s, credit.to, sign * credit.amount);
  if (effects.lock) addEscrow(s, tx.id, sign * effects.lock);
  if (effects.release) addEscrow(s, effects.release.from, -sign * effects.release.amount);
}

function addEscrow(s: LedgerState, id: TxId, delta: bigint): void {
  const next = (s.escrow.get(id) ?? 0n) + delta;
  if (next === 0n) s.escrow.delete(id);
  else s.escrow.set(id, next);
}

/**
 * An account without an allocation is held only while its balance is not zero: a credit that
 * applied and was then voided by a fork would otherwise leave a key at zero in one arrival order
 * that another order never creates, and the state root lists the accounts held.
 */
function addBalance(s: LedgerState, key: KeyHex, delta: bigint): void {
  const next = (s.balance.get(key) ?? 0n) + delta;
  if (next === 0n && !s.allocation.has(key)) s.balance.delete(key);
  else s.balance.set(key, next);
}
