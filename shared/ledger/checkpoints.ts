// Checkpoints (docs/protocol.md §14): their validity rule and the index of them a ledger keeps.
// What a checkpoint states (the root of the state at its cut) is not a validity rule: a peer
// that starts from a snapshot cannot recompute it. It is what honest witnesses check before
// covering the checkpoint with a vote (backing.ts), so that finality certifies it.
import { toHex } from '../bytes.ts';
import { txIdOf, type KeyHex, type TxId } from '../ids.ts';
import { CHECKPOINT_TYPE, type CheckpointBody } from '../tx/checkpoint.ts';
import type { Tx } from '../tx/envelope.ts';
import { reject, type Rejection } from '../tx/rejection.ts';
import type { EpochState } from './epochs.ts';

export interface CheckpointRecord {
  readonly id: TxId;
  readonly author: KeyHex;
  readonly seq: number;
  /** The witness's transaction just before it on its chain: what a vote may cover instead. */
  readonly prev: TxId | null;
  readonly n: number;
  readonly after: TxId | null;
  /** Hex of the state root, and the length of the state's bytes. */
  readonly root: string;
  readonly size: number;
}

/** The record of a checkpoint transaction, or null for any other type. */
export function checkpointOf(tx: Tx): CheckpointRecord | null {
  if (tx.type !== CHECKPOINT_TYPE) return null;
  const body = tx.body as CheckpointBody;
  return {
    id: tx.id,
    author: tx.author,
    seq: tx.seq,
    prev: tx.prev,
    n: body.n,
    after: body.after ? txIdOf(body.after) : null,
    root: toHex(body.root),
    size: body.size,
  };
}

/** The valid checkpoints, by id and by proposer. Few: one per many thousand transactions. */
export class CheckpointIndex {
  readonly #byId = new Map<TxId, CheckpointRecord>();
  readonly #byAuthor = new Map<KeyHex, CheckpointRecord[]>();

  add(tx: Tx): void {
    const record = checkpointOf(tx);
    if (!record || this.#byId.has(record.id)) return;
    this.#byId.set(record.id, record);
    const list = this.#byAuthor.get(record.author);
    if (list) list.push(record);
    else this.#byAuthor.set(record.author, [record]);
  }

  get(id: TxId): CheckpointRecord | undefined {
    return this.#byId.get(id);
  }

  ofAuthor(author: KeyHex): readonly CheckpointRecord[] {
    return this.#byAuthor.get(author) ?? [];
  }

  all(): IterableIterator<CheckpointRecord> {
    return this.#byId.values();
  }

  get size(): number {
    return this.#byId.size;
  }
}

/**
 * Whether a checkpoint whose parents are valid is valid (§14.2): a witness of its own epoch
 * proposes it, and it follows the checkpoint numbered one below, which is one of its parents.
 * Null when valid.
 */
export function checkCheckpoint(
  index: CheckpointIndex,
  tx: Tx,
  epochs: EpochState,
): Rejection | null {
  if (!epochs.open.witnesses.has(tx.author))
    return reject('not-witness', 'only a witness may propose a checkpoint');
  const body = tx.body as CheckpointBody;
  if (body.after === undefined)
    return body.n === 1
      ? null
      : reject('invalid-body', `checkpoint ${body.n} must name checkpoint ${body.n - 1}`);
  const after = txIdOf(body.after);
  if (after !== tx.prev && !tx.deps.includes(after))
    return reject('invalid-body', 'the checkpoint it follows must be one of its parents');
  const earlier = index.get(after);
  if (!earlier) return reject('invalid-body', 'it follows a transaction that is no checkpoint');
  if (earlier.n !== body.n - 1)
    return reject('invalid-body', `checkpoint ${body.n} cannot follow checkpoint ${earlier.n}`);
  return null;
}
