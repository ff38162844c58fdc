// The durable LogStore for Node and Electron main: an append-only file, `<dir>/ledger.log`, in
// the version-1 format of logFormat.ts (docs/storage.md has the full story).
//
// Durability: append() writes a whole batch with one positional write, then fdatasync()s, and
// only then resolves. Appends are serialised, so at any moment at most one unacknowledged batch
// is in flight; a crash can therefore only leave a torn tail after the last acknowledged frame.
//
// rewrite() replaces the whole log atomically (logRewrite.ts): a new file renamed over it.
//
// Recovery (logScanner.ts, logRepair.ts): a bad frame with nothing good after it is a torn tail,
// cut off (ftruncate + fsync). A bad frame followed by good frames is damage: the log as found
// is copied aside (ledger.log.damaged-<UTC time>), and ledger.log is rewritten with every good
// frame, atomically. Either way onWarning hears about it and load() reports it as `recovery`.
// A file that does not start with the header, or has another version, is refused and never
// modified. load() also reports the file's identity (`instance`), to tell it from a copy.
//
// Meta values live beside the log, one file per key, each replaced atomically (metaFiles.ts).
import { constants } from 'node:fs';
import { mkdir, open, readdir, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  LoadedLog,
  LogStore,
  ProgressListener,
  RecoveryNote,
} from '../../shared/storage/port.ts';
import { StorageError } from '../../shared/storage/port.ts';
import {
  closedError,
  validateMetaKey,
  validateMetaValue,
  validateRecords,
} from '../../shared/storage/validate.ts';
import { lockDirectory, type DirLock } from './dirLock.ts';
import { errorMessage, syncDirectory } from './fsHelpers.ts';
import {
  checkFileHeader,
  encodeFrames,
  FILE_HEADER_BYTES,
  LOG_FILE_HEADER,
  LOG_FILE_NAME,
  writeAll,
} from './logFormat.ts';
import { LOG_TEMP_NAME, logInstance, saveDamagedCopy, writeRepairedLog } from './logRepair.ts';
import { writeRewrittenLog } from './logRewrite.ts';
import { META_TEMP, readMetaFile, writeMetaFile } from './metaFiles.ts';
import { goodEndOf, scanLog, type BadStretch, type ScanResult } from './logScanner.ts';
import { damageNote, tornHeaderNote, tornTailNote } from './recoveryNotes.ts';

export { LOG_FILE_NAME, LOG_FORMAT_VERSION } from './logFormat.ts';
export const LOCK_FILE_NAME = 'ledger.lock';

export interface FileLogStoreOptions {
  /**
   * Hears about repairs and takeovers (a torn tail cut off, damage removed, a stale lock
   * removed). Defaults to process.emitWarning, so a repair is never silent.
   */
  onWarning?: (message: string) => void;
}

export class FileLogStore implements LogStore {
  readonly dir: string;
  readonly logPath: string;
  /** Replaced when a repair or rewrite() replaces the log: the new log is a new file. */
  private handle: FileHandle;
  private readonly lock: DirLock;
  private readonly onWarning: (message: string) => void;
  /** Where the next frame goes; unknown until the first scan has found the last good frame. */
  private end: number | undefined;
  /** A repair made before the first load() (by open or append), for load() to report. */
  private pendingRecovery: RecoveryNote | undefined;
  /** Every operation runs in call order: batches never interleave, meta never races. */
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** Set when a write or fsync failed: what is on disk is then unknown until a reopen. */
  private failure: unknown;
  /** The copy of a damaged log, kept when its repair failed, for the next attempt to reuse. */
  private savedCopy: string | undefined;

  /** Use openFileLogStore(). */
  constructor(
    dir: string,
    handle: FileHandle,
    lock: DirLock,
    onWarning: (message: string) => void,
    pendingRecovery: RecoveryNote | undefined,
  ) {
    this.dir = dir;
    this.logPath = join(dir, LOG_FILE_NAME);
    this.handle = handle;
    this.lock = lock;
    this.onWarning = onWarning;
    this.pendingRecovery = pendingRecovery;
  }

  // The async methods validate and copy their arguments before their first await, that is
  // synchronously: the caller may reuse its arrays as soon as the call returns.

  async append(records: readonly Uint8Array[]): Promise<void> {
    const frames = encodeFrames(validateRecords(records));
    await this.enqueue('append', async () => {
      if (frames.length === 0) return;
      const end = this.end ?? (await this.recover(false, undefined)).end;
      try {
        await writeAll(this.handle, frames, end);
        await this.handle.datasync();
      } catch (error) {
        // After a failed fsync the kernel may have dropped the dirty pages and a retry could
        // falsely succeed, so the store stops here; reopening rescans and recovers.
        this.failure = error;
        throw error;
      }
      this.end = end + frames.length;
    });
  }

  async rewrite(records: readonly Uint8Array[]): Promise<{ readonly instance?: string }> {
    const checked = validateRecords(records);
    return await this.enqueue('rewrite', async () => {
      // A failure before the rename leaves the old log and this store as they were.
      const { handle, size } = await writeRewrittenLog(this.dir, this.logPath, checked);
      await this.adopt(handle, size);
      return { instance: await logInstance(handle) };
    });
  }

  load(onProgress?: ProgressListener): Promise<LoadedLog> {
    return this.enqueue('load', async () => {
      const { records, recovery } = await this.recover(true, onProgress);
      const note = recovery ?? this.pendingRecovery;
      this.pendingRecovery = undefined;
      // Read after any repair: removing damage replaces the file, and with it the identity.
      const instance = await logInstance(this.handle);
      return note === undefined ? { records, instance } : { records, recovery: note, instance };
    });
  }

