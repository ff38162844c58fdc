// Which credits a chain may still claim, found without walking every credit it ever received
// (claims.ts, claimableCredits). A member paid 100,000 times would otherwise pay 100,000
// finality checks on every send and every balance read.
//
// The index. Per recipient key K, `open(K)`: the credits to K (creditsTo) that no valid
// transaction of K's own chain has claimed (claimedBy). It is a cache of two append-only lists
// and nothing else: creditsTo and claimedBy only grow, as does the set of valid transactions,
// so once a credit has a claimer on K it has one for good. It is brought up to date when read:
// credits appended to creditsTo since the last read are added (a cursor per key), and those
// that have since gained a claimer of K are dropped. So it needs no hook in acceptance, and a
// ledger restored from a compact state (compact.ts, restore) or a pruned base builds it on its
// first read like any other. A read costs what was appended since the last read plus what is
// still open: what the chain has not claimed.
//
// Why the answer is the same as the full walk. The walk lists credit X, paid to one of the
// chains it looks at (the author, with reference its head, and each chain in its succession,
// with reference the cap its revocation left), when X is applied, final, has a proof, and is
// not alreadyClaimed: no claimer c of X is an ancestor of the head, or lies on an inherited
// chain at or below its cap. For a chain K with reference r (a transaction of K's), the
// candidates are open(K), plus every credit claimed by K's transactions from seq
// `from = min(r.seq + 1, forkSeq(K))` up. Each candidate goes through the walk's own checks,
// so the only question is whether a credit left out could have been listed. A credit X to K is
// left out only when it has a claimer c on K (it is not in open(K)) and none at or above
// `from`; so c.seq < from. Then c.seq <= r.seq, and c.seq < forkSeq(K): c is the one
// transaction at its seq on K, so it is the ancestor of r at that seq (Chains.ancestorAt), and
// alreadyClaimed holds, through the head for the author and through the cap for an inherited
// chain. The walk would have skipped X.
//
// Where that argument needs something the index cannot be sure of, the chain's credits are all
// candidates, as in the full walk: no reference (a forked author has no head; a revocation of
// a chain that had nothing has no cap), or a reference that is not a transaction of K's this
// ledger holds. Forks and equivocation need nothing more: at or above a fork every claim of K
// is read again (the `from` above), and below it a chain has one transaction per seq. Claims
// made on a branch that is not the head, or above a revoked chain's cap, are above `from` too.
import type { KeyHex, TxId } from '../ids.ts';
import type { LedgerState } from './state.ts';

interface Slot {
  /** The creditsTo list the cursor reads (a replaced list is read again from the start). */
  list: readonly TxId[];
  /** How many of its entries are in `open` or were dropped from it. */
  seen: number;
  readonly open: Set<TxId>;
}

/** Per recipient, the credits to it that its own chain has not claimed (see the header). */
export class UnclaimedIndex {
  readonly #slots = new Map<KeyHex, Slot>();

  /** The credits to `key` that no valid transaction of `key`'s chain claimed, up to date. */
  open(s: LedgerState, key: KeyHex): ReadonlySet<TxId> {
    const list = s.creditsTo.get(key) ?? [];
    let slot = this.#slots.get(key);
    if (!slot || slot.list !== list) {
      slot = { list, seen: 0, open: new Set() };
      this.#slots.set(key, slot);
    }
    for (; slot.seen < list.length; slot.seen++) slot.open.add(list[slot.seen] as TxId);
    // Deleting the entry being visited is safe while iterating a Set.
    for (const id of slot.open) if (claimedOn(s, id, key)) slot.open.delete(id);
    return slot.open;
  }
}

/** Whether a valid transaction of `key`'s chain claimed credit `id`. */
function claimedOn(s: LedgerState, id: TxId, key: KeyHex): boolean {
  for (const claimer of s.claimedBy.get(id) ?? [])
    if (s.valid.get(claimer)?.tx.author === key) return true;
  return false;
}

/**
 * Every credit the full walk could list for `chains` (each recipient key with its reference:
 * the author's head, an inherited chain's cap), and perhaps some it would not: the caller
 * checks each one as the walk does.
 */
export function creditCandidates(
  s: LedgerState,
  chains: readonly (readonly [KeyHex, TxId | null])[],
): Set<TxId> {
  const keys = new Set(chains.map(([key]) => key));
  const out = new Set<TxId>();
  for (const [key, ref] of chains) {
    const seq = ref === null ? undefined : seqOn(s, ref, key);
    if (seq === undefined) {
      for (const id of s.creditsTo.get(key) ?? []) out.add(id);
      continue;
    }
    for (const id of s.unclaimed.open(s, key)) out.add(id);
    // Claims that may not count at the reference: above it, and anywhere from a fork on.
    const from = Math.min(seq + 1, s.chains.forkSeq(key));
    for (const at of s.chains.seqsIn(key, from, s.chains.maxSeq(key)))
      for (const id of s.chains.idsAt(key, at))
        for (const claim of s.valid.get(id)?.claims ?? []) if (pays(s, claim, keys)) out.add(claim);
  }
  return out;
}

/** The seq of `ref` when it is a transaction of `key`'s chain that ancestry can read. */
function seqOn(s: LedgerState, ref: TxId, key: KeyHex): number | undefined {
  const link = s.valid.get(ref)?.tx ?? s.stubs.get(ref);
  return link?.author === key ? link.seq : undefined;
}

/** Whether transaction `id` credits one of `keys`: whether it is in one of their creditsTo. */
function pays(s: LedgerState, id: TxId, keys: ReadonlySet<KeyHex>): boolean {
  return s.valid.get(id)?.effects.credits.some((credit) => keys.has(credit.to)) ?? false;
}
