// The storage port: where a peer keeps the transactions it has validated, and a little
// metadata (checkpoints). Node and Electron main use an append-only file log; the browser uses
// IndexedDB; tests may use memory. One acceptance suite (test/storage/acceptance.ts) runs
// against every implementation.

/** Bytes [offset, offset + bytes) of the stored log that held no readable record. */
export interface UnreadableStretch {
  readonly offset: number;
  readonly bytes: number;
}

/**
 * The end of the log did not hold whole records and was cut off. A crash or power loss during
 * a write leaves exactly this, but so does damage to the very last record: the two look alike.
 */
export interface TornTailNote {
  readonly kind: 'torn-tail';
  /** Bytes cut off the end of the log. */
  readonly truncatedBytes: number;
  /** What happened, in full sentences for the user. */
  readonly reason: string;
}

/**
 * Records could not be read in the middle of the log, with good records after them: damage,
 * which a crash cannot cause. Every readable record was kept; the store kept the log as it was
 * found (savedCopy) before rewriting it without the damaged bytes.
 */
export interface DamageNote {
  readonly kind: 'damage';
  /** Every byte dropped: the sum of `regions`. */
  readonly truncatedBytes: number;
  /**
   * What was dropped, in file order, with offsets into the saved copy. Each lost at least one
   * record. The last may run to the end of the file (a torn tail after the damage).
   */
  readonly regions: readonly UnreadableStretch[];
  /** Records kept from after the start of the first region. */
  readonly recordsKeptAfter: number;
  /** Where the log as it was found was saved (for the file store, a full path). */
  readonly savedCopy: string;
  /** What happened, in full sentences for the user. */
  readonly reason: string;
}

export type RecoveryNote = TornTailNote | DamageNote;

export interface LoadedLog {
  readonly records: Uint8Array[];
  /** Present when the store had to repair itself: a torn tail cut off, or damage removed. */
  readonly recovery?: RecoveryNote;
  /**
   * An identity of the stored log itself, present where the store can have one. It stays the
   * same while this store keeps writing the same log, and changes when the log is replaced by
   * a copy (a backup restored, a home moved to another disk), so a caller that remembers it can
   * tell "the very log I last wrote" from "a copy of it". Opaque: compare it, do not parse it.
   * It cannot see a rollback that keeps the file's identity (a filesystem or VM snapshot).
   * Removing damage rewrites the log, so a load that reports `kind: 'damage'` has a new one.
   */
  readonly instance?: string;
}

export type ProgressListener = (done: number, total: number) => void;

export interface LogStore {
  /**
   * Appends records durably, in order. The promise resolves only once they are persisted
   * (fsync, or a committed IndexedDB transaction): an acknowledged record survives a crash.
   */
  append(records: readonly Uint8Array[]): Promise<void>;
  /** Every record ever appended, in append order: fresh copies that the caller owns. */
  load(onProgress?: ProgressListener): Promise<LoadedLog>;
  /**
   * Replaces every record with `records`, in this order, atomically: after a crash the log is
   * the old one or the new one, never a mix. Meta values stay as they are. A peer prunes with it
   * what a certified checkpoint covers (docs/protocol.md §14.12): the records are ones it
   * verified, so it writes the meta `checkpoint` count again right after. Resolves, once the new
   * log is durable, with the new log's `instance` where the store has one (a rewritten file is
   * a new file). Appends and loads called after it see the new log.
   */
  rewrite(records: readonly Uint8Array[]): Promise<{ readonly instance?: string }>;
  /** Small named values (checkpoints, settings), each replaced atomically. */
  putMeta(key: string, value: Uint8Array): Promise<void>;
  getMeta(key: string): Promise<Uint8Array | undefined>;
  /**
   * Bytes still free where the log is kept, for the peer's warning before the disk fills
   * (engine/diskSpace.ts). Optional: a store whose platform cannot tell has none.
   */
  spaceLeft?(): Promise<number | null>;
  close(): Promise<void>;
}

/** Thrown for arguments a store refuses (not bytes, an oversized record, a closed store). */
export class StorageError extends Error {
  override name = 'StorageError';
}

/** Records are transactions; this bound is far above MAX_TX_BYTES and rejects garbage early. */
export const MAX_RECORD_BYTES = 1 << 20;