  async putMeta(key: string, value: Uint8Array): Promise<void> {
    const checkedKey = validateMetaKey(key);
    const copy = validateMetaValue(checkedKey, value);
    await this.enqueue('putMeta', () => writeMetaFile(this.dir, checkedKey, copy));
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const checkedKey = validateMetaKey(key);
    return await this.enqueue('getMeta', () => readMetaFile(this.dir, checkedKey));
  }

  /** Waits for queued operations, then closes the file and releases the lock. Idempotent. */
  /** Bytes free to this user on the file system that holds the log (statfs). */
  async spaceLeft(): Promise<number | null> {
    const fs = await statfs(this.dir).catch(() => null);
    return fs ? fs.bavail * fs.bsize : null;
  }

  close(): Promise<void> {
    this.closing ??= this.queue.then(async () => {
      try {
        await this.handle.close();
      } finally {
        await this.lock.release();
      }
    });
    return this.closing;
  }

  private enqueue<T>(operation: string, body: () => Promise<T>): Promise<T> {
    if (this.closing !== undefined) return Promise.reject(closedError(this.logPath, operation));
    const result = this.queue.then(() => {
      if (this.failure !== undefined) {
        throw new StorageError(
          `cannot ${operation}: an earlier write to ${this.logPath} failed ` +
            `(${errorMessage(this.failure)}); close and reopen the store to recover`,
        );
      }
      return body();
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Scans the log and learns where appends go, repairing what the scan found: a torn tail is
   * cut off, damage is removed (keeping a copy of the log as it was).
   */
  private async recover(
    keepRecords: boolean,
    onProgress: ProgressListener | undefined,
  ): Promise<{ records: Uint8Array[]; end: number; recovery?: RecoveryNote }> {
    const { size } = await this.handle.stat();
    const scan = await scanLog(this.handle, size, { keepRecords, onProgress });
    let recovery: RecoveryNote | undefined;
    let end = goodEndOf(scan);
    if (scan.damaged.length > 0) [recovery, end] = await this.removeDamage(scan);
    else if (scan.tail !== undefined) recovery = await this.cutTornTail(scan.tail);
    this.end = end;
    if (recovery === undefined) return { records: scan.records, end };
    this.onWarning(recovery.reason);
    if (!keepRecords) this.pendingRecovery = recovery;
    return { records: scan.records, end, recovery };
  }

  private async cutTornTail(tail: BadStretch): Promise<RecoveryNote> {
    await this.handle.truncate(tail.offset);
    await this.handle.sync();
    return tornTailNote(this.logPath, tail);
  }

  /**
   * Copies the damaged log aside, then replaces it with one that holds every good frame.
   * Returns the note and the new log's end.
   */
  private async removeDamage(scan: ScanResult): Promise<[RecoveryNote, number]> {
    this.savedCopy ??= await saveDamagedCopy(this.dir, this.logPath, new Date());
    const note = damageNote(this.logPath, scan, this.savedCopy);
    const { handle, size } = await writeRepairedLog(
      this.dir,
      this.logPath,
      this.handle,
      scan.spans,
    );
    await this.adopt(handle, size);
    return [note, size];
  }

  /** Continues on `handle`, a log just renamed into place, and makes the rename durable. */
  private async adopt(handle: FileHandle, size: number): Promise<void> {
    const replaced = this.handle;
    this.handle = handle;
    this.end = size; // the old end means nothing in the new file, even if the next step fails
    this.savedCopy = undefined; // a copy kept for a failed repair was of the log just replaced
    await replaced.close().catch(() => undefined);
    try {
      await syncDirectory(this.dir); // the rename must survive a crash too
    } catch (error) {
      this.failure = error; // the new log is in place, but maybe not durably: reopen to know
      throw error;
    }
  }
}

/**
 * Opens (creating if needed) the file log in `dir`, taking the directory's lock. Fails with
 * StorageError if the directory is already open, here or in another live process, or if
 * ledger.log is not a version-1 GPoW log (which is then left untouched).
 */
export async function openFileLogStore(
  dir: string,
  opts: FileLogStoreOptions = {},
): Promise<FileLogStore> {
  const onWarning =
    opts.onWarning ??
    ((message: string): void => process.emitWarning(message, 'GPoWStorageWarning'));
  await mkdir(dir, { recursive: true });
  const lock = await lockDirectory(dir, LOCK_FILE_NAME, onWarning);
  let handle: FileHandle | undefined;
  try {
    await removeStaleTemps(dir);
    const path = join(dir, LOG_FILE_NAME);
    // Not O_APPEND: on Linux it makes positional writes ignore their position, and append()
    // writes at an offset it tracks itself (the end of the last good frame).
    handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    const { size } = await handle.stat();
    const tornHeaderBytes = await checkFileHeader(handle, path, size);
    let recovery: RecoveryNote | undefined;
    if (tornHeaderBytes > 0) {
      recovery = tornHeaderNote(path, tornHeaderBytes, FILE_HEADER_BYTES);
      onWarning(recovery.reason);
    }
    if (size === 0 || tornHeaderBytes > 0) {
      await handle.truncate(0);
      await writeAll(handle, Buffer.from(LOG_FILE_HEADER), 0);
      await handle.sync();
      await syncDirectory(dir); // the new file's directory entry must survive a crash too
    }
    return new FileLogStore(dir, handle, lock, onWarning, recovery);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await lock.release().catch(() => undefined);
    throw error;
  }
}

/** Removes temporary files a crash left: a meta value or a repaired log not yet renamed. */
async function removeStaleTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (META_TEMP.test(name) || name === LOG_TEMP_NAME) {
      await unlink(join(dir, name)).catch(() => undefined);
    }
  }
}
