// How transactions come in (docs/protocol.md §6.1): one whose parents are all settled is
// validated at once; one with a missing parent waits, and is validated as soon as the last gap
// fills. So the state depends only on the set of transactions, not on their arrival order.
import type { TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { VerifiedTx } from '../tx/registry.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import { accept } from './apply.ts';
import type { LedgerState } from './state.ts';
import { parentsOf, validate } from './validate.ts';

export type InsertOutcome =
  | { readonly status: 'accepted' | 'duplicate'; readonly id: TxId }
  /** At a place of its chain a snapshot covers and this ledger no longer holds (§14.5). */
  | { readonly status: 'pruned'; readonly id: TxId }
  | { readonly status: 'waiting'; readonly id: TxId; readonly missing: readonly TxId[] }
  | { readonly status: 'rejected'; readonly id: TxId; readonly rejection: Rejection };

export type AcceptedListener = (tx: VerifiedTx) => void;

/**
 * Adds a verified transaction; transactions that were waiting for it are settled too.
 * `listeners` hear of every transaction that becomes valid. The outcome describes the
 * inserted transaction only.
 */
export function insert(
  s: LedgerState,
  tx: VerifiedTx,
  listeners: ReadonlySet<AcceptedListener>,
): InsertOutcome {
  const id = tx.id;
  if (s.valid.has(id) || s.rejected.has(id) || s.waiting.has(id)) {
    return { status: 'duplicate', id };
  }
  if (tx.net !== s.networkId) {
    const rejection =
      tx.type === 'genesis'
        ? reject('unexpected-genesis', 'a second genesis cannot join an existing network')
        : reject('wrong-network', 'the transaction belongs to another network');
    s.rejected.set(id, rejection);
    return { status: 'rejected', id, rejection };
  }
  if (beforeSnapshot(s, tx)) return { status: 'pruned', id };
  const missing = new Set<TxId>();
  for (const ref of parentsOf(tx)) {
    if (!s.valid.has(ref) && !s.rejected.has(ref)) missing.add(ref);
  }
  if (missing.size > 0) {
    s.waiting.set(id, { tx, missing });
    for (const ref of missing) {
      let waiters = s.waitersOf.get(ref);
      if (!waiters) s.waitersOf.set(ref, (waiters = new Set()));
      waiters.add(id);
    }
    return { status: 'waiting', id, missing: [...missing] };
  }
  settle(s, tx, listeners);
  const rejection = s.rejected.get(id);
  return rejection ? { status: 'rejected', id, rejection } : { status: 'accepted', id };
}

/**
 * Whether `tx` sits at a place of its author's chain that the compact state this ledger started
 * from covers and dropped: it is the transaction the snapshot dropped (final, its effects
 * already counted), or a fork of it (which can never be final). Either way it changes nothing
 * final, and judging it needs the history before the snapshot: a ledger started from a snapshot
 * neither stores nor judges it, so it can be sent all of the history without counting any of it
 * twice. (A full ledger sees the fork and freezes the author: their views of that author's
 * transactions that are not final may differ, never what is final.)
 */
function beforeSnapshot(s: LedgerState, tx: Tx): boolean {
  const top = s.snapshotTop.get(tx.author);
  if (top === undefined || tx.seq > top) return false;
  return !s.chains.idsAt(tx.author, tx.seq).some((id) => s.valid.has(id));
}

/** Validates `first`, then every waiting transaction whose last missing parent it was. */
function settle(s: LedgerState, first: Tx, listeners: ReadonlySet<AcceptedListener>): void {
  const queue: Tx[] = [first];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const result = validate(s, next);
    if ('code' in result) s.rejected.set(next.id, result);
    else {
      accept(s, result);
      // Last, so that listeners (a witness deciding whether to vote) see the state this made.
      for (const listener of listeners) listener(result.tx as VerifiedTx);
    }
    const waiters = s.waitersOf.get(next.id);
    if (!waiters) continue;
    s.waitersOf.delete(next.id);
    for (const waiterId of waiters) {
      const waiting = s.waiting.get(waiterId);
      if (!waiting) continue;
      waiting.missing.delete(next.id);
      if (waiting.missing.size === 0) {
        s.waiting.delete(waiterId);
        queue.push(waiting.tx);
      }
    }
  }
}
