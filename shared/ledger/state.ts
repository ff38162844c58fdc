// The ledger's state: everything a Ledger holds, in one place. The other modules of this folder
// are the rules over it (validate.ts, apply.ts, claims.ts, finality.ts, voteRules.ts,
// witnessChanges.ts, backing.ts) and the queries on it (views.ts, integrity.ts).
//
// What is state, and what follows from it: the settled transactions (valid, rejected, waiting)
// are the facts. Every valid entry carries what validation computed from its causal past
// (running totals, claims, epoch state), fixed for good. The rest are indexes of the valid
// transactions (chains, votes, devices, proposals, credits, claims), the money they moved
// (balances, escrows), and this peer's view of the witness sets (current), all updated as each
// transaction is accepted.
//
// For a snapshot: almost all of it follows from the set of valid transactions, whatever their
// order. What does not: `removalCaps` (what this peer held of a member when a change removed
// it), `currentId` (the first transaction that carried `current`), and the order of some lists
// (DeviceIndex.devicesOf is the order this peer learnt the devices; Map insertion orders).
import { keyHexOf, type KeyHex, type NetworkId, type TxId } from '../ids.ts';
import type { Tx } from '../tx/envelope.ts';
import type { GenesisBody } from '../tx/genesis.ts';
import type { TypeRegistry, VerifiedTx } from '../tx/registry.ts';
import type { Rejection } from '../tx/rejection.ts';
import {
  NO_EFFECTS,
  type Effects,
  type IndexStore,
  type LedgerReader,
  type TypeContext,
} from '../tx/types.ts';
import { budgetRule, genesisMark, type BudgetMark, type BudgetRule } from './budget.ts';
import { Chains, type ChainLink } from './chains.ts';
import { CheckpointIndex } from './checkpoints.ts';
import { DeviceIndex, type Succession } from './devices.ts';
import {
  makeConfig,
  OPEN_MEMBERSHIP,
  ProposalIndex,
  type Config,
  type EpochState,
  type Membership,
} from './epochs.ts';
import { makeReader } from './reader.ts';
import { UnclaimedIndex } from './unclaimed.ts';
import { VoteIndex, type VoteHead } from './votes.ts';

export interface ValidEntry {
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
  /** Where the author's writing budget stands after it (§15); null in a network without one. */
  readonly budget: BudgetMark | null;
  /** Whether this chain may use the identity's credit line (§12: one chain of an identity does). */
  readonly line: boolean;
  /** Closed chains this chain has inherited by claiming their revocations (§12), or null. */
  readonly succession: Succession | null;
  /** The witness sets this transaction's causal past knows (§13). */
  readonly epochs: EpochState;
  /** For a vote, the witness set it counts for; otherwise null. */
  readonly counts: Config | null;
  /** Whether it moves money now (§6.4, §12.3); the one field that changes after acceptance. */
  applied: boolean;
}

export interface WaitingEntry {
  readonly tx: Tx;
  readonly missing: Set<TxId>;
}

export class LedgerState {
  // ---- the network, from its genesis ----
  readonly networkId: NetworkId;
  readonly founder: KeyHex;
  readonly creditLimit: bigint;
  /** Each author's writing budget (§15), or null for a network founded without one. */
  readonly budget: BudgetRule | null;
  readonly registry: TypeRegistry;
  /** Money in the genesis: balances plus escrows always add up to it. */
  readonly supply: bigint;
  /** Genesis allocations (and a re-founding's debts, below zero). */
  readonly allocation = new Map<KeyHex, bigint>();
  /** The epoch state of the genesis: the witness set it names. */
  readonly origin: EpochState;

  // ---- settled transactions: the facts ----
  readonly valid = new Map<TxId, ValidEntry>();
  readonly rejected = new Map<TxId, Rejection>();
  readonly waiting = new Map<TxId, WaitingEntry>();
  /** For each missing parent, the waiting transactions that need it. */
  readonly waitersOf = new Map<TxId, Set<TxId>>();

