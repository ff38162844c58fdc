// The plug-in seam for transaction types. The ledger's core loop knows chains, dependencies,
// claims, funds, escrow and finality; each type only parses its body and states its economic
// effects. Later types (SSK, the DNEC service life cycle) register here without touching the loop.
import * as v from 'valibot';
import { decodeCanonical, type CborValue } from '../codec/cbor.ts';
import type { KeyHex, TxId } from '../ids.ts';
import type { Tx } from './envelope.ts';
import type { Rejection } from './rejection.ts';
import { describeIssues } from './schema.ts';

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
  /**
   * The genesis asks the witnesses to add randomness to validator draws (§11.5). Absent (a
   * reader of a network founded before) means false.
   */
  readonly witnessedDraw?: boolean;
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
  /**
   * How the index this type keeps (under `index.key` in the IndexStore) is written into a
   * snapshot and read back (docs/snapshots.md, "Feature indexes"). Types that share one index
   * (the DNEC life cycle) share one codec object.
   */
  readonly index?: IndexCodec;
  /**
   * Whether a transaction of this type is outside its author's writing budget (§15), because
   * something else bounds how many there can be (a beacon: one per witness per accepted request).
   */
  readonly budgetFree?: true;
}

/** A restored index, or why the value is not one: a sentence. */
export type Restored<T> =
  { readonly ok: true; readonly index: T } | { readonly ok: false; readonly error: string };

/**
 * A type's index as snapshot data. `snapshot` is canonical: the same set of accepted
 * transactions gives the same value (and so the same encodeCanonical bytes) whatever the order
 * they arrived in, because every collection is sorted by a stable key and only what the index
 * holds is written. `restore` is total: it parses untrusted data with a schema, never throws,
 * and refuses anything that is not a snapshot with a sentence.
 */
export interface IndexCodec {
  /** The key the index lives under in the IndexStore. */
  readonly key: string;
  /** The index as canonical data; an index never created (no transaction yet) is the empty one. */
  snapshot(index: unknown): CborValue;
  restore(value: unknown): Restored<unknown>;
}

/** What a feature states about its index; `indexCodec` turns it into the registry's shape. */
export interface TypedIndexCodec<T> {
  readonly key: string;
  /** The empty index: what IndexStore.index creates before the first transaction. */
  empty(): T;
  /** True when the value is this feature's index (the guard between unknown and T). */
  owns(value: unknown): value is T;
  snapshot(index: T): CborValue;
  restore(value: unknown): Restored<T>;
}

/** Thrown by IndexCodec.snapshot for a value that is not the type's index: a programming error. */
export class IndexKindError extends Error {
  override name = 'IndexKindError';
}

export function indexCodec<T>(typed: TypedIndexCodec<T>): IndexCodec {
  return {
    key: typed.key,
    snapshot(index) {
      if (index === undefined) return typed.snapshot(typed.empty());
      if (!typed.owns(index))
        throw new IndexKindError(`the value under "${typed.key}" is not this type's index`);
      return typed.snapshot(index);
    },
    restore: (value) => typed.restore(value),
  };
}

export const isRejection = (value: Effects | Rejection): value is Rejection => 'code' in value;

/**
 * Parses a snapshot value with `schema`, then builds the index from what it parsed. Total: a
 * value the schema refuses, a build that refuses, or anything thrown along the way (nothing is
 * expected to) comes back as a sentence naming the index.
 */
export function restoreIndex<P, T>(
  what: string,
  schema: v.GenericSchema<unknown, P>,
  value: unknown,
  build: (parsed: P) => T | string,
): Restored<T> {
  try {
    const parsed = v.safeParse(schema, value);
    if (!parsed.success)
      return { ok: false, error: `not a snapshot of ${what}: ${describeIssues(parsed.issues)}` };
    const built = build(parsed.output);
    return typeof built === 'string'
      ? { ok: false, error: `not a snapshot of ${what}: ${built}` }
      : { ok: true, index: built };
  } catch {
    return { ok: false, error: `not a snapshot of ${what}: it could not be read` };
  }
}

/** Restores an index from its canonical CBOR bytes (at most `maxBytes`); never throws. */
export function restoreIndexBytes(
  codec: IndexCodec,
  bytes: unknown,
  maxBytes: number,
): Restored<unknown> {
  const decoded = decodeCanonical(bytes, maxBytes);
  if (!decoded.ok) {
    const why =
      decoded.reason === 'oversized'
        ? `it is too large (${decoded.detail})`
        : decoded.reason === 'non-canonical'
          ? `it is not in canonical form (${decoded.detail})`
          : `it is not canonical CBOR (${decoded.detail})`;
    return { ok: false, error: `not a snapshot of the ${codec.key} index: ${why}` };
  }
  return codec.restore(decoded.value);
}

/**
 * True when the keys are in strictly increasing order (sorted, no repeats): what a canonical
 * snapshot's collections must be, so that restoring and writing again gives the same bytes.
 */
export function strictlyIncreasing(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++)
    if ((keys[i - 1] as string) >= (keys[i] as string)) return false;
  return true;
}

/**
 * The codec of an index that is a list of records with ids, kept live in arrival order: written
 * sorted by id, read back only when sorted by id with each once, so that restoring and writing
 * again gives the same bytes.
 */
export function idListCodec<T extends { readonly id: string }, R>(spec: {
  readonly key: string;
  /** The index, for refusals: "the re-founding index". */
  readonly what: string;
  /** Its records, for the refusal of an unsorted list: "announcements". */
  readonly items: string;
  readonly rows: v.GenericSchema<unknown, R[]>;
  readonly toRow: (item: T) => CborValue;
  readonly fromRow: (row: R) => T;
}): IndexCodec {
  return indexCodec<T[]>({
    key: spec.key,
    empty: () => [],
    owns: (value): value is T[] => Array.isArray(value),
    snapshot: (index) =>
      [...index].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(spec.toRow),
    restore: (value) =>
      restoreIndex(spec.what, spec.rows, value, (rows) => {
        const restored = rows.map(spec.fromRow);
        return strictlyIncreasing(restored.map((r) => r.id))
          ? restored
          : `${spec.items} must be sorted by id, once each`;
      }),
  });
}
