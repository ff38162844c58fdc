// Claims (docs/protocol.md §6.3, §12.3): a credit is spendable by its recipient once claimed,
// and a claim needs a quorum of votes covering the credit among the claiming transaction's own
// deps, so only final credits are spent. A final revocation is claimed the same way by its
// heir, which then inherits what the closed chain held at its head (the sweep), its credit line
// if it had it, and the credits paid to it that it had not claimed.
import type { KeyHex, TxId } from '../ids.ts';
import { DEVICE_TYPE } from '../tx/device.ts';
import type { Tx } from '../tx/envelope.ts';
import type { Revocation, Succession } from './devices.ts';
import { finalityProof, isFinal, quorumAmong } from './finality.ts';
import type { LedgerState, ValidEntry } from './state.ts';
import { creditCandidates } from './unclaimed.ts';

export interface ClaimableCredit {
  readonly id: TxId;
  readonly amount: bigint;
  /** One vote per witness, enough for a quorum, proving the credit final. */
  readonly votes: readonly TxId[];
}

/**
 * A dependency that pays the author is claimed when it is not yet claimed on the author's
 * chain and the transaction's own dependencies (or its prev) include a quorum of votes
 * covering it. A final revocation whose heir is this chain (or a chain it inherited) is claimed
 * the same way, first, so that the same transaction can claim credits paid to the closed chain.
 */
export function claimsOf(
  s: LedgerState,
  tx: Tx,
  prev: ValidEntry | undefined,
): { claims: TxId[]; claimed: bigint; line: boolean; succession: Succession | null } {
  const claims: TxId[] = [];
  let claimed = prev?.claimed ?? 0n;
  let line = prev ? prev.line : tx.type !== DEVICE_TYPE;
  let succession = prev?.succession ?? null;
  // The proof may also be the author's own prev (a witness's latest vote). Built only when a
  // claim needs it: most transactions (votes above all) claim nothing.
  let proofsList: readonly TxId[] | undefined;
  const proofs = () => (proofsList ??= tx.prev === null ? tx.deps : [...tx.deps, tx.prev]);
  const isFinalHere = (dep: TxId) => quorumAmong(s, dep, proofs()) !== null;
  // Until nothing changes: inheriting one chain can make this chain the heir of another.
  const revocations = s.devices.hasRevocations()
    ? tx.deps.map((dep) => revocationAt(s, dep)).filter((r) => r !== undefined)
    : [];
  for (let progress = true; progress;) {
    progress = false;
    for (const r of revocations) {
      if (claims.includes(r.id) || (r.to !== tx.author && !succession?.has(r.to))) continue;
      if (alreadyClaimed(s, r.id, tx.prev, succession) || !isFinalHere(r.id)) continue;
      claims.push(r.id);
      claimed += sweepOf(s, r);
      line ||= lineOf(s, r);
      succession = inherit(s, succession, r);
      progress = true;
    }
  }
  // An heir's own prev can pay a chain it inherits (a top-up of the device it revoked).
  for (const dep of succession ? proofs() : tx.deps) {
    const amount = creditToChain(s, dep, tx.author, succession);
    if (amount === 0n || alreadyClaimed(s, dep, tx.prev, succession)) continue;
    if (isFinalHere(dep)) {
      claims.push(dep);
      claimed += amount;
    }
  }
  return { claims, claimed, line, succession };
}

/** The revocation that transaction `id` is, if it is one. */
function revocationAt(s: LedgerState, id: TxId): Revocation | undefined {
  const author = s.valid.get(id)?.tx.author;
  const r = author === undefined ? undefined : s.devices.revocationBy(author);
  return r?.id === id ? r : undefined;
}

/** Whether a credit was claimed on the chain up to `prev`, or on a chain it inherited. */
function alreadyClaimed(
  s: LedgerState,
  id: TxId,
  prev: TxId | null,
  succession: Succession | null,
): boolean {
  for (const claimer of s.claimedBy.get(id) ?? []) {
    if (prev !== null && s.chains.isAncestorOrEqual(claimer, prev)) return true;
    const author = s.valid.get(claimer)?.tx.author;
    const cap = author === undefined ? undefined : succession?.get(author);
    if (cap && s.chains.isAncestorOrEqual(claimer, cap)) return true;
  }
  return false;
}

