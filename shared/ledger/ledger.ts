// The ledger state machine. State is a pure function of the SET of valid transactions:
//
// - Validity of a transaction depends only on its causal past (its chain and its dependencies),
//   which is fixed by hashes. So a transaction is valid or invalid forever, whatever order
//   transactions arrive in; one whose past is incomplete waits until the gap fills.
// - Credits are spendable only once claimed, and a claim needs proof of finality among the
//   claiming transaction's own dependencies (a quorum of witness votes covering the credit).
//   Finality never reverts, so a claimed credit can never be undone by a late equivocation.
// - An author with two valid transactions at one seq has equivocated. Every peer holding both
//   sees the same fork, freezes the author, and from the fork on applies only what is final.
//   With at most f Byzantine witnesses of 3f+1, two conflicting transactions are never both final.
//
// See docs/protocol.md for the rules and the safety argument. This class is the one door to
// the ledger: its state is in state.ts, and each concern is a module of its own:
//
//   intake.ts          insert, waiting for missing parents     validate.ts   validity (§6.2)
//   apply.ts           acceptance, what applies, balances      claims.ts     claims (§6.3, §12.3)
//   finality.ts        finality and its proofs (§7)            voteRules.ts  vote validity
//   witnessChanges.ts  witness sets changing (§13)             backing.ts    what a witness backs
//   views.ts           status, accounts, totals                integrity.ts  state root, audit
import type { KeyHex, NetworkId, TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import { DEFAULT_UNIT, type GenesisBody } from '../tx/genesis.ts';
import type { TypeRegistry, VerifiedTx } from '../tx/registry.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import type { IndexStore, LedgerReader } from '../tx/types.ts';
import { votableHeads } from './backing.ts';
import { nextMark, type BudgetMark, type BudgetParams } from './budget.ts';
import { compact, restore, type CompactState, type Compacted } from './compact.ts';
import { compactRoot, decodeCompact, encodeCompact } from './compactCodec.ts';
import { type CheckpointRecord } from './checkpoints.ts';
import { cutOf, type Cut } from './cut.ts';
import { claimableCredits, creditLineOf, spendable, type ClaimableCredit } from './claims.ts';
import type { DeviceRecord, Revocation } from './devices.ts';
import type { Config, EpochState, Proposal } from './epochs.ts';
import { backers, finalHead, finalityProof, isFinal } from './finality.ts';
import type { PastEntry } from './past.ts';
import { insert, type AcceptedListener, type InsertOutcome } from './intake.ts';
import { audit, stateRoot } from './integrity.ts';
import { LedgerState } from './state.ts';
import * as views from './views.ts';
import type { AccountView, Equivocation, TxStatus } from './views.ts';
import type { VoteHead } from './votes.ts';
import * as changes from './witnessChanges.ts';

export type {
  AccountView,
  CheckpointRecord,
  Cut,
  ClaimableCredit,
  CompactState,
  Compacted,
  Equivocation,
  InsertOutcome,
  TxStatus,
};

export class Ledger {
  readonly networkId: NetworkId;
  readonly genesis: VerifiedTx<GenesisBody>;
  readonly founder: KeyHex;
  readonly creditLimit: bigint;
  readonly reader: LedgerReader;
  readonly indexes: IndexStore;

  readonly #s: LedgerState;
  readonly #listeners = new Set<AcceptedListener>();
  #past: readonly VerifiedTx[] = [];
  #pastEntries: readonly PastEntry[] = [];

  private constructor(genesis: VerifiedTx<GenesisBody>, registry: TypeRegistry) {
    this.genesis = genesis;
    this.#s = new LedgerState(genesis, registry);
    this.networkId = this.#s.networkId;
    this.founder = this.#s.founder;
    this.creditLimit = this.#s.creditLimit;
    this.reader = this.#s.reader;
    this.indexes = this.#s.indexes;
  }

  /**
   * Starts a ledger from a verified genesis transaction; it defines the network. `registry`
   * names the transaction types it knows (shared/protocol.ts builds the protocol's).
   */
  static fromGenesis(
    genesis: VerifiedTx,
    registry: TypeRegistry,
  ): { ok: true; ledger: Ledger } | { ok: false; rejection: Rejection } {
    if (genesis.type !== 'genesis' || genesis.net !== null) {
      return {
        ok: false,
        rejection: reject('malformed', 'a network starts from a genesis transaction'),
      };
    }
    return { ok: true, ledger: new Ledger(genesis as VerifiedTx<GenesisBody>, registry) };
  }

  /**
   * A ledger from a compact state of this network (compact.ts): it decides every later
   * transaction as the ledger it was compacted from would, or waits for a parent it dropped.
   */
  static fromCompact(
    genesis: VerifiedTx,
    registry: TypeRegistry,
    state: CompactState,
  ): { ok: true; ledger: Ledger } | { ok: false; rejection: Rejection } {
    const started = Ledger.fromGenesis(genesis, registry);
    if (started.ok) restore(started.ledger.#s, state);
    return started;
  }

  /**
   * A ledger from compact state bytes (compactCodec.ts) of this genesis's network, at most
   * `maxBytes` long; refused with a sentence when they are not such bytes.
   */
  static fromCompactBytes(
    genesis: VerifiedTx,
    registry: TypeRegistry,
    bytes: unknown,
    maxBytes: number,
  ): { ok: true; ledger: Ledger } | { ok: false; error: string } {
    const started = Ledger.fromGenesis(genesis, registry);
    if (!started.ok) return { ok: false, error: started.rejection.message };
    const s = started.ledger.#s;
    const decoded = decodeCompact(bytes, s.networkId, s.origin, registry, maxBytes);
    if (!decoded.ok) return decoded;
    restore(s, decoded.state);
    return started;
  }

  /** This ledger without what no rule can read again, or why it cannot be compacted yet. */
  compact(): Compacted {
    return compact(this.#s);
  }

  /** The compact state's canonical bytes and their root, or why it cannot be compacted yet. */
  compactBytes(): { ok: true; bytes: Uint8Array; root: string } | { ok: false; error: string } {
    const compacted = compact(this.#s);
    if (!compacted.ok) return compacted;
    const bytes = encodeCompact(this.networkId, compacted.state);
    return { ok: true, bytes, root: compactRoot(bytes) };
  }

  /**
   * Calls `listener` for every transaction that becomes valid, including those that waited for
   * a missing parent and were settled by a later insert. Returns an unsubscribe function.
   */
  onAccepted(listener: (tx: VerifiedTx) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Adds a verified transaction. Transactions that were waiting for it are settled too.
   * The outcome describes the inserted transaction only.
   */
  insert(tx: VerifiedTx): InsertOutcome {
    return insert(this.#s, tx, this.#listeners);
  }

  /**
   * A user's own transactions below the cut of the state this ledger started from, which it
   * does not hold (docs/protocol.md §14.12): final history, for the user's history screens
   * only. Nothing here counts towards any state; the peer hands them over from its own log.
   */
  get past(): readonly VerifiedTx[] {
    return this.#past;
  }

  /** What the service market moved for the user below that cut, as rows (shared/ledger/past.ts). */
  get pastEntries(): readonly PastEntry[] {
    return this.#pastEntries;
  }

  keepPast(txs: readonly VerifiedTx[], entries: readonly PastEntry[] = this.#pastEntries): void {
    this.#past = txs;
    this.#pastEntries = entries;
  }

  get registry(): TypeRegistry {
    return this.#s.registry;
  }

  get supply(): bigint {
    return this.#s.supply;
  }

  // ---- transactions ------------------------------------------------------------------------

  /** Final: covered by votes of a quorum of witnesses. Genesis is final by definition. */
  isFinal(id: TxId): boolean {
    return isFinal(this.#s, id);
  }

  status(id: TxId): TxStatus {
    return views.status(this.#s, id);
  }

  get(id: TxId): Tx | undefined {
    return this.#s.valid.get(id)?.tx ?? this.#s.waiting.get(id)?.tx;
  }

  /** Why a transaction was rejected, or undefined: status() without the finality count. */
  rejectionOf(id: TxId): Rejection | undefined {
    return this.#s.rejected.get(id);
  }

  has(id: TxId): boolean {
    return this.#s.valid.has(id) || this.#s.rejected.has(id) || this.#s.waiting.has(id);
  }

  /** How many transactions wait for a missing parent (counts() without its walk). */
  get waitingCount(): number {
    return this.#s.waiting.size;
  }

  /** Totals for status displays; `pending` leaves out votes (see views.ts). */
  counts(): { valid: number; final: number; pending: number; rejected: number; waiting: number } {
    return views.counts(this.#s);
  }

  validIds(): TxId[] {
    return [...this.#s.valid.keys()];
  }

  rejections(): ReadonlyMap<TxId, Rejection> {
    return this.#s.rejected;
  }

  /** A digest of the whole state: peers with the same transactions have the same root. */
  stateRoot(): string {
    return stateRoot(this.#s);
  }

  /** Recomputes balances from scratch, compares, and checks conservation (integrity.ts). */
  audit(): { ok: true } | { ok: false; problem: string } {
    return audit(this.#s);
  }

  // ---- chains and accounts ---------------------------------------------------------------

  isFrozen(author: KeyHex): boolean {
    return this.#s.chains.isForked(author);
  }

  equivocations(): Equivocation[] {
    return views.equivocations(this.#s);
  }

  /** The chain head a wallet extends; undefined for a frozen author or an empty chain. */
  head(author: KeyHex): { id: TxId; seq: number } | undefined {
    return this.#s.chains.head(author);
  }

  /** Every account that has an allocation or has ever been touched by a valid transaction. */
  accounts(): KeyHex[] {
    return views.accounts(this.#s);
  }

  account(key: KeyHex): AccountView {
    return views.account(this.#s, key);
  }

  /** An identity's money across all of its chains: its own and its devices'. */
  identityAccount(account: KeyHex): AccountView {
    return views.identityAccount(this.#s, account);
  }

  /** What `author` could spend in its next transaction, leaving out the credit line. */
  spendable(author: KeyHex): bigint {
    return spendable(this.#s, author);
  }

  /** How far below zero `author`'s next transaction may go: the limit, or 0 (§12.3). */
  creditLineOf(author: KeyHex): bigint {
    return creditLineOf(this.#s, author);
  }

  /** Final credits (and revocations) `author` may claim, in the order a wallet cites them. */
  claimableCredits(author: KeyHex): ClaimableCredit[] {
    return claimableCredits(this.#s, author);
  }

  /** Money held in the escrow that transaction `id` locked (0 once released). */
  escrow(id: TxId): bigint {
    return this.#s.escrow.get(id) ?? 0n;
  }

  /** Every escrow that holds money, by the id of the transaction that locked it. */
  escrows(): Array<readonly [TxId, bigint]> {
    return views.escrows(this.#s);
  }

  /** All money in escrow. Balances plus this always equal the genesis supply. */
  escrowTotal(): bigint {
    return views.escrowTotal(this.#s);
  }

  /** The name of the network's money, as its genesis set it ("units" when it set none). */
  get unit(): string {
    return this.genesis.body.params.unit ?? DEFAULT_UNIT;
  }

  /** Each author's writing budget (§15), or null in a network founded without one. */
  get budget(): BudgetParams | null {
    return this.#s.budget;
  }

  /** Where the budget of `author`'s chain stands at its head (§15); null without budgets. */
  budgetOf(author: KeyHex): BudgetMark | null {
    const head = this.#s.chains.head(author);
    return head === undefined ? null : (this.#s.valid.get(head.id)?.budget ?? null);
  }

  /**
   * Where a transaction dated `time` with these parents would leave its author's budget (§15),
   * counted as one transaction (a level below zero: over by that much); null in a network
   * without budgets. For signing only within it.
   */
  budgetAfter(prev: TxId | null, deps: readonly TxId[], time: number): BudgetMark | null {
    const s = this.#s;
    if (!s.budget) return null;
    const entry = prev === null ? undefined : s.valid.get(prev);
    const parents = [...(entry ? [entry] : []), ...deps.flatMap((id) => s.valid.get(id) ?? [])];
    return nextMark(s.budget, time, entry, parents, 1);
  }

  // ---- witnesses and votes ---------------------------------------------------------------

  /** The current witnesses: those of the latest witness set this peer knows handed over. */
  get witnesses(): ReadonlySet<KeyHex> {
    return this.#s.current.open.witnesses;
  }

  /** Votes needed for finality in the current witness set. */
  get quorum(): number {
    return this.#s.current.open.quorum;
  }

  /** A witness's highest-seq valid vote, if any. */
  latestVote(witness: KeyHex): TxId | undefined {
    return this.#s.latestVote.get(witness)?.id;
  }

  /**
   * Heads a witness should vote for now; `backs`: the changes its operator agreed to; `checked`:
   * the checkpoints whose state it computed and found the same (it covers no other).
   */
  votableHeads(
    witness: KeyHex,
    backs: (change: TxId) => boolean = () => false,
    checked: (checkpoint: TxId) => boolean = () => false,
  ): VoteHead[] {
    return votableHeads(this.#s, witness, backs, checked);
  }

  /** The witnesses of the current set whose counted votes cover transaction `id`. */
  backers(id: TxId): KeyHex[] {
    return backers(this.#s, id);
  }

  /**
   * For each witness, its latest vote covering transaction `id`: the proof a revocation cites;
   * with `earliest`, its first (what a checkpoint's certificate carries, §14.9).
   */
  finalityProof(id: TxId, earliest = false): TxId[] {
    const tx = this.#s.valid.get(id)?.tx;
    return tx ? finalityProof(this.#s, tx, earliest) : [];
  }

  // ---- witness sets (§13) ------------------------------------------------------------------

  /** This peer's view of the witness sets: the latest enacted (`seen`) and handed over (`open`). */
  get epochs(): EpochState {
    return this.#s.current;
  }

  /** A transaction whose epoch state is this peer's view: what a proposal cites. */
  get epochTx(): TxId {
    return this.#s.currentId;
  }

  /** The epoch state of a valid transaction. */
  epochsOf(id: TxId): EpochState | undefined {
    return this.#s.valid.get(id)?.epochs;
  }

  /** Every proposed change of the witnesses this peer holds, by epoch. */
  proposals(): Proposal[] {
    return this.#s.proposals.all();
  }

  /** The witness set a change opened, once some transaction knows it enacted. */
  configOfChange(change: TxId): Config | undefined {
    return changes.configOfChange(this.#s, change);
  }

  /** What a witness's next vote should cite to carry the witness sets on (§13.4). */
  epochEvidence(witness: KeyHex): { deps: TxId[]; state: EpochState; advances: boolean } {
    return changes.epochEvidence(this.#s, witness);
  }

  /** Who stays a member when an open network closes (witnessChanges.ts). */
  activeIdentities(): KeyHex[] {
    return changes.activeIdentities(this.#s);
  }

  /** Whether `key` (an identity or one of its devices) may sign now (§13.7). */
  mayActNow(key: KeyHex): boolean {
    return changes.mayActNow(this.#s, key);
  }

  /** The witnesses of the current set, and during a change those of the set taking over. */
  isWitnessNow(key: KeyHex): boolean {
    return changes.isWitnessNow(this.#s, key);
  }

  // ---- checkpoints (§14) ------------------------------------------------------------------

  /** A valid checkpoint by id. */
  checkpoint(id: TxId): CheckpointRecord | undefined {
    return this.#s.checkpoints.get(id);
  }

  /** Every valid checkpoint, each with whether it is certified (final). */
  checkpoints(): Array<CheckpointRecord & { readonly certified: boolean }> {
    return [...this.#s.checkpoints.all()].map((c) => ({ ...c, certified: isFinal(this.#s, c.id) }));
  }

  /** The certified checkpoint with the highest number (the lowest id among equals), if any. */
  latestCertified(): CheckpointRecord | undefined {
    let best: CheckpointRecord | undefined;
    for (const c of this.#s.checkpoints.all())
      if ((!best || c.n > best.n || (c.n === best.n && c.id < best.id)) && isFinal(this.#s, c.id))
        best = c;
    return best;
  }

  /**
   * The causal past of `parents` in canonical order, without what `inBase` says an earlier cut
   * holds (cut.ts): what a checkpoint's state is computed from.
   */
  cutOf(parents: readonly TxId[], inBase?: (id: TxId) => boolean): Cut {
    return cutOf(this.#s, parents, inBase);
  }

  /** The valid transactions of `author` at `seq` (two or more: a fork). */
  idsAt(author: KeyHex, seq: number): TxId[] {
    return this.#s.chains.idsAt(author, seq).filter((id) => this.#s.valid.has(id));
  }

  /**
   * The transactions of `author` a later one may extend: those at its highest seq and, for a
   * forked author, every one from the fork on (so every branch's tip). Every transaction of
   * the author this ledger holds, in full or compacted, is one of them or below one.
   */
  tipsOf(author: KeyHex): TxId[] {
    const chains = this.#s.chains;
    const from = chains.isForked(author) ? chains.forkSeq(author) : chains.maxSeq(author);
    const tips: TxId[] = [];
    for (const seq of chains.seqsIn(author, from, chains.maxSeq(author)))
      tips.push(...chains.idsAt(author, seq));
    return tips;
  }

  // ---- devices (§12) ---------------------------------------------------------------------

  /** The identity a chain acts for: the account of a device, or the key itself. */
  identityOf(key: KeyHex): KeyHex {
    return this.#s.devices.identityOf(key);
  }

  /** A device's certificate as this peer holds it. */
  device(key: KeyHex): DeviceRecord | undefined {
    return this.#s.devices.device(key);
  }

  /** The device keys certified for an identity, in the order this peer learnt them. */
  devicesOf(account: KeyHex): readonly KeyHex[] {
    return this.#s.devices.devicesOf(account);
  }

  /** The chains that act for the identity of `key`: the identity's own, then its devices'. */
  chainsOf(key: KeyHex): KeyHex[] {
    return views.chainsOf(this.#s, key);
  }

  /** The revocation a one-time key signed, if it signed one. */
  revocationBy(key: KeyHex): Revocation | undefined {
    return this.#s.devices.revocationBy(key);
  }

  /** Revocations of a chain, each with whether it is final (only a final one closes it). */
  revocationsOf(key: KeyHex): Array<Revocation & { readonly final: boolean }> {
    return this.#s.devices.revocationsOf(key).map((r) => ({ ...r, final: isFinal(this.#s, r.id) }));
  }

  /** The highest final transaction of a chain, which a revocation of it names. */
  finalHead(author: KeyHex): { id: TxId; seq: number } | null {
    return finalHead(this.#s, author);
  }
}

/**
 * The chain position of the author's next transaction, refused for a frozen author. Every
 * composer (wallet/, ssk/share.ts) starts here.
 */
export function nextPosition(
  ledger: Ledger,
  author: KeyHex,
): { seq: number; prev: TxId | null } | Rejection {
  const revoked = ledger.revocationsOf(author);
  if (revoked.length > 0) {
    return reject(
      'revoked-device',
      revoked.some((r) => r.final)
        ? 'this device was revoked: it can no longer sign for its identity'
        : 'a revocation of this device is waiting for the witnesses: it must not sign meanwhile',
    );
  }
  if (!ledger.mayActNow(author)) {
    return reject(
      'not-member',
      'you are not a member of this network now (never admitted, or removed by a change of its witnesses): your balance stays as it was, and a quorum of the witnesses can admit you again',
    );
  }
  if (ledger.isFrozen(author)) {
    return reject(
      'frozen-author',
      'this identity signed two conflicting transactions and is frozen',
    );
  }
  const head = ledger.head(author);
  return head ? { seq: head.seq + 1, prev: head.id } : { seq: 0, prev: null };
}
