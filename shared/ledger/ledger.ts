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
// See docs/protocol.md for the rules and the safety argument.
import { sha256 } from '@noble/hashes/sha2.js';
import type * as v from 'valibot';
import { fromHex } from '../bytes.ts';
import { encodeCanonical } from '../codec/cbor.ts';
import { keyHexOf, txIdOf, type KeyHex, type NetworkId, type TxId } from '../ids.ts';
import { DEVICE_TYPE, REVOKE_TYPE } from '../tx/device.ts';
import type { Tx } from '../tx/envelope.ts';
import type { GenesisBody } from '../tx/genesis.ts';
import type { TypeRegistry, VerifiedTx } from '../tx/registry.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import {
  isRejection,
  NO_EFFECTS,
  type Effects,
  type IndexStore,
  type LedgerReader,
  type TypeContext,
  type ViewHead,
} from '../tx/types.ts';
import type { voteSchema } from '../tx/vote.ts';
import { WITNESS_SET_TYPE, type WitnessSetBody } from '../tx/witnessSet.ts';
import { Chains } from './chains.ts';
import {
  capSeq,
  checkDevice,
  checkRevoke,
  DeviceIndex,
  type ChainFacts,
  type DeviceRecord,
  type Revocation,
  type Succession,
} from './devices.ts';
import {
  changing,
  countingConfig,
  laterState,
  makeConfig,
  mayAct,
  membershipAfter,
  OPEN_MEMBERSHIP,
  ProposalIndex,
  type Config,
  type Membership,
  type EpochState,
  type Proposal,
} from './epochs.ts';
import { VoteIndex, type VoteHead } from './votes.ts';

const NO_CLAIMS: readonly TxId[] = Object.freeze([]);

interface ValidEntry {
  readonly tx: Tx;
  /** Running totals along the author's chain, up to and including this transaction. */
  readonly claimed: bigint;
  readonly debited: bigint;
  readonly effects: Effects;
  /** Credits (transaction ids) this transaction claimed for its author. */
  readonly claims: readonly TxId[];
  readonly heads: readonly VoteHead[] | null;
  /** The time of the latest vote on this chain up to here (witness time), or -1. */
  readonly voteTime: number;
  /** Whether this chain may use the identity's credit line (§12: one chain of an identity does). */
  readonly line: boolean;
  /** Closed chains this chain has inherited by claiming their revocations (§12), or null. */
  readonly succession: Succession | null;
  /** The witness sets this transaction's causal past knows (§13). */
  readonly epochs: EpochState;
  /** For a vote, the witness set it counts for; otherwise null. */
  readonly counts: Config | null;
  applied: boolean;
}

interface WaitingEntry {
  readonly tx: Tx;
  readonly missing: Set<TxId>;
}

export type TxStatus =
  | { readonly state: 'final' }
  | { readonly state: 'pending' }
  | { readonly state: 'void'; readonly rejection: Rejection }
  | { readonly state: 'waiting'; readonly missing: readonly TxId[] }
  | { readonly state: 'rejected'; readonly rejection: Rejection }
  | { readonly state: 'unknown' };

export type InsertOutcome =
  | { readonly status: 'accepted' | 'duplicate'; readonly id: TxId }
  | { readonly status: 'waiting'; readonly id: TxId; readonly missing: readonly TxId[] }
  | { readonly status: 'rejected'; readonly id: TxId; readonly rejection: Rejection };

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

export interface ClaimableCredit {
  readonly id: TxId;
  readonly amount: bigint;
  /** One vote per witness, enough for a quorum, proving the credit final. */
  readonly votes: readonly TxId[];
}

export class Ledger {
  readonly networkId: NetworkId;
  readonly genesis: VerifiedTx<GenesisBody>;
  readonly founder: KeyHex;
  readonly creditLimit: bigint;

  readonly #registry: TypeRegistry;
  readonly #valid = new Map<TxId, ValidEntry>();
  readonly #rejected = new Map<TxId, Rejection>();
  readonly #waiting = new Map<TxId, WaitingEntry>();
  readonly #waitersOf = new Map<TxId, Set<TxId>>();
  readonly #chains = new Chains((id) => this.#valid.get(id)?.tx);
  readonly #votes = new VoteIndex();
  readonly #allocation = new Map<KeyHex, bigint>();
  readonly #balance = new Map<KeyHex, bigint>();
  readonly #creditsTo = new Map<KeyHex, TxId[]>();
  readonly #claimedBy = new Map<TxId, TxId[]>();
  readonly #supply: bigint;
  readonly #listeners = new Set<(tx: VerifiedTx) => void>();
  /** Per author, the highest-seq valid transaction that is not a vote (see votableHeads). */
  readonly #lastNonVote = new Map<KeyHex, { id: TxId; seq: number }>();
  /** Money held in escrow, by the id of the transaction that locked it. */
  readonly #escrow = new Map<TxId, bigint>();
  /** Per-ledger indexes that transaction types keep (see TxTypeDef.accepted). */
  readonly #indexes = new Map<string, unknown>();
  /** Per witness, its highest-seq valid vote. */
  readonly #latestVote = new Map<KeyHex, { id: TxId; seq: number }>();
  readonly #devices = new DeviceIndex();
  /** Witness sets that some valid vote counts for, by Config.key (§13). */
  readonly #configs = new Map<string, Config>();
  readonly #proposals = new ProposalIndex();
  /** Chains of removed members: the highest seq this peer's witness still backs (§13.7). */
  readonly #removalCaps = new Map<KeyHex, number>();
  /** The latest epoch state of any valid transaction: this peer's view of the witness sets. */
  #current: EpochState;
  /** A transaction whose epoch state is #current: what a vote cites to carry it on. */
  #currentId: TxId;
  readonly #origin: EpochState;
  readonly reader: LedgerReader;
  readonly indexes: IndexStore;