/** What a transaction credits to `author` and to every chain `author` has inherited. */
function creditToChain(
  s: LedgerState,
  id: TxId,
  author: KeyHex,
  succession: Succession | null,
): bigint {
  let sum = creditAmount(s, id, author);
  for (const inherited of succession?.keys() ?? []) sum += creditAmount(s, id, inherited);
  return sum;
}

/** What a closed chain held at its head: its allocation plus claims minus debits. */
function sweepOf(s: LedgerState, r: Revocation): bigint {
  const allocation = s.allocation.get(r.target) ?? 0n;
  const head = r.head ? s.valid.get(r.head.id) : undefined;
  return allocation + (head?.claimed ?? 0n) - (head?.debited ?? 0n);
}

/** Whether a closed chain held the credit line (an identity's own chain always does). */
function lineOf(s: LedgerState, r: Revocation): boolean {
  return r.head ? (s.valid.get(r.head.id)?.line ?? false) : true;
}

function inherit(s: LedgerState, succession: Succession | null, r: Revocation): Succession {
  const next = new Map(succession ?? []);
  const base = r.head ? s.valid.get(r.head.id)?.succession : null;
  for (const [key, cap] of base ?? []) if (!next.has(key)) next.set(key, cap);
  next.set(r.target, r.head?.id ?? null);
  return next;
}

/** What transaction `id` credits to `to`. */
export function creditAmount(s: LedgerState, id: TxId, to: KeyHex): bigint {
  const entry = s.valid.get(id);
  let sum = 0n;
  for (const credit of entry?.effects.credits ?? []) if (credit.to === to) sum += credit.amount;
  return sum;
}

/** The valid entry at the head of `author`'s chain, if it has one and is not frozen. */
function headEntry(s: LedgerState, author: KeyHex): ValidEntry | undefined {
  const head = s.chains.head(author);
  return head ? s.valid.get(head.id) : undefined;
}

/**
 * What `author` could spend in its next transaction, leaving out the credit line (see
 * creditLineOf): chain totals plus claimable credits.
 */
export function spendable(s: LedgerState, author: KeyHex): bigint {
  return spendableFrom(s, author, claimableCredits(s, author));
}

/** spendable by the full walk (claimableCreditsFullWalk): an oracle, not for use elsewhere. */
export function spendableFullWalk(s: LedgerState, author: KeyHex): bigint {
  return spendableFrom(s, author, claimableCreditsFullWalk(s, author));
}

function spendableFrom(
  s: LedgerState,
  author: KeyHex,
  credits: readonly ClaimableCredit[],
): bigint {
  const entry = headEntry(s, author);
  let total = (s.allocation.get(author) ?? 0n) + (entry?.claimed ?? 0n) - (entry?.debited ?? 0n);
  for (const credit of credits) total += credit.amount;
  return total;
}

/**
 * How far below zero `author`'s next transaction may go: the network's credit limit for the
 * one chain of an identity that holds its line (its own chain, or the heir of a revocation of
 * it), 0 for a device (§12.3).
 */
export function creditLineOf(s: LedgerState, author: KeyHex): bigint {
  const entry = headEntry(s, author);
  const holds = entry ? entry.line : !s.devices.device(author);
  if (holds) return s.creditLimit;
  const inherits = claimableRevocations(s, author, entry).some((r) => lineOf(s, r));
  return inherits ? s.creditLimit : 0n;
}

/**
 * Final credits to `author` (or to a chain it inherits) not yet claimed on its chain, each
 * with the votes that prove it final; final revocations that make `author` an heir come
 * first, since claiming them is what makes credits to the closed chain claimable. A wallet
 * puts them in a new transaction's deps, in this order, to claim them. Reads only the credits
 * the chains may not have claimed (unclaimed.ts says why the list is the full walk's).
 */
