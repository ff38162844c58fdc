// The storage port: where a peer keeps the transactions it has validated, and a little
// metadata (checkpoints). Node and Electron main use an append-only file log; the browser uses
// IndexedDB; tests may use memory. One acceptance suite (test/storage/acceptance.ts) runs
// against every implementation.

export interface RecoveryNote {
  /** Bytes dropped from a torn or corrupt tail. */
  readonly truncatedBytes: number;
  readonly reason: string;
}

export interface LoadedLog {
  readonly records: Uint8Array[];
  /** Present when the store had to repair itself on open (a torn write after a crash). */
  readonly recovery?: RecoveryNote;
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
  /** Small named values (checkpoints, settings), each replaced atomically. */
  putMeta(key: string, value: Uint8Array): Promise<void>;
  getMeta(key: string): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

/** Thrown for arguments a store refuses (not bytes, an oversized record, a closed store). */
export class StorageError extends Error {
  override name = 'StorageError';
}

/** Records are transactions; this bound is far above MAX_TX_BYTES and rejects garbage early. */
export const MAX_RECORD_BYTES = 1 << 20;