  private constructor(genesis: VerifiedTx<GenesisBody>, registry: TypeRegistry) {
    this.genesis = genesis;
    this.networkId = genesis.id;
    this.founder = genesis.author;
    this.#registry = registry;
    const body = genesis.body;
    const first = makeConfig(
      0,
      body.witnesses.map((w) => keyHexOf(w)),
      null,
      genesisMembership(genesis),
    );
    this.#current = this.#origin = { seen: first, open: first };
    this.#currentId = genesis.id;
    this.#configs.set(first.key, first);
    this.creditLimit = body.params.creditLimit;
    let supply = 0n;
    for (const [key, amount] of body.allocations) {
      this.#allocation.set(keyHexOf(key), amount);
      this.#balance.set(keyHexOf(key), amount);
      supply += amount;
    }
    // A re-founding carries debts over as accounts that start below zero (§13.6).
    for (const [key, amount] of body.refounds?.debts ?? []) {
      this.#allocation.set(keyHexOf(key), -amount);
      this.#balance.set(keyHexOf(key), -amount);
      supply -= amount;
    }
    this.#supply = supply;
    this.#valid.set(genesis.id, {
      tx: genesis,
      claimed: 0n,
      debited: 0n,
      effects: NO_EFFECTS,
      claims: [],
      heads: null,
      voteTime: -1,
      line: true,
      succession: null,
      epochs: this.#current,
      counts: null,
      applied: true,
    });
    this.#chains.add(genesis.author, 0, genesis.id);
    this.#lastNonVote.set(genesis.author, { id: genesis.id, seq: 0 });
    this.reader = this.#makeReader();
    this.indexes = {
      index: <T>(key: string, create: () => T): T => {
        if (!this.#indexes.has(key)) this.#indexes.set(key, create());
        return this.#indexes.get(key) as T;
      },
    };
  }

  /** What the device checks need, with the witnesses of the transaction's own epoch. */
  #factsFor(epochs: EpochState): ChainFacts {
    return {
      founder: this.founder,
      witnesses: epochs.open.witnesses,
      hasAllocation: (key) => this.#allocation.has(key),
      valid: (id) => this.#valid.get(id)?.tx,
      ancestorAt: (id, seq) => this.#chains.ancestorAt(id, seq),
      finalAmong: (id, candidates) => this.#quorumAmong(id, candidates) !== null,
    };
  }

  /** The current witnesses: those of the latest witness set this peer knows handed over. */
  get witnesses(): ReadonlySet<KeyHex> {
    return this.#current.open.witnesses;
  }

  /** Votes needed for finality in the current witness set. */
  get quorum(): number {
    return this.#current.open.quorum;
  }

  /** This peer's view of the witness sets: the latest enacted (`seen`) and handed over (`open`). */
  get epochs(): EpochState {
    return this.#current;
  }

  #makeReader(): LedgerReader {
    const current = () => this.#current.open;
    return {
      get witnesses() {
        return current().sorted;
      },
      get quorum() {
        return current().quorum;
      },
      valid: (id) => this.#valid.get(id)?.tx,
      isAncestorOrEqual: (a, d) =>
        this.#valid.has(a) && this.#valid.has(d) && this.#chains.isAncestorOrEqual(a, d),
      viewHead: (voteId, author, at) => this.#viewHead(voteId, author, at),
      covers: (head, tx) => this.#covers(head, tx),
    };
  }

  /** See LedgerReader.viewHead. Vote times never decrease along a witness's chain. */
  #viewHead(voteId: TxId, author: KeyHex, at: number): ViewHead | undefined {
    const vote = this.#valid.get(voteId);
    if (!vote?.heads) return undefined;
    const refs = this.#votes.refs(vote.tx.author, author);
    for (let i = refs.length - 1; i >= 0; i--) {
      const ref = refs[i] as (typeof refs)[number];
      if (ref.witnessSeq > vote.tx.seq) continue;
      const entry = this.#valid.get(ref.voteId);
      if (!entry || entry.tx.time > at) continue;
      if (this.#chains.isAncestorOrEqual(ref.voteId, voteId)) return ref.head;
    }
    return undefined;
  }

  #context(tx: Tx): TypeContext {
    return {
      creditLimit: this.creditLimit,
      dependency: (id) =>
        tx.deps.includes(id as TxId) ? this.#valid.get(id as TxId)?.tx : undefined,
      ledger: this.reader,
      indexes: this.indexes,
    };
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
   * Calls `listener` for every transaction that becomes valid, including those that waited for
   * a missing parent and were settled by a later insert. Returns an unsubscribe function.
   */
  onAccepted(listener: (tx: VerifiedTx) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get registry(): TypeRegistry {
    return this.#registry;
  }

  get supply(): bigint {
    return this.#supply;
  }

  /**
   * Adds a verified transaction. Transactions that were waiting for it are settled too.
   * The outcome describes the inserted transaction only.
   */
  insert(tx: VerifiedTx): InsertOutcome {
    const id = tx.id;
    if (this.#valid.has(id) || this.#rejected.has(id) || this.#waiting.has(id)) {
      return { status: 'duplicate', id };
    }
    if (tx.net !== this.networkId) {
      const rejection =
        tx.type === 'genesis'
          ? reject('unexpected-genesis', 'a second genesis cannot join an existing network')
          : reject('wrong-network', 'the transaction belongs to another network');
      this.#rejected.set(id, rejection);
      return { status: 'rejected', id, rejection };
    }
    const missing = new Set<TxId>();
    for (const ref of parentsOf(tx)) {
      if (!this.#valid.has(ref) && !this.#rejected.has(ref)) missing.add(ref);
    }
    if (missing.size > 0) {
      this.#waiting.set(id, { tx, missing });
      for (const ref of missing) {
        let waiters = this.#waitersOf.get(ref);
        if (!waiters) this.#waitersOf.set(ref, (waiters = new Set()));
        waiters.add(id);
      }
      return { status: 'waiting', id, missing: [...missing] };
    }
    this.#settle(tx);
    const rejection = this.#rejected.get(id);
    return rejection ? { status: 'rejected', id, rejection } : { status: 'accepted', id };
  }

  /** Validates `first`, then every waiting transaction whose last missing parent it was. */
  #settle(first: Tx): void {
    const queue: Tx[] = [first];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      const result = this.#validate(next);
      if ('code' in result) this.#rejected.set(next.id, result);
      else this.#accept(result);
      const waiters = this.#waitersOf.get(next.id);
      if (!waiters) continue;
      this.#waitersOf.delete(next.id);
      for (const waiterId of waiters) {
        const waiting = this.#waiting.get(waiterId);
        if (!waiting) continue;
        waiting.missing.delete(next.id);
        if (waiting.missing.size === 0) {
          this.#waiting.delete(waiterId);
          queue.push(waiting.tx);
        }
      }
    }
  }

  /** All parents are settled (valid or rejected). Decide using the causal past only. */
  #validate(tx: Tx): ValidEntry | Rejection {
    let prev: ValidEntry | undefined;
    if (tx.prev !== null) {
      prev = this.#valid.get(tx.prev);
      if (!prev) return reject('invalid-predecessor', `predecessor ${tx.prev} is invalid`);
      if (prev.tx.author !== tx.author || prev.tx.seq !== tx.seq - 1) {
        return reject(
          'bad-sequence',
          `seq ${tx.seq} does not follow its predecessor in the author's chain`,
        );
      }
    } else if (tx.author === this.founder) {
      return reject('bad-sequence', "the founder's chain begins with the genesis");
    }
    for (const dep of tx.deps) {
      if (!this.#valid.has(dep))
        return reject('invalid-dependency', `dependency ${dep} is invalid`);
    }

    let effects: Effects = NO_EFFECTS;
    let heads: VoteHead[] | null = null;
    const epochs = this.#epochsFrom(prev?.epochs ?? this.#origin, parentsOf(tx));
    if (tx.type === 'genesis') {
      return reject('unexpected-genesis', 'a network has exactly one genesis');
    } else if (tx.type === 'vote') {
      const checked = this.#checkVote(tx, epochs);
      if (!Array.isArray(checked)) return checked;
      heads = checked;
    } else if (tx.type === DEVICE_TYPE || tx.type === REVOKE_TYPE) {
      if (!mayAct(epochs.open, this.#actingIdentity(tx))) return notMember(epochs);
      const facts = this.#factsFor(epochs);
      const problem = tx.type === DEVICE_TYPE ? checkDevice(tx, facts) : checkRevoke(tx, facts);
      if (problem) return problem;
    } else if (tx.type === WITNESS_SET_TYPE) {
      const problem = this.#checkProposal(tx, epochs);
      if (problem) return problem;
    } else if (!mayAct(epochs.open, this.#actingIdentity(tx))) {
      return notMember(epochs);
    } else {
      const type = this.#registry.get(tx.type);
      if (!type) return reject('unknown-type', `unknown transaction type "${tx.type}"`);
      const result = type.effects(tx, this.#context(tx));
      if (isRejection(result)) return result;
      effects = result;
    }
    const voteTime = tx.type === 'vote' ? tx.time : (prev?.voteTime ?? -1);

    const { claims, claimed, line, succession } = this.#claimsOf(tx, prev);
    const debited = (prev?.debited ?? 0n) + effects.debit;
    if (effects.debit > 0n) {
      const spendable =
        (this.#allocation.get(tx.author) ?? 0n) +
        claimed -
        debited +
        (line ? this.creditLimit : 0n);
      if (spendable < 0n) {
        return reject('insufficient-funds', `short by ${-spendable} after claiming final credits`);
      }
    }
    return {
      tx,
      claimed,
      debited,
      effects,
      // Most transactions claim nothing: one shared empty list instead of one per entry.
      claims: claims.length === 0 ? NO_CLAIMS : claims,
      heads,
      voteTime,
      line,
      succession,
      epochs,
      counts: heads ? countingConfig(epochs, tx.author) : null,
      applied: false,
    };
  }

  /**
   * The identity a transaction acts for (§13.7): a device's account, a revocation's account, or
   * the identity of the chain that signed it (a device chain's certificate is in its past).
   */
  #actingIdentity(tx: Tx): KeyHex {
    if (tx.type === DEVICE_TYPE || tx.type === REVOKE_TYPE)
      return keyHexOf((tx.body as { account: Uint8Array }).account);
    return this.identityOf(tx.author);
  }

  // ---- witness sets (§13) ----------------------------------------------------------------

  /**
   * The epoch state of a transaction with these parents: the latest of theirs, moved on by
   * evidence among the parents themselves: a quorum of the open set's counted votes backing a
   * change enacts it, then a quorum of that set's votes that know the change hands over.
   */
  #epochsFrom(start: EpochState, parents: readonly TxId[]): EpochState {
    let state = start;
    for (const id of parents) {
      const entry = this.#valid.get(id);
      if (entry) state = laterState(state, entry.epochs);
    }
    if (this.#proposals.size === 0) return state;
    for (let next = this.#advance(state, parents); next !== state;) {
      state = next;
      next = this.#advance(state, parents);
    }
    return state;
  }

  #advance(state: EpochState, parents: readonly TxId[]): EpochState {
    if (!changing(state)) {
      for (const p of this.#proposals.forEpoch(state.open.epoch + 1)) {
        if (this.#quorumAmong(p.id, parents, state.open)) {
          return { seen: this.#configOf(p, state.open), open: state.open };
        }
      }
      return state;
    }
    const acks = new Set<KeyHex>();
    for (const id of parents) {
      const entry = this.#valid.get(id);
      if (entry?.heads && entry.epochs.seen.key === state.seen.key) acks.add(entry.tx.author);
    }
    let count = 0;
    for (const witness of acks) if (state.open.witnesses.has(witness)) count++;
    return count >= state.open.quorum ? { seen: state.seen, open: state.seen } : state;
  }

  /** One Config object per change, so that every transaction shares it. */
  #configOf(p: Proposal, before: Config): Config {
    const key = `${p.epoch}:${p.id}`;
    let config = this.#configs.get(key);
    if (!config) {
      const membership = membershipAfter(before.membership, p);
      this.#configs.set(key, (config = makeConfig(p.epoch, p.witnesses, p.id, membership)));
    }
    return config;
  }

  /**
   * A proposed change of the witnesses (§13.2): the one transaction of a one-time key, proposed
   * by a witness of the open set, for the next epoch, while no other change is under way.
   */
  #checkProposal(tx: Tx, epochs: EpochState): Rejection | null {
    if (tx.seq !== 0)
      return reject('bad-sequence', 'a witness change is the only transaction of a one-time key');
    if (
      tx.author === this.founder ||
      this.#allocation.has(tx.author) ||
      epochs.open.witnesses.has(tx.author)
    )
      return reject('invalid-body', 'a witness change needs a one-time key of its own');
    const body = tx.body as WitnessSetBody;
    if (changing(epochs)) {
      return reject(
        'invalid-body',
        `witness set ${epochs.seen.epoch} is still taking over; propose again once it has`,
      );
    }
    if (!epochs.open.witnesses.has(keyHexOf(body.by)))
      return reject('not-witness', 'only a current witness may propose a change of the witnesses');
    if (body.epoch !== epochs.open.epoch + 1) {
      return reject(
        'invalid-body',
        `this change opens epoch ${body.epoch}, but its past is in epoch ${epochs.open.epoch}`,
      );
    }
    const next = body.witnesses.map((w) => keyHexOf(w)).sort();
    const members = (body.admit?.length ?? 0) + (body.remove?.length ?? 0) > 0 || body.close;
    if (!members && next.join() === epochs.open.sorted.join())
      return reject('invalid-body', 'the proposed witnesses are the current ones');
    const removed = new Set((body.remove ?? []).map((k) => keyHexOf(k)));
    if (next.some((k) => removed.has(k)))
      return reject('invalid-body', 'a removed member cannot be a witness');
    if ((body.admit ?? []).some((k) => removed.has(keyHexOf(k))))
      return reject('invalid-body', 'a change cannot both admit and remove one identity');
    return null;
  }

  /**
   * The vote rule for changes (§13.2): on its own chain, a witness never backs two different
   * changes for one epoch, so that (with the quorum intersection of §7) at most one is enacted.
   */
  #proposalConflict(tx: Tx, heads: readonly VoteHead[]): Rejection | null {
    for (const head of heads) {
      // The proposal this head covers: its one-time chain's first transaction. (A key that signed
      // two proposals has two such chains; the head says which.)
      const p = this.#proposals.byId(this.#chains.ancestorAt(head.id, 0) ?? ('' as TxId));
      if (!p) continue;
      for (const other of this.#proposals.forEpoch(p.epoch)) {
        if (other.id === p.id) continue;
        const named = heads.find((h) => h.author === other.author);
        const earlier = named ?? this.#lastVoteOnChain(tx, other.author);
        if (earlier && earlier.seq >= 0 && this.#chains.ancestorAt(earlier.id, 0) === other.id) {
          return reject(
            'conflicting-vote',
            `the vote would back two different changes of the witnesses for epoch ${p.epoch}`,
          );
        }
      }
    }
    return null;
  }

  /**
   * A dependency that pays the author is claimed when it is not yet claimed on the author's
   * chain and the transaction's own dependencies (or its prev) include a quorum of votes
   * covering it. A final revocation whose heir is this chain (or a chain it inherited) is claimed
   * the same way, first, so that the same transaction can claim credits paid to the closed chain.
   */
  #claimsOf(
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
    const isFinalHere = (dep: TxId) => this.#quorumAmong(dep, proofs()) !== null;
    // Until nothing changes: inheriting one chain can make this chain the heir of another.
    const revocations = this.#devices.hasRevocations()
      ? tx.deps.map((dep) => this.#revocationAt(dep)).filter((r) => r !== undefined)
      : [];
    for (let progress = true; progress;) {
      progress = false;
      for (const r of revocations) {
        if (claims.includes(r.id) || (r.to !== tx.author && !succession?.has(r.to))) continue;
        if (this.#alreadyClaimed(r.id, tx.prev, succession) || !isFinalHere(r.id)) continue;
        claims.push(r.id);
        claimed += this.#sweepOf(r);
        line ||= this.#lineOf(r);
        succession = this.#inherit(succession, r);
        progress = true;
      }
    }
    // An heir's own prev can pay a chain it inherits (a top-up of the device it revoked).
    for (const dep of succession ? proofs() : tx.deps) {
      const amount = this.#creditToChain(dep, tx.author, succession);
      if (amount === 0n || this.#alreadyClaimed(dep, tx.prev, succession)) continue;
      if (isFinalHere(dep)) {
        claims.push(dep);
        claimed += amount;
      }
    }
    return { claims, claimed, line, succession };
  }

  /** The revocation that transaction `id` is, if it is one. */
  #revocationAt(id: TxId): Revocation | undefined {
    const author = this.#valid.get(id)?.tx.author;
    const r = author === undefined ? undefined : this.#devices.revocationBy(author);
    return r?.id === id ? r : undefined;
  }

  /** Whether a credit was claimed on the chain up to `prev`, or on a chain it inherited. */
  #alreadyClaimed(id: TxId, prev: TxId | null, succession: Succession | null): boolean {
    for (const claimer of this.#claimedBy.get(id) ?? []) {
      if (prev !== null && this.#chains.isAncestorOrEqual(claimer, prev)) return true;
      const author = this.#valid.get(claimer)?.tx.author;
      const cap = author === undefined ? undefined : succession?.get(author);
      if (cap && this.#chains.isAncestorOrEqual(claimer, cap)) return true;
    }
    return false;
  }

  /** What a transaction credits to `author` and to every chain `author` has inherited. */
  #creditToChain(id: TxId, author: KeyHex, succession: Succession | null): bigint {
    let sum = this.#creditAmount(id, author);
    for (const inherited of succession?.keys() ?? []) sum += this.#creditAmount(id, inherited);
    return sum;
  }

  /** What a closed chain held at its head: its allocation plus claims minus debits. */
  #sweepOf(r: Revocation): bigint {
    const allocation = this.#allocation.get(r.target) ?? 0n;
    const head = r.head ? this.#valid.get(r.head.id) : undefined;
    return allocation + (head?.claimed ?? 0n) - (head?.debited ?? 0n);
  }

  /** Whether a closed chain held the credit line (an identity's own chain always does). */
  #lineOf(r: Revocation): boolean {
    return r.head ? (this.#valid.get(r.head.id)?.line ?? false) : true;
  }

  #inherit(succession: Succession | null, r: Revocation): Succession {
    const next = new Map(succession ?? []);
    const base = r.head ? this.#valid.get(r.head.id)?.succession : null;
    for (const [key, cap] of base ?? []) if (!next.has(key)) next.set(key, cap);
    next.set(r.target, r.head?.id ?? null);
    return next;
  }

  #creditAmount(id: TxId, to: KeyHex): bigint {
    const entry = this.#valid.get(id);
    let sum = 0n;
    for (const credit of entry?.effects.credits ?? []) if (credit.to === to) sum += credit.amount;
    return sum;
  }

  /**
   * The witness set (if any) of which a quorum has a counted vote among `candidates` covering
   * transaction `id`; with `only`, that set alone.
   */
  #quorumAmong(id: TxId, candidates: readonly TxId[], only?: Config): Config | null {
    const target = this.#valid.get(id);
    if (!target) return null;
    const voters = new Map<string, Set<KeyHex>>();
    for (const candidate of candidates) {
      const vote = this.#valid.get(candidate);
      const config = vote?.counts;
      if (!vote?.heads || !config || (only && config.key !== only.key)) continue;
      const head = vote.heads.find((h) => h.author === target.tx.author);
      if (!head || !this.#covers(head, target.tx)) continue;
      let set = voters.get(config.key);
      if (!set) voters.set(config.key, (set = new Set<KeyHex>()));
      set.add(vote.tx.author);
      if (set.size >= config.quorum) return config;
    }
    return null;
  }

  #covers(head: ViewHead, tx: Tx): boolean {
    return head.seq >= tx.seq && this.#chains.ancestorAt(head.id, tx.seq) === tx.id;
  }

  #checkVote(tx: Tx, epochs: EpochState): VoteHead[] | Rejection {
    if (!epochs.open.witnesses.has(tx.author)) {
      return reject(
        'not-witness',
        epochs.open.epoch === 0
          ? 'only witnesses named in genesis may vote'
          : `not a witness of witness set ${epochs.open.epoch}: only its witnesses may vote`,
      );
    }
    // Votes date the witness's view; deadlines in service contracts are judged by these dates,
    // so a witness's clock may not run backwards along its chain.
    const prevTime = tx.prev === null ? -1 : (this.#valid.get(tx.prev)?.voteTime ?? -1);
    if (tx.time < prevTime) {
      return reject(
        'invalid-body',
        `a vote is dated ${tx.time}, before this witness's earlier vote at ${prevTime}`,
      );
    }
    const body = tx.body as v.InferOutput<typeof voteSchema>;
    const heads: VoteHead[] = [];
    for (const [authorKey, seq, idBytes] of body.heads) {
      const head: VoteHead = { author: keyHexOf(authorKey), seq, id: txIdOf(idBytes) };
      const target = this.#valid.get(head.id);
      // A head is a dependency, or the witness's own prev: a witness may vote on its own chain.
      const referenced = tx.deps.includes(head.id) || head.id === tx.prev;
      if (!referenced || !target || target.tx.author !== head.author || target.tx.seq !== seq) {
        return reject(
          'invalid-body',
          'every voted head must be a dependency with the stated author and seq',
        );
      }
      // A witness never goes back on its word: on its own chain, each vote for an author must
      // extend the last one. (Voting for two branches needs two chains: an equivocation.)
      const earlier = this.#lastVoteOnChain(tx, head.author);
      if (earlier && !this.#chains.isAncestorOrEqual(earlier.id, head.id)) {
        return reject(
          'conflicting-vote',
          `the vote contradicts this witness's earlier vote at seq ${earlier.seq}`,
        );
      }
      heads.push(head);
    }
    const changeConflict = this.#proposals.size > 0 ? this.#proposalConflict(tx, heads) : null;
    if (changeConflict) return changeConflict;
    return this.#devices.hasRevocations() ? (this.#revocationConflict(tx, heads) ?? heads) : heads;
  }

  /**
   * The vote rule for revocations (§12.4): on its own chain, a witness never covers both a
   * revocation and a transaction of the revoked chain above the revocation's head, nor two
   * revocations of one chain at the same head. With the quorum intersection of §7, at most one
   * of each such pair is ever final. Reads only the vote's causal past: a covered revocation or
   * head is in an earlier vote on the witness's chain, or in this vote.
   */
  #revocationConflict(tx: Tx, heads: readonly VoteHead[]): Rejection | null {
    const named = new Map(heads.map((h) => [h.author, h.seq]));
    const covered = (author: KeyHex): number =>
      Math.max(named.get(author) ?? -1, this.#lastVoteOnChain(tx, author)?.seq ?? -1);
    const conflict = reject(
      'conflicting-vote',
      'the vote would back both a revocation and what it revokes (or two revocations at one head)',
    );
    for (const head of heads) {
      for (const r of this.#devices.revocationsOf(head.author)) {
        if (capSeq(r) < head.seq && covered(r.author) >= 0) return conflict;
      }
      const r = this.#devices.revocationBy(head.author);
      if (!r) continue;
      if (covered(r.target) > capSeq(r)) return conflict;
      for (const other of this.#devices.revocationsOf(r.target)) {
        if (other.id !== r.id && capSeq(other) === capSeq(r) && covered(other.author) >= 0)
          return conflict;
      }
    }
    return null;
  }

  /** The head named by the witness's latest earlier vote for `author` on `tx`'s own chain. */
  #lastVoteOnChain(tx: Tx, author: KeyHex): VoteHead | undefined {
    if (tx.prev === null) return undefined;
    const refs = this.#votes.refs(tx.author, author);
    for (let i = refs.length - 1; i >= 0; i--) {
      const ref = refs[i];
      if (ref && ref.witnessSeq < tx.seq && this.#chains.isAncestorOrEqual(ref.voteId, tx.prev))
        return ref.head;
    }
    return undefined;
  }

  #accept(entry: ValidEntry): void {
    const { tx } = entry;
    this.#valid.set(tx.id, entry);
    for (const claim of entry.claims) {
      const list = this.#claimedBy.get(claim);
      if (list) list.push(tx.id);
      else this.#claimedBy.set(claim, [tx.id]);
    }
    for (const credit of entry.effects.credits) {
      const list = this.#creditsTo.get(credit.to);
      if (list) list.push(tx.id);
      else this.#creditsTo.set(credit.to, [tx.id]);
    }
    if (tx.type === 'vote' && tx.seq > (this.#latestVote.get(tx.author)?.seq ?? -1)) {
      this.#latestVote.set(tx.author, { id: tx.id, seq: tx.seq });
    }
    const newFork = this.#chains.add(tx.author, tx.seq, tx.id);
    if (tx.type !== 'vote' && tx.seq > (this.#lastNonVote.get(tx.author)?.seq ?? -1)) {
      this.#lastNonVote.set(tx.author, { id: tx.id, seq: tx.seq });
    }
    if (entry.heads)
      this.#votes.add(tx.author, tx.seq, tx.id, entry.heads, entry.counts?.key ?? null);
    if (tx.type === WITNESS_SET_TYPE) this.#proposals.add(proposalOf(tx));
    const later = laterState(this.#current, entry.epochs);
    if (later !== this.#current) {
      this.#capRemoved(this.#current.open, later.open);
      this.#current = later;
      this.#currentId = tx.id;
    }
    this.#devices.add(tx);
    this.#registry.get(tx.type)?.accepted?.(tx, this.#context(tx));

    if (newFork) this.#refreshAuthor(tx.author);
    else this.#setApplied(entry, this.#shouldApply(entry));
    // New votes can finalize transactions of frozen authors, which then apply, and
    // revocations, which close a chain.
    for (const head of entry.heads ?? []) {
      const closed = this.#devices.revocationBy(head.author)?.target;
      if (closed !== undefined) this.#refreshAuthor(closed);
      if (this.#refreshFrom(head.author) !== Infinity) this.#refreshAuthor(head.author);
    }
    // Last, so that listeners (a witness deciding whether to vote) see the state this made.
    for (const listener of this.#listeners) listener(tx as VerifiedTx);
  }

  /**
   * When a set removes members, this peer's witness stops backing their chains above what it
   * holds of them now (§13.7). A policy of honest witnesses, not a validity rule: it keeps a
   * removed member's later payments from becoming final under the new set, while what they
   * signed before the change still can.
   */
  #capRemoved(before: Config, after: Config): void {
    for (const key of this.#chains.authors()) {
      if (this.#removalCaps.has(key)) continue;
      const identity = this.identityOf(key);
      // Allowed before and not after: removed (or left out when the network closed).
      if (mayAct(after, identity) || !mayAct(before, identity)) continue;
      this.#removalCaps.set(key, this.#chains.maxSeq(key));
    }
  }

  /**
   * A transaction applies unless it is above a fork of its chain or above the head of a final
   * revocation of its chain; even then it applies once final (finality never reverts).
   */
  #shouldApply(entry: ValidEntry): boolean {
    const { tx } = entry;
    const cap = this.#capOf(tx.author);
    const standing = tx.seq < this.#chains.forkSeq(tx.author) && (cap === null || tx.seq <= cap);
    return standing || this.isFinal(tx.id);
  }

  /** The head seq a final revocation leaves standing on `author`'s chain, or null. */
  #capOf(author: KeyHex): number | null {
    let cap: number | null = null;
    for (const r of this.#devices.revocationsOf(author)) {
      if (this.isFinal(r.id)) cap = Math.min(cap ?? Infinity, capSeq(r));
    }
    return cap;
  }

  /** The lowest seq of `author`'s chain whose transactions may not apply (Infinity: none). */
  #refreshFrom(author: KeyHex): number {
    let from = this.#chains.forkSeq(author);
    for (const r of this.#devices.revocationsOf(author)) from = Math.min(from, capSeq(r) + 1);
    return from;
  }

  #refreshAuthor(author: KeyHex): void {
    const from = this.#refreshFrom(author);
    const to = this.#chains.maxSeq(author);
    for (let seq = from; seq <= to; seq++) {
      for (const id of this.#chains.idsAt(author, seq)) {
        const entry = this.#valid.get(id);
        if (entry) this.#setApplied(entry, this.#shouldApply(entry));
      }
    }
  }

  #setApplied(entry: ValidEntry, applied: boolean): void {
    if (entry.applied === applied) return;
    entry.applied = applied;
    const sign = applied ? 1n : -1n;
    const { effects, tx } = entry;
    if (effects.debit !== 0n) this.#addBalance(tx.author, -sign * effects.debit);
    for (const credit of effects.credits) this.#addBalance(credit.to, sign * credit.amount);
    if (effects.lock) this.#addEscrow(tx.id, sign * effects.lock);
    if (effects.release) this.#addEscrow(effects.release.from, -sign * effects.release.amount);
  }

  #addEscrow(id: TxId, delta: bigint): void {
    const next = (this.#escrow.get(id) ?? 0n) + delta;
    if (next === 0n) this.#escrow.delete(id);
    else this.#escrow.set(id, next);
  }

  /** Money held in the escrow that transaction `id` locked (0 once released). */
  escrow(id: TxId): bigint {
    return this.#escrow.get(id) ?? 0n;
  }

  /** Every escrow that holds money, by the id of the transaction that locked it. */
  escrows(): Array<readonly [TxId, bigint]> {
    return [...this.#escrow.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** All money in escrow. Balances plus this always equal the genesis supply. */
  escrowTotal(): bigint {
    let total = 0n;
    for (const amount of this.#escrow.values()) total += amount;
    return total;
  }

  /** A witness's highest-seq valid vote, if any. */
  latestVote(witness: KeyHex): TxId | undefined {
    return this.#latestVote.get(witness)?.id;
  }

  #addBalance(key: KeyHex, delta: bigint): void {
    this.#balance.set(key, (this.#balance.get(key) ?? 0n) + delta);
  }

  // ---- queries -------------------------------------------------------------------------

  /** Final: covered by votes of a quorum of witnesses. Genesis is final by definition. */
  isFinal(id: TxId): boolean {
    const entry = this.#valid.get(id);
    if (!entry) return false;
    const { tx } = entry;
    if (tx.id === this.networkId) return true;
    // Below any fork, every head at or above this seq descends from this transaction.
    const belowFork = tx.seq < this.#chains.forkSeq(tx.author);
    for (const config of this.#configs.values()) {
      let votes = 0;
      if (belowFork) {
        for (const maxHead of this.#votes.countedMax(config.key, tx.author).values())
          if (maxHead >= tx.seq) votes++;
      } else {
        for (const witness of config.sorted) {
          const refs = this.#votes.refs(witness, tx.author);
          if (refs.some((ref) => ref.counts === config.key && this.#covers(ref.head, tx))) votes++;
        }
      }
      if (votes >= config.quorum) return true;
    }
    return false;
  }

  status(id: TxId): TxStatus {
    const entry = this.#valid.get(id);
    if (entry) {
      if (!entry.applied) {
        const cap = this.#capOf(entry.tx.author);
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
      return this.isFinal(id) ? { state: 'final' } : { state: 'pending' };
    }
    const rejection = this.#rejected.get(id);
    if (rejection) return { state: 'rejected', rejection };
    const waiting = this.#waiting.get(id);
    if (waiting) return { state: 'waiting', missing: [...waiting.missing] };
    return { state: 'unknown' };
  }

  get(id: TxId): Tx | undefined {
    return this.#valid.get(id)?.tx ?? this.#waiting.get(id)?.tx;
  }

  /** Why a transaction was rejected, or undefined: status() without the finality count. */
  rejectionOf(id: TxId): Rejection | undefined {
    return this.#rejected.get(id);
  }

  has(id: TxId): boolean {
    return this.#valid.has(id) || this.#rejected.has(id) || this.#waiting.has(id);
  }

  isFrozen(author: KeyHex): boolean {
    return this.#chains.forkSeq(author) !== Infinity;
  }

  /**
   * Totals for status displays. `pending` counts applied transactions that are not final yet,
   * leaving out votes: a witness's latest vote is never covered by a later one, by design.
   */
  counts(): { valid: number; final: number; pending: number; rejected: number; waiting: number } {
    let final = 0;
    let pending = 0;
    for (const [id, entry] of this.#valid) {
      if (this.isFinal(id)) final++;
      else if (entry.applied && entry.tx.type !== 'vote') pending++;
    }
    return {
      valid: this.#valid.size,
      final,
      pending,
      rejected: this.#rejected.size,
      waiting: this.#waiting.size,
    };
  }

  validIds(): TxId[] {
    return [...this.#valid.keys()];
  }

  rejections(): ReadonlyMap<TxId, Rejection> {
    return this.#rejected;
  }

  equivocations(): Equivocation[] {
    const out: Equivocation[] = [];
    for (const author of this.#chains.forkedAuthors()) {
      for (let seq = this.#chains.forkSeq(author); seq <= this.#chains.maxSeq(author); seq++) {
        const ids = this.#chains.idsAt(author, seq);
        if (ids.length > 1) out.push({ author, seq, ids: [...ids] });
      }
    }
    return out.sort((a, b) => (a.author < b.author ? -1 : a.author > b.author ? 1 : a.seq - b.seq));
  }

  /** Every account that has an allocation or has ever been touched by a valid transaction. */
  accounts(): KeyHex[] {
    return [...this.#balance.keys()].sort();
  }

  account(key: KeyHex): AccountView {
    const allocation = this.#allocation.get(key) ?? 0n;
    let finalCredits = 0n;
    let pending = 0n;
    for (const id of this.#creditsTo.get(key) ?? []) {
      const entry = this.#valid.get(id);
      if (!entry?.applied) continue;
      const amount = this.#creditAmount(id, key);
      if (this.isFinal(id)) finalCredits += amount;
      else pending += amount;
    }
    const balance = this.#balance.get(key) ?? 0n;
    // balance = allocation + applied credits - applied debits, so the debits follow from it.
    const debits = allocation + finalCredits + pending - balance;
    return {
      balance,
      available: allocation + finalCredits - debits,
      pending,
      frozen: this.isFrozen(key),
    };
  }

  /**
   * The chain head a wallet extends: the author's highest valid transaction. Undefined for an
   * author with no transactions, or one that is frozen (it must not sign anything more).
   */
  head(author: KeyHex): { id: TxId; seq: number } | undefined {
    if (this.isFrozen(author)) return undefined;
    const seq = this.#chains.maxSeq(author);
    const id = this.#chains.idsAt(author, seq)[0];
    return id === undefined ? undefined : { id, seq };
  }

  /**
   * The author's latest transaction that is not a vote. Votes move no money and need not be
   * final, so witnesses certify only other transactions; voting on votes would never end.
   */
  #latestNonVote(author: KeyHex): { id: TxId; seq: number } | undefined {
    return this.isFrozen(author) ? undefined : this.#lastNonVote.get(author);
  }

  /**
   * What `author` could spend in its next transaction, leaving out the credit line (see
   * creditLineOf): chain totals plus claimable credits.
   */
  spendable(author: KeyHex): bigint {
    const head = this.head(author);
    const entry = head ? this.#valid.get(head.id) : undefined;
    let total =
      (this.#allocation.get(author) ?? 0n) + (entry?.claimed ?? 0n) - (entry?.debited ?? 0n);
    for (const credit of this.claimableCredits(author)) total += credit.amount;
    return total;
  }

  /**
   * How far below zero `author`'s next transaction may go: the network's credit limit for the
   * one chain of an identity that holds its line (its own chain, or the heir of a revocation of
   * it), 0 for a device (§12.3).
   */
  creditLineOf(author: KeyHex): bigint {
    const head = this.head(author);
    const entry = head ? this.#valid.get(head.id) : undefined;
    const holds = entry ? entry.line : !this.#devices.device(author);
    if (holds) return this.creditLimit;
    const inherits = this.#claimableRevocations(author, entry).some((r) => this.#lineOf(r));
    return inherits ? this.creditLimit : 0n;
  }

  /**
   * Final credits to `author` (or to a chain it inherits) not yet claimed on its chain, each
   * with the votes that prove it final; final revocations that make `author` an heir come
   * first, since claiming them is what makes credits to the closed chain claimable. A wallet
   * puts them in a new transaction's deps, in this order, to claim them.
   */
  claimableCredits(author: KeyHex): ClaimableCredit[] {
    const head = this.head(author);
    const entry = head ? this.#valid.get(head.id) : undefined;
    const prev = head?.id ?? null;
    const revocations = this.#claimableRevocations(author, entry);
    let succession = entry?.succession ?? null;
    const out: ClaimableCredit[] = [];
    for (const r of revocations) {
      succession = this.#inherit(succession, r);
      const tx = this.#valid.get(r.id)?.tx;
      if (tx) out.push({ id: r.id, amount: this.#sweepOf(r), votes: this.#finalityProof(tx) });
    }
    const credits: ClaimableCredit[] = [];
    // A credit paying two of these chains is listed once (a Set: an account can have many).
    const listed = new Set<TxId>();
    for (const key of [author, ...(succession?.keys() ?? [])]) {
      for (const id of this.#creditsTo.get(key) ?? []) {
        const credit = this.#valid.get(id);
        if (!credit?.applied || listed.has(id) || !this.isFinal(id)) continue;
        listed.add(id);
        if (this.#alreadyClaimed(id, prev, succession)) continue;
        const votes = this.#finalityProof(credit.tx);
        const amount = this.#creditToChain(id, author, succession);
        if (votes.length > 0) credits.push({ id, amount, votes });
      }
    }
    return [...out, ...credits.sort((a, b) => (a.id < b.id ? -1 : 1))];
  }

  /** Final revocations `author` may claim next: its own, then those of chains they hand it. */
  #claimableRevocations(author: KeyHex, entry: ValidEntry | undefined): Revocation[] {
    if (!this.#devices.hasRevocations()) return [];
    const out: Revocation[] = [];
    let succession = entry?.succession ?? null;
    const heirs = [author, ...(succession?.keys() ?? [])];
    for (let i = 0; i < heirs.length; i++) {
      for (const r of this.#devices.revocationsTo(heirs[i] as KeyHex)) {
        if (out.includes(r) || !this.isFinal(r.id)) continue;
        if (this.#alreadyClaimed(r.id, entry?.tx.id ?? null, succession)) continue;
        if (this.#finalityProof(this.#valid.get(r.id)?.tx as Tx).length === 0) continue;
        out.push(r);
        succession = this.#inherit(succession, r);
        if (!heirs.includes(r.target)) heirs.push(r.target);
      }
    }
    return out;
  }

  /**
   * Votes proving `tx` final: for each witness of one set, its latest counted vote covering it,
   * a quorum of them; the latest set that has one. Empty when `tx` is not final.
   */
  #finalityProof(tx: Tx): TxId[] {
    for (const config of [...this.#configs.values()].reverse()) {
      const votes = this.#proofIn(tx, config);
      if (votes.length > 0) return votes;
    }
    return [];
  }

  #proofIn(tx: Tx, config: Config): TxId[] {
    const votes: TxId[] = [];
    for (const witness of config.sorted) {
      const refs = this.#votes.refs(witness, tx.author);
      for (let i = refs.length - 1; i >= 0; i--) {
        const ref = refs[i];
        if (ref && ref.counts === config.key && this.#covers(ref.head, tx)) {
          votes.push(ref.voteId);
          break;
        }
      }
      if (votes.length === config.quorum) return votes;
    }
    return [];
  }

  /**
   * Heads a witness should vote for now: for every author that is not frozen, its latest
   * transaction other than a vote, when it is above what this witness already voted for. Where
   * a revocation and the chain it closes compete, it keeps to the vote rule of §12.4 and, when
   * free to choose, backs the revocation: a device is revoked because it is lost or stolen.
   */
  votableHeads(witness: KeyHex, backs: (change: TxId) => boolean = () => false): VoteHead[] {
    const out: VoteHead[] = [];
    for (const author of this.#chains.authors()) {
      const latest = this.#latestNonVote(author);
      if (!latest) continue;
      const proposal =
        this.#proposals.size > 0
          ? this.#proposals.byId(this.#chains.ancestorAt(latest.id, 0) ?? ('' as TxId))
          : undefined;
      if (proposal && !this.#mayBackChange(witness, proposal, backs)) continue;
      const removedAt = this.#removalCaps.get(author);
      if (removedAt !== undefined && latest.seq > removedAt) continue;
      const head = this.#devices.hasRevocations()
        ? this.#heldBack(witness, author, latest)
        : latest;
      const voted = this.#votes.maxHeads(author).get(witness) ?? -1;
      if (head && head.seq > voted) out.push({ author, seq: head.seq, id: head.id });
    }
    return out.sort((a, b) => (a.author < b.author ? -1 : a.author > b.author ? 1 : 0));
  }

  /**
   * Whether this witness backs a proposed change: its operator agreed to it, it opens the next
   * epoch, and the witness has backed no other change for that epoch (§13.2).
   */
  #mayBackChange(witness: KeyHex, p: Proposal, backs: (change: TxId) => boolean): boolean {
    if (!backs(p.id) || changing(this.#current) || p.epoch !== this.#current.open.epoch + 1)
      return false;
    const voted = (key: KeyHex) => this.#votes.maxHeads(key).get(witness) ?? -1;
    const rivals = this.#proposals.forEpoch(p.epoch);
    if (rivals.some((o) => o.id !== p.id && voted(o.author) >= 0)) return false;
    // Among changes it agrees to, every honest witness backs the lowest id.
    return rivals.find((o) => backs(o.id))?.id === p.id;
  }

  /**
   * Whether a vote counted for an earlier witness set than the current one covers `id`. A
   * witness of a later set never backs what conflicts with such a transaction (§13.3): that is
   * how a later set inherits what the earlier one may have made final.
   */
  #lockedBefore(id: TxId): boolean {
    const tx = this.#valid.get(id)?.tx;
    const epoch = this.#current.open.epoch;
    if (!tx || epoch === 0) return false;
    return this.#votes.anyRef(
      tx.author,
      (ref) =>
        ref.counts !== null &&
        (this.#configs.get(ref.counts)?.epoch ?? epoch) < epoch &&
        this.#covers(ref.head, tx),
    );
  }

  /** The head of `author` this witness may back, given revocations (undefined: none). */
  #heldBack(
    witness: KeyHex,
    author: KeyHex,
    latest: { id: TxId; seq: number },
  ): { id: TxId; seq: number } | undefined {
    const voted = (key: KeyHex) => this.#votes.maxHeads(key).get(witness) ?? -1;
    const r = this.#devices.revocationBy(author);
    if (r) return this.#mayBackRevocation(witness, r) ? latest : undefined;
    const caps = this.#devices
      .revocationsOf(author)
      .filter(
        (rev) =>
          voted(rev.author) >= 0 ||
          this.#mayBackRevocation(witness, rev) ||
          this.#lockedBefore(rev.id),
      )
      .map((rev) => rev.head);
    let cap: { id: TxId; seq: number } | null | undefined;
    for (const head of caps)
      if (cap === undefined || (head?.seq ?? -1) < (cap?.seq ?? -1)) cap = head;
    if (cap === undefined || latest.seq <= (cap?.seq ?? -1)) return latest;
    return cap ?? undefined;
  }

  /**
   * Whether this witness may (and, free to choose, will) back revocation `r`: it has not backed
   * the revoked chain above r's head, nor another revocation at the same head; among several
   * at one head it backs the lowest id, as every honest witness does.
   */
  #mayBackRevocation(witness: KeyHex, r: Revocation): boolean {
    const voted = (key: KeyHex) => this.#votes.maxHeads(key).get(witness) ?? -1;
    if (voted(r.target) > capSeq(r)) return false;
    for (const other of this.#devices.revocationsOf(r.target)) {
      if (other.id === r.id || capSeq(other) !== capSeq(r)) continue;
      if (voted(other.author) >= 0 || other.id < r.id || this.#lockedBefore(other.id)) return false;
    }
    // What an earlier set may have made final above r's head wins (§13.3).
    const above = this.#chains.idsAt(r.target, capSeq(r) + 1);
    return !above.some((id) => this.#lockedBefore(id));
  }

  // ---- witness sets (§13): queries ---------------------------------------------------------

  /**
   * The witnesses of the current set whose counted votes cover transaction `id`: how close it
   * is to final, and who has not seen it yet.
   */
  backers(id: TxId): KeyHex[] {
    const tx = this.#valid.get(id)?.tx;
    const config = this.#current.open;
    if (!tx) return [];
    return config.sorted.filter((w) =>
      this.#votes
        .refs(w, tx.author)
        .some((ref) => ref.counts === config.key && this.#covers(ref.head, tx)),
    );
  }

  /** A transaction whose epoch state is this peer's view: what a proposal cites. */
  get epochTx(): TxId {
    return this.#currentId;
  }

  /** Every proposed change of the witnesses this peer holds, by epoch. */
  proposals(): Proposal[] {
    return this.#proposals.all();
  }

  /** The witness set a change opened, once some transaction knows it enacted. */
  configOfChange(change: TxId): Config | undefined {
    for (const config of this.#configs.values()) if (config.change === change) return config;
    return undefined;
  }

  /** The epoch state of a valid transaction. */
  epochsOf(id: TxId): EpochState | undefined {
    return this.#valid.get(id)?.epochs;
  }

  /**
   * Every identity that holds or held money or has signed anything (not the one-time key of a
   * proposal or a revocation): who stays a member when an open network closes.
   */
  activeIdentities(): KeyHex[] {
    const out = new Set<KeyHex>();
    for (const key of new Set([...this.#chains.authors(), ...this.#balance.keys()])) {
      if (this.#proposals.isProposer(key) || this.#devices.revocationBy(key)) continue;
      out.add(this.identityOf(key));
    }
    return [...out].sort();
  }

  /** The revocation a one-time key signed, if it signed one. */
  revocationBy(key: KeyHex): Revocation | undefined {
    return this.#devices.revocationBy(key);
  }

  /** Whether `key` (an identity or one of its devices) may sign now (§13.7). */
  mayActNow(key: KeyHex): boolean {
    return this.isWitnessNow(key) || mayAct(this.#current.open, this.identityOf(key));
  }

  /** The witnesses of the current set, and during a change those of the set taking over. */
  isWitnessNow(key: KeyHex): boolean {
    return this.#current.open.witnesses.has(key) || this.#current.seen.witnesses.has(key);
  }

  /**
   * What a witness's next vote should cite so that it carries this peer's view of the witness
   * sets on (§13.4): a transaction that has it, then the votes that enact a change backed by a
   * quorum, or the acknowledgements that hand it over. `state` is the vote's epoch state with
   * them; `advances` says whether that is news for the witness's own chain, which is reason
   * enough to vote (an acknowledgement).
   */
  epochEvidence(witness: KeyHex): { deps: TxId[]; state: EpochState; advances: boolean } {
    const head = this.head(witness);
    const own = head ? (this.#valid.get(head.id)?.epochs ?? this.#origin) : this.#origin;
    const deps = new Set<TxId>();
    const current = this.#current;
    if (own.seen.key !== current.seen.key || own.open.key !== current.open.key)
      deps.add(this.#currentId);
    if (!changing(current)) {
      for (const p of this.#proposals.forEpoch(current.open.epoch + 1)) {
        const tx = this.#valid.get(p.id)?.tx;
        const proof = tx ? this.#proofIn(tx, current.open) : [];
        for (const id of proof) deps.add(id);
        if (proof.length > 0) break;
      }
    } else if (current.seen.witnesses.has(witness)) {
      // A witness leaving the set acknowledges the change but never cites the handover: after
      // it, its votes would not be valid.
      const acks: TxId[] = [];
      for (const w of current.open.sorted) {
        const latest = this.#latestVote.get(w);
        if (latest && this.#valid.get(latest.id)?.epochs.seen.key === current.seen.key)
          acks.push(latest.id);
      }
      if (acks.length >= current.open.quorum)
        for (const id of acks.slice(0, current.open.quorum)) deps.add(id);
    }
    if (head) deps.delete(head.id);
    const list = [...deps];
    const state = this.#epochsFrom(own, head ? [head.id, ...list] : list);
    const advances = state.seen.key !== own.seen.key || state.open.key !== own.open.key;
    return { deps: list, state, advances };
  }

  // ---- devices (§12) ---------------------------------------------------------------------

  /** The identity a chain acts for: the account of a device, or the key itself. */
  identityOf(key: KeyHex): KeyHex {
    return this.#devices.device(key)?.account ?? key;
  }

  /** A device's certificate as this peer holds it. */
  device(key: KeyHex): DeviceRecord | undefined {
    return this.#devices.device(key);
  }

  /** The device keys certified for an identity, in the order this peer learnt them. */
  devicesOf(account: KeyHex): readonly KeyHex[] {
    return this.#devices.devicesOf(account);
  }

  /** Revocations of a chain, each with whether it is final (only a final one closes it). */
  revocationsOf(key: KeyHex): Array<Revocation & { readonly final: boolean }> {
    return this.#devices.revocationsOf(key).map((r) => ({ ...r, final: this.isFinal(r.id) }));
  }

  /** The highest final transaction of a chain, which a revocation of it names. */
  finalHead(author: KeyHex): { id: TxId; seq: number } | null {
    for (let seq = this.#chains.maxSeq(author); seq >= 0; seq--) {
      for (const id of this.#chains.idsAt(author, seq)) if (this.isFinal(id)) return { id, seq };
    }
    return null;
  }

  /** For each witness, its latest vote covering transaction `id`: the proof a revocation cites. */
  finalityProof(id: TxId): TxId[] {
    const tx = this.#valid.get(id)?.tx;
    return tx ? this.#finalityProof(tx) : [];
  }

  /** The chains that act for the identity of `key`: the identity's own, then its devices'. */
  chainsOf(key: KeyHex): KeyHex[] {
    const account = this.identityOf(key);
    return [account, ...this.#devices.devicesOf(account)];
  }

  /**
   * An identity's money across all of its chains: its own and its devices'. The balance of
   * each key alone can mislead: an heir spends credits paid to the chain it inherited.
   */
  identityAccount(account: KeyHex): AccountView {
    let balance = 0n;
    let available = 0n;
    let pending = 0n;
    let frozen = false;
    for (const key of this.chainsOf(account)) {
      const view = this.account(key);
      balance += view.balance;
      available += view.available;
      pending += view.pending;
      frozen ||= view.frozen;
    }
    return { balance, available, pending, frozen };
  }

  /**
   * A digest of the whole state: the set of valid transactions, every balance, finality and
   * frozen authors. Two peers with the same set of transactions have the same root.
   */
  stateRoot(): string {
    const ids = [...this.#valid.keys()].sort();
    // Hash incrementally: spreading 100,000 ids into one call would overflow the stack.
    const hasher = sha256.create();
    for (const id of ids) hasher.update(fromHex(id));
    const idDigest = hasher.digest();
    const accounts = this.accounts().map((key) => {
      const view = this.account(key);
      return [fromHex(key), view.balance, view.available];
    });
    const frozen = this.#chains
      .forkedAuthors()
      .sort()
      .map((k) => fromHex(k));
    const final = ids.filter((id) => this.isFinal(id)).length;
    const root = encodeCanonical({
      network: fromHex(this.networkId),
      txs: idDigest,
      final,
      accounts,
      frozen,
    });
    return txIdOf(sha256(root));
  }

  /**
   * Recomputes balances from scratch and compares them with the incrementally maintained ones,
   * and checks conservation of money. Used by tests and by a peer's self-check after recovery.
   */
  audit(): { ok: true } | { ok: false; problem: string } {
    const expected = new Map(this.#allocation);
    const escrow = new Map<TxId, bigint>();
    for (const entry of this.#valid.values()) {
      if (entry.applied !== this.#shouldApply(entry))
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
      if (amount !== this.escrow(id)) return { ok: false, problem: `escrow ${id} drifted` };
      held += amount;
    }
    let total = 0n;
    for (const [key, balance] of this.#balance) {
      if ((expected.get(key) ?? 0n) !== balance)
        return { ok: false, problem: `balance of ${key} drifted` };
      total += balance;
    }
    if (total + held !== this.#supply)
      return {
        ok: false,
        problem: `balances ${total} plus escrow ${held} differ from genesis supply ${this.#supply}`,
      };
    return { ok: true };
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

function notMember(epochs: EpochState): Rejection {
  return reject(
    'not-member',
    epochs.open.membership.closed
      ? 'the author is not a member of this network: a quorum of the witnesses admits members'
      : 'the author was removed from this network by a change of its witnesses',
  );
}

function proposalOf(tx: Tx): Proposal {
  const body = tx.body as WitnessSetBody;
  return {
    id: tx.id,
    author: tx.author,
    epoch: body.epoch,
    witnesses: body.witnesses.map((w) => keyHexOf(w)),
    by: keyHexOf(body.by),
    admit: (body.admit ?? []).map((k) => keyHexOf(k)),
    remove: (body.remove ?? []).map((k) => keyHexOf(k)),
    close: body.close === true,
  };
}

/** Who may sign from the genesis on: everyone, or in a closed network its named identities. */
function genesisMembership(genesis: VerifiedTx<GenesisBody>): Membership {
  const body = genesis.body;
  if (body.params.closed !== true) return OPEN_MEMBERSHIP;
  const members = new Set<KeyHex>([genesis.author]);
  for (const w of body.witnesses) members.add(keyHexOf(w));
  for (const [k] of body.allocations) members.add(keyHexOf(k));
  for (const [k] of body.refounds?.debts ?? []) members.add(keyHexOf(k));
  return { closed: true, members, removed: new Set() };
}

function parentsOf(tx: Tx): TxId[] {
  return tx.prev === null ? [...tx.deps] : [tx.prev, ...tx.deps];
}
