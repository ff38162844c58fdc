// Read-only views of the ledger's state for wallets, status displays and the engine
// (docs/protocol.md §6.5): a transaction's status, accounts, equivocations, escrows and totals.
import type { KeyHex, TxId } from '../ids.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import { capOf } from './apply.ts';
import { creditAmount } from './claims.ts';
import { isFinal } from './finality.ts';
import { pendingCredits } from './pending.ts';
import type { LedgerState } from './state.ts';

export type TxStatus =
  | { readonly state: 'final' }
  | { readonly state: 'pending' }
  | { readonly state: 'void'; readonly rejection: Rejection }
  | { readonly state: 'waiting'; readonly missing: readonly TxId[] }
  | { readonly state: 'rejected'; readonly rejection: Rejection }
  | { readonly state: 'unknown' };

export interface AccountView {
  /** Everything applied so far, final or not. */
  readonly balance: bigint;
  /** Genesis allocation plus final credits, minus debits: what the owner can spend. */
  readonly available: bigint;
  /** Credits that are applied but not yet final. */
  readonly pending: bigint;
  readonly frozen: boolean;
}

export interface Equivocation {
  readonly author: KeyHex;
  readonly seq: number;
  readonly ids: readonly TxId[];
}

export function status(s: LedgerState, id: TxId): TxStatus {
  const entry = s.valid.get(id);
  if (entry) {
    if (!entry.applied) {
      const cap = capOf(s, entry.tx.author);
      if (cap !== null && entry.tx.seq > cap) {
        return {
          state: 'void',
          rejection: reject(
            'revoked-device',
            'its device was revoked before this counted; it moved no money',
          ),
        };
      }
      return {
        state: 'void',
        rejection: reject('frozen-author', 'the author equivocated and this branch is not final'),
      };
    }
    return isFinal(s, id) ? { state: 'final' } : { state: 'pending' };
  }
  const rejection = s.rejected.get(id);
  if (rejection) return { state: 'rejected', rejection };
  const waiting = s.waiting.get(id);
  if (waiting) return { state: 'waiting', missing: [...waiting.missing] };
  return { state: 'unknown' };
}

/**
 * Totals for status displays. `pending` counts applied transactions that are not final yet,
 * leaving out votes: a witness's latest vote is never covered by a later one, by design.
 */
export function counts(s: LedgerState): {
  valid: number;
  final: number;
  pending: number;
  rejected: number;
  waiting: number;
} {
  let final = 0;
  let pending = 0;
  for (const [id, entry] of s.valid) {
    if (isFinal(s, id)) final++;
    else if (entry.applied && entry.tx.type !== 'vote') pending++;
  }
  return {
    valid: s.valid.size,
    final,
    pending,
    rejected: s.rejected.size,
    waiting: s.waiting.size,
  };
}

export function equivocations(s: LedgerState): Equivocation[] {
  const out: Equivocation[] = [];
  for (const author of s.chains.forkedAuthors()) {
    for (const seq of s.chains.seqsIn(author, s.chains.forkSeq(author), s.chains.maxSeq(author))) {
      const ids = s.chains.idsAt(author, seq);
      if (ids.length > 1) out.push({ author, seq, ids: [...ids] });
    }
  }
  return out.sort((a, b) => (a.author < b.author ? -1 : a.author > b.author ? 1 : a.seq - b.seq));
}

/** Every account that has an allocation or has ever been touched by a valid transaction. */
export function accounts(s: LedgerState): KeyHex[] {
  return [...s.balance.keys()].sort();
}

/**
 * An account's money. Pending is read through the index of credits not known to be final
 * (pending.ts), so a read does not walk every credit the key ever received.
 */
export function account(s: LedgerState, key: KeyHex): AccountView {
  const balance = s.balance.get(key) ?? 0n;
  const pending = pendingCredits(s, key);
  // available = allocation + final credits - debits, and balance = allocation + applied credits
  // - debits: so available is the balance less the applied credits that are not final.
  return { balance, available: balance - pending, pending, frozen: s.chains.isForked(key) };
}

/** account by a walk over every credit the key ever received: a test oracle, not for use. */
export function accountFullWalk(s: LedgerState, key: KeyHex): AccountView {
  const allocation = s.allocation.get(key) ?? 0n;
  let finalCredits = 0n;
  let pending = 0n;
  for (const id of s.creditsTo.get(key) ?? []) {
    const entry = s.valid.get(id);
    if (!entry?.applied) continue;
    const amount = creditAmount(s, id, key);
    if (isFinal(s, id)) finalCredits += amount;
    else pending += amount;
  }
  const balance = s.balance.get(key) ?? 0n;
  // balance = allocation + applied credits - applied debits, so the debits follow from it.
  const debits = allocation + finalCredits + pending - balance;
  return {
    balance,
    available: allocation + finalCredits - debits,
    pending,
    frozen: s.chains.isForked(key),
  };
}

/** The chains that act for the identity of `key`: the identity's own, then its devices'. */
export function chainsOf(s: LedgerState, key: KeyHex): KeyHex[] {
  const identity = s.devices.identityOf(key);
  return [identity, ...s.devices.devicesOf(identity)];
}

/**
 * An identity's money across all of its chains: its own and its devices'. The balance of
 * each key alone can mislead: an heir spends credits paid to the chain it inherited.
 */
export function identityAccount(s: LedgerState, identity: KeyHex): AccountView {
  let balance = 0n;
  let available = 0n;
  let pending = 0n;
  let frozen = false;
  for (const key of chainsOf(s, identity)) {
    const view = account(s, key);
    balance += view.balance;
    available += view.available;
    pending += view.pending;
    frozen ||= view.frozen;
  }
  return { balance, available, pending, frozen };
}

/** Every escrow that holds money, by the id of the transaction that locked it. */
export function escrows(s: LedgerState): Array<readonly [TxId, bigint]> {
  return [...s.escrow.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

/** All money in escrow. Balances plus this always equal the genesis supply. */
export function escrowTotal(s: LedgerState): bigint {
  let total = 0n;
  for (const amount of s.escrow.values()) total += amount;
  return total;
}
