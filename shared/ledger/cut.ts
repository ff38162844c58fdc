// A cut (docs/protocol.md §14.1): the causal past of a set of parents, in one canonical order.
//
// The set is fixed by hashes, so every peer holding it has the same one. The order it is given
// in is canonical too (by depth, then id; a parent is always shallower than its child): a ledger
// built from it is then the same on every peer down to what a ledger keeps in arrival order,
// whatever order each peer received the transactions in.
import type { TxId } from '../ids.ts';
import type { VerifiedTx } from '../tx/registry.ts';
import type { LedgerState } from './state.ts';
import { parentsOf } from './validate.ts';

export type Cut =
  | { readonly ok: true; readonly txs: readonly VerifiedTx[] }
  | { readonly ok: false; readonly error: string };

/**
 * The valid transactions of the causal past of `parents` (the parents included), parents first,
 * leaving out the genesis and what `inBase` says an earlier cut holds (every ledger starts from
 * the genesis, and a checkpoint's state from the state of the one it follows). Refused when a
 * transaction of it is not held whole here: a ledger started from a snapshot no longer has what
 * the snapshot covers.
 */
export function cutOf(
  s: LedgerState,
  parents: readonly TxId[],
  inBase: (id: TxId) => boolean = () => false,
): Cut {
  const depth = new Map<TxId, number>([[s.networkId, 0]]);
  const base = new Set<TxId>([s.networkId]);
  // Depth first without recursion (a history is millions deep): a transaction is entered once
  // to push its parents, and finished when it is met again with all of them done.
  const stack: TxId[] = [...parents];
  while (stack.length > 0) {
    const id = stack[stack.length - 1] as TxId;
    if (depth.has(id)) {
      stack.pop();
      continue;
    }
    if (inBase(id)) {
      depth.set(id, 0);
      base.add(id);
      stack.pop();
      continue;
    }
    const entry = s.valid.get(id);
    if (!entry)
      return {
        ok: false,
        error: `this peer does not hold transaction ${id.slice(0, 12)} of the cut (a peer that started from a snapshot holds no history before it)`,
      };
    let deepest = -1;
    let pending = false;
    for (const parent of parentsOf(entry.tx)) {
      const d = depth.get(parent);
      if (d === undefined) {
        stack.push(parent);
        pending = true;
      } else if (d > deepest) deepest = d;
    }
    if (pending) continue;
    depth.set(id, deepest + 1);
    stack.pop();
  }
  for (const id of base) depth.delete(id);
  const ordered = [...depth].sort(([a, da], [b, db]) => da - db || (a < b ? -1 : a > b ? 1 : 0));
  // Every entry of the valid map was admitted as a VerifiedTx (Ledger.insert takes no other).
  return { ok: true, txs: ordered.map(([id]) => s.valid.get(id)?.tx as VerifiedTx) };
}
