// The whole state in one digest (the state root, docs/protocol.md §6.5), and a self-check that
// recomputes it from scratch (§6.6): what peers compare, and what a peer checks after recovery.
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex } from '../bytes.ts';
import { encodeCanonical } from '../codec/cbor.ts';
import { txIdOf, type TxId } from '../ids.ts';
import { shouldApply } from './apply.ts';
import { isFinal } from './finality.ts';
import type { LedgerState } from './state.ts';
import { account, accounts } from './views.ts';

/**
 * A digest of the whole state: the set of valid transactions, every balance, finality and
 * frozen authors. Two peers with the same set of transactions have the same root.
 */
export function stateRoot(s: LedgerState): string {
  const ids = [...s.valid.keys()].sort();
  // Hash incrementally: spreading 100,000 ids into one call would overflow the stack.
  const hasher = sha256.create();
  for (const id of ids) hasher.update(fromHex(id));
  const idDigest = hasher.digest();
  const accountRows = accounts(s).map((key) => {
    const view = account(s, key);
    return [fromHex(key), view.balance, view.available];
  });
  const frozen = s.chains
    .forkedAuthors()
    .sort()
    .map((k) => fromHex(k));
  const final = ids.filter((id) => isFinal(s, id)).length;
  const root = encodeCanonical({
    network: fromHex(s.networkId),
    txs: idDigest,
    final,
    accounts: accountRows,
    frozen,
  });
  return txIdOf(sha256(root));
}

/**
 * Recomputes balances from scratch and compares them with the incrementally maintained ones,
 * and checks conservation of money. Used by tests and by a peer's self-check after recovery.
 */
export function audit(s: LedgerState): { ok: true } | { ok: false; problem: string } {
  const expected = new Map(s.allocation);
  for (const [key, amount] of s.settled) expected.set(key, (expected.get(key) ?? 0n) + amount);
  const escrow = new Map<TxId, bigint>();
  for (const entry of s.valid.values()) {
    if (entry.applied !== shouldApply(s, entry))
      return { ok: false, problem: `stale applied flag on ${entry.tx.id}` };
    if (!entry.applied) continue;
    if (entry.effects.debit !== 0n) {
      expected.set(entry.tx.author, (expected.get(entry.tx.author) ?? 0n) - entry.effects.debit);
    }
    for (const credit of entry.effects.credits) {
      expected.set(credit.to, (expected.get(credit.to) ?? 0n) + credit.amount);
    }
    const { lock, release } = entry.effects;
    if (lock) escrow.set(entry.tx.id, (escrow.get(entry.tx.id) ?? 0n) + lock);
    if (release) escrow.set(release.from, (escrow.get(release.from) ?? 0n) - release.amount);
  }
  let held = 0n;
  for (const [id, amount] of escrow) {
    if (amount < 0n) return { ok: false, problem: `escrow ${id} released more than it held` };
    if (amount !== (s.escrow.get(id) ?? 0n)) return { ok: false, problem: `escrow ${id} drifted` };
    held += amount;
  }
  let total = 0n;
  for (const [key, balance] of s.balance) {
    if ((expected.get(key) ?? 0n) !== balance)
      return { ok: false, problem: `balance of ${key} drifted` };
    total += balance;
  }
  if (total + held !== s.supply)
    return {
      ok: false,
      problem: `balances ${total} plus escrow ${held} differ from genesis supply ${s.supply}`,
    };
  return { ok: true };
}