  // ---- indexes of the valid transactions ----
  /**
   * Dropped transactions that kept data still names, by their place on their chain (a compact
   * state's stubs, compact.ts): what ancestry needs of them above a fork.
   */
  readonly stubs = new Map<TxId, ChainLink>();
  /**
   * Per author, the highest seq of its chain in the compact state this ledger was restored from:
   * at or below it, a place with no valid entry was dropped (intake.ts, beforeSnapshot).
   */
  readonly snapshotTop = new Map<KeyHex, number>();
  /**
   * The entries of the compact state this ledger was restored from that were final there.
   * Finality never goes back (§7), but the votes that showed it may name heads the state kept
   * only as stubs: after a later fork of their author, those no longer say which branch they
   * are on, and the full ledger still calls the entry final.
   */
  readonly finalAtCut = new Set<TxId>();
  readonly chains = new Chains((id) => this.valid.get(id)?.tx ?? this.stubs.get(id));
  readonly votes = new VoteIndex();
  readonly devices = new DeviceIndex();
  readonly proposals = new ProposalIndex();
  readonly checkpoints = new CheckpointIndex();
  /** Per recipient, the transactions that credit it. */
  readonly creditsTo = new Map<KeyHex, TxId[]>();
  /** Per credit (or revocation), the transactions that claimed it. */
  readonly claimedBy = new Map<TxId, TxId[]>();
  /**
   * Per recipient, the credits its own chain has not claimed: a cache over creditsTo and
   * claimedBy, brought up to date when read (unclaimed.ts). Not state: nothing hashes it.
   */
  readonly unclaimed = new UnclaimedIndex();
  /** Per author, the highest-seq valid transaction that is not a vote (see votableHeads). */
  readonly lastNonVote = new Map<KeyHex, { id: TxId; seq: number }>();
  /** Per witness, its highest-seq valid vote. */
  readonly latestVote = new Map<KeyHex, { id: TxId; seq: number }>();
  /** Per-ledger indexes that transaction types keep (see TxTypeDef.accepted). */
  readonly typeIndexes = new Map<string, unknown>();

  // ---- money moved by applied transactions ----
  readonly balance = new Map<KeyHex, bigint>();
  /** Money held in escrow, by the id of the transaction that locked it. */
  readonly escrow = new Map<TxId, bigint>();
  /** What transactions a compact state dropped moved, per account (compact.ts): the audit's base. */
  readonly settled = new Map<KeyHex, bigint>();

  // ---- witness sets (§13) ----
  /**
   * Witness sets by Config.key: the genesis set, and each change some validation found enacted
   * (a quorum of counted votes among valid parents), even when the transaction being validated
   * was then refused for another reason. A set no valid vote counts for adds no votes anywhere.
   */
  readonly configs = new Map<string, Config>();
  /** Chains of removed members: the highest seq this peer's witness still backs (§13.7). */
  readonly removalCaps = new Map<KeyHex, number>();
  /** The latest epoch state of any valid transaction: this peer's view of the witness sets. */
  current: EpochState;
  /** A transaction whose epoch state is `current`: what a vote cites to carry it on. */
  currentId: TxId;

  // ---- what transaction types see of the ledger ----
  readonly reader: LedgerReader;
  readonly indexes: IndexStore;

  constructor(genesis: VerifiedTx<GenesisBody>, registry: TypeRegistry) {
    this.networkId = genesis.id;
    this.founder = genesis.author;
    this.registry = registry;
    const body = genesis.body;
    const first = makeConfig(
      0,
      body.witnesses.map((w) => keyHexOf(w)),
      null,
      genesisMembership(genesis),
    );
    this.current = this.origin = { seen: first, open: first };
    this.currentId = genesis.id;
    this.configs.set(first.key, first);
    this.creditLimit = body.params.creditLimit;
    this.budget = budgetRule(genesis);
    let supply = 0n;
    for (const [key, amount] of body.allocations) {
      this.allocation.set(keyHexOf(key), amount);
      this.balance.set(keyHexOf(key), amount);
      supply += amount;
    }
    // A re-founding carries debts over as accounts that start below zero (§13.6).
    for (const [key, amount] of body.refounds?.debts ?? []) {
      this.allocation.set(keyHexOf(key), -amount);
      this.balance.set(keyHexOf(key), -amount);
      supply -= amount;
    }
    this.supply = supply;
    this.valid.set(genesis.id, {
      tx: genesis,
      claimed: 0n,
      debited: 0n,
      effects: NO_EFFECTS,
      claims: [],
      heads: null,
      voteTime: -1,
      budget: this.budget ? genesisMark(this.budget) : null,
      line: true,
      succession: null,
      epochs: this.current,
      counts: null,
      applied: true,
    });
    this.chains.add(genesis.author, 0, genesis.id);
    this.lastNonVote.set(genesis.author, { id: genesis.id, seq: 0 });
    this.reader = makeReader(this);
    this.indexes = {
      index: <T>(key: string, create: () => T): T => {
        if (!this.typeIndexes.has(key)) this.typeIndexes.set(key, create());
        return this.typeIndexes.get(key) as T;
      },
    };
  }

  /** What a transaction type's rules see when they judge `tx`: only its causal past. */
  context(tx: Tx): TypeContext {
    return {
      creditLimit: this.creditLimit,
      dependency: (id) =>
        tx.deps.includes(id as TxId) ? this.valid.get(id as TxId)?.tx : undefined,
      ledger: this.reader,
      indexes: this.indexes,
    };
  }
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
