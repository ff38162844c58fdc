// What an account has pending, found without walking every credit it ever received
// (views.ts, account). A member paid 100,000 times would otherwise pay 100,000 finality checks
// on every balance read, and the app reads balances on every render.
//
// What account needs. Its `available` is allocation + final credits - debits, and the balance
// is allocation + applied credits - debits, so available = balance - pending, where pending is
// the sum of the credits to the key that are applied and not final. The final credits cancel
// out: only pending has to be computed, and only credits that are not final can add to it.
//
// The index. Per recipient key K, the credits to K (creditsTo, which only grows) not known to
// be final (`open`), each with how often creditsTo lists it (a transaction crediting K twice is
// listed twice, and the walk counts it twice). It is brought up to date when read, like
// unclaimed.ts: credits appended since the last read (a cursor per key) join `open`, unless
// already final (most are, on a wallet's first read), then each open credit is checked as the
// walk checks it: final, it adds nothing; applied and not final, it adds its amount; neither,
// it adds nothing now and stays open, to be checked again.
// So it needs no hook in acceptance, and a ledger restored from a compact state (compact.ts,
// restore) builds it on its first read. A read costs what was appended since, plus the credits
// still open: those not final yet, and those of forked payers (below).
//
// When a credit found final may leave `open` for good (`settled`). Finality (finality.ts) is
// not safe to assume monotone: at or above a fork of the payer's chain isFinal walks prev
// links, which a ledger restored from a compact state may have dropped, and there a credit
// found final does lose finality when its payer forks at its seq (test/ledger/pending.test.ts).
// So a credit leaves `open` only when it is found final while its payer P has no fork. Then
// isFinal read it through the counted maxima alone (belowFork holds for every seq): a quorum of
// one witness set's witnesses have a counted vote on P at or above its seq. Those maxima only
// rise (VoteIndex.add, restoreMaxima), witness sets are only added (configOf) and never change,
// and valid entries are never removed: while P has no fork, the credit stays final and adds
// nothing, whatever arrives. When P forks (forkedAuthors only grows, in the order forks were
// seen), its settled credits go back to `open` and are checked on every read from then on,
// exactly as the walk checks them.
import type { KeyHex, TxId } from '../ids.ts';
import { creditAmount } from './claims.ts';
import { isFinal } from './finality.ts';
import type { LedgerState } from './state.ts';

interface Slot {
  /** The creditsTo list the cursor reads (a replaced list is read again from the start). */
  list: readonly TxId[];
  /** How many of its entries are in `open` or `settled`. */
  seen: number;
  /** Credits that may still add to pending, with how often the list names each. */
  readonly open: Map<TxId, number>;
  /** Credits found final while their payer had no fork, by payer, as often as listed. */
  readonly settled: Map<KeyHex, TxId[]>;
  /** How many of forkedAuthors() this slot has reopened the settled credits of. */
  forks: number;
}

/** Per recipient, the credits to it that are not known to be final (see the header). */
export class PendingIndex {
  readonly #slots = new Map<KeyHex, Slot>();

  /** The sum of the credits to `key` that are applied and not final, up to date. */
  pending(s: LedgerState, key: KeyHex): bigint {
    const slot = this.#slotOf(s, key);
    reopenForked(s, slot);
    for (; slot.seen < slot.list.length; slot.seen++) {
      const id = slot.list[slot.seen] as TxId;
      // Most credits have been voted final before a read: straight to settled.
      if (slot.open.has(id) || !settle(s, slot, id)) bump(slot.open, id);
    }
    let pending = 0n;
    for (const [id, times] of slot.open) {
      const entry = s.valid.get(id);
      if (!entry) continue;
      if (!isFinal(s, id)) {
        if (entry.applied) pending += creditAmount(s, id, key) * BigInt(times);
      } else if (!s.chains.isForked(entry.tx.author)) {
        slot.open.delete(id);
        keep(slot, entry.tx.author, id, times);
      }
    }
    return pending;
  }

  #slotOf(s: LedgerState, key: KeyHex): Slot {
    const list = s.creditsTo.get(key) ?? [];
    let slot = this.#slots.get(key);
    if (!slot || slot.list !== list) {
      slot = { list, seen: 0, open: new Map(), settled: new Map(), forks: 0 };
      this.#slots.set(key, slot);
    }
    return slot;
  }
}

/** Puts back in `open` the settled credits of every payer that forked since the last read. */
function reopenForked(s: LedgerState, slot: Slot): void {
  const forked = s.chains.forkedAuthors();
  for (; slot.forks < forked.length; slot.forks++) {
    const payer = forked[slot.forks] as KeyHex;
    for (const id of slot.settled.get(payer) ?? []) bump(slot.open, id);
    slot.settled.delete(payer);
  }
}

/** Settles credit `id` (once) when it is final and its payer has no fork; whether it did. */
function settle(s: LedgerState, slot: Slot, id: TxId): boolean {
  const payer = s.valid.get(id)?.tx.author;
  if (payer === undefined || s.chains.isForked(payer) || !isFinal(s, id)) return false;
  keep(slot, payer, id, 1);
  return true;
}

function keep(slot: Slot, payer: KeyHex, id: TxId, times: number): void {
  let byPayer = slot.settled.get(payer);
  if (!byPayer) slot.settled.set(payer, (byPayer = []));
  for (let i = 0; i < times; i++) byPayer.push(id);
}

function bump(counts: Map<TxId, number>, id: TxId): void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}

/** One index per ledger state: a cache beside it, not state (nothing hashes it). */
const indexes = new WeakMap<LedgerState, PendingIndex>();

/** The applied credits to `key` that are not final yet, summed, through the state's index. */
export function pendingCredits(s: LedgerState, key: KeyHex): bigint {
  let index = indexes.get(s);
  if (!index) indexes.set(s, (index = new PendingIndex()));
  return index.pending(s, key);
}
