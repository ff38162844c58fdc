// The plug-in seam for transaction types. The ledger's core loop knows chains, dependencies,
// claims, funds, escrow and finality; each type only parses its body and states its economic
// effects. Later types (SSK, the DNEC service life cycle) register here without touching the loop.
import type * as v from 'valibot';
import type { KeyHex, TxId } from '../ids.ts';
import type { Tx } from './envelope.ts';
import type { Rejection } from './rejection.ts';

export interface Credit {
  readonly to: KeyHex;
  readonly amount: bigint;
}

/**
 * What applying a transaction does to balances. The author is debited `debit`; each credit is
 * paid to its recipient, who can spend it once it is final. `lock` moves money into an escrow
 * named by this transaction's id; `release` takes money out of an earlier escrow. A type must
 * conserve money: debit + released = credits + lock.
 */
export interface Effects {
  readonly debit: bigint;
  readonly credits: readonly Credit[];
  readonly lock?: bigint;
  readonly release?: { readonly from: TxId; readonly amount: bigint };
}

export const NO_EFFECTS: Effects = { debit: 0n, credits: [] };

/** A head a witness voted for: `author`'s chain up to `seq`, ending at `id`. */
export interface ViewHead {
  readonly seq: number;
  readonly id: TxId;
}

/**
 * Read-only ledger facts a type may consult while deciding validity. Every query starts from a
 * transaction in the causal past of the one being validated (its prev, its deps, or their
 * ancestors), so the answer is the same on every peer, whatever else that peer holds.
 */
export interface LedgerReader {
  /** Witnesses named in genesis, sorted. */
  readonly witnesses: readonly KeyHex[];
  /** Votes needed for finality. */
  readonly quorum: number;
  /** A valid transaction by id. */
  valid(id: TxId): Tx | undefined;
  /** True when `ancestor` is `descendant` or lies on its chain (same author). */
  isAncestorOrEqual(ancestor: TxId, descendant: TxId): boolean;
  /**
   * The witness view at time `at`, seen from vote `voteId`: the highest head of `author` that
   * the vote's witness had voted for in its votes on `voteId`'s chain dated `at` or earlier.
   */
  viewHead(voteId: TxId, author: KeyHex, at: number): ViewHead | undefined;
  /** True when the head is `tx` or one of its descendants on the same chain. */
  covers(head: ViewHead, tx: Tx): boolean;
}

/** Per-ledger state a type keeps (indexes of its own transactions). */
export interface IndexStore {
  index<T>(key: string, create: () => T): T;
}

/** Read-only facts a type may consult: only the transaction's causal past is visible. */
export interface TypeContext {
  readonly creditLimit: bigint;
  dependency(id: string): Tx | undefined;
  readonly ledger: LedgerReader;
  readonly indexes: IndexStore;
}

export interface TxTypeDef<B = unknown> {
  readonly name: string;
  readonly schema: v.GenericSchema<unknown, B>;
  effects(tx: Tx<B>, ctx: TypeContext): Effects | Rejection;
  /** Called once when a transaction of this type becomes valid, to update the type's indexes. */
  accepted?(tx: Tx<B>, ctx: TypeContext): void;
}

export const isRejection = (value: Effects | Rejection): value is Rejection => 'code' in value;