export function claimableCredits(s: LedgerState, author: KeyHex): ClaimableCredit[] {
  const { prev, succession, out } = claimableStart(s, author);
  const chains: [KeyHex, TxId | null][] = [[author, prev], ...(succession ?? [])];
  const credits: ClaimableCredit[] = [];
  for (const id of creditCandidates(s, chains)) {
    const credit = s.valid.get(id);
    if (!credit?.applied || !isFinal(s, id) || alreadyClaimed(s, id, prev, succession)) continue;
    const votes = finalityProof(s, credit.tx);
    const amount = creditToChain(s, id, author, succession);
    if (votes.length > 0) credits.push({ id, amount, votes });
  }
  return [...out, ...credits.sort((a, b) => (a.id < b.id ? -1 : 1))];
}

/**
 * The same list as claimableCredits, by walking every credit each chain has ever received: how
 * it was computed before the index, kept as the oracle its property test compares with
 * (test/ledger/unclaimed.properties.test.ts). Not for use elsewhere: it costs the whole history.
 */
export function claimableCreditsFullWalk(s: LedgerState, author: KeyHex): ClaimableCredit[] {
  const { prev, succession, out } = claimableStart(s, author);
  const credits: ClaimableCredit[] = [];
  // A credit paying two of these chains is listed once (a Set: an account can have many).
  const listed = new Set<TxId>();
  for (const key of [author, ...(succession?.keys() ?? [])]) {
    for (const id of s.creditsTo.get(key) ?? []) {
      const credit = s.valid.get(id);
      if (!credit?.applied || listed.has(id) || !isFinal(s, id)) continue;
      listed.add(id);
      if (alreadyClaimed(s, id, prev, succession)) continue;
      const votes = finalityProof(s, credit.tx);
      const amount = creditToChain(s, id, author, succession);
      if (votes.length > 0) credits.push({ id, amount, votes });
    }
  }
  return [...out, ...credits.sort((a, b) => (a.id < b.id ? -1 : 1))];
}

/**
 * Where a list of claimable credits starts: the author's head, the final revocations it may
 * claim (listed first, with what each sweeps), and the succession claiming them would give.
 */
function claimableStart(
  s: LedgerState,
  author: KeyHex,
): { prev: TxId | null; succession: Succession | null; out: ClaimableCredit[] } {
  const head = s.chains.head(author);
  const entry = head ? s.valid.get(head.id) : undefined;
  const prev = head?.id ?? null;
  const revocations = claimableRevocations(s, author, entry);
  let succession = entry?.succession ?? null;
  const out: ClaimableCredit[] = [];
  for (const r of revocations) {
    succession = inherit(s, succession, r);
    const tx = s.valid.get(r.id)?.tx;
    if (tx) out.push({ id: r.id, amount: sweepOf(s, r), votes: finalityProof(s, tx) });
  }
  return { prev, succession, out };
}

/** Final revocations `author` may claim next: its own, then those of chains they hand it. */
function claimableRevocations(
  s: LedgerState,
  author: KeyHex,
  entry: ValidEntry | undefined,
): Revocation[] {
  if (!s.devices.hasRevocations()) return [];
  const out: Revocation[] = [];
  let succession = entry?.succession ?? null;
  const heirs = [author, ...(succession?.keys() ?? [])];
  for (let i = 0; i < heirs.length; i++) {
    for (const r of s.devices.revocationsTo(heirs[i] as KeyHex)) {
      if (out.includes(r) || !isFinal(s, r.id)) continue;
      if (alreadyClaimed(s, r.id, entry?.tx.id ?? null, succession)) continue;
      if (finalityProof(s, s.valid.get(r.id)?.tx as Tx).length === 0) continue;
      out.push(r);
      succession = inherit(s, succession, r);
      if (!heirs.includes(r.target)) heirs.push(r.target);
    }
  }
  return out;
}
