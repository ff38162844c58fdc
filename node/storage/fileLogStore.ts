// The durable LogStore for Node and Electron main: an append-only file, `<dir>/ledger.log`.
//
// File format, version 1 (all integers little-endian; docs/storage.md has the full story):
//
//   offset 0   8 bytes   file header: ASCII "GPOWLOG" (47 50 4f 57 4c 4f 47) + version 0x01
//   then, repeated, one frame per record:
//              u32       payload length, 1 .. MAX_RECORD_BYTES (1 MiB)
//              u32       CRC-32 (ISO-HDLC, as zlib computes it) of the payload
//              length    payload: the record's bytes, opaque to the store
//
// There is no end marker and no index: the log is exactly the header followed by whole frames.
//
// Durability: append() writes a whole batch with one positional write, then fdatasync()s, and
// only then resolves. Appends are serialised, so at any moment at most one unacknowledged batch
// is in flight; a crash can therefore only leave a torn tail after the last acknowledged frame.
//
// Recovery: reading stops at the first frame that is cut short, declares a length of 0 or over
// the limit, or fails its CRC. Everything from there to the end of the file is cut off
// (ftruncate + fsync), onWarning hears about it, and load() reports it as `recovery`. A file
// that does not start with the header, or has another version, is refused and never modified.
//
// Meta values live beside the log, one file per key (`<dir>/meta-<key>`), each replaced
// atomically: written to a temporary file, fsynced, renamed over the old one, directory fsynced.
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  MAX_RECORD_BYTES,
  StorageError,
  type LoadedLog,
  type LogStore,
  type ProgressListener,
  type RecoveryNote,
} from '../../shared/storage/port.ts';
import {
  closedError,
  validateMetaKey,
  validateMetaValue,
  validateRecords,
} from '../../shared/storage/validate.ts';
import { lockDirectory, type DirLock } from './dirLock.ts';
import { errorCode, errorMessage, syncDirectory } from './fsHelpers.ts';

export const LOG_FILE_NAME = 'ledger.log';
export const LOCK_FILE_NAME = 'ledger.lock';
export const LOG_FORMAT_VERSION = 1;

const MAGIC = 'GPOWLOG';
/** "GPOWLOG" followed by the version byte. */
const LOG_FILE_HEADER: Uint8Array = Uint8Array.of(
  ...[...MAGIC].map((c) => c.charCodeAt(0)),
  LOG_FORMAT_VERSION,
);
const FILE_HEADER_BYTES = LOG_FILE_HEADER.length;
const FRAME_HEADER_BYTES = 8;

/** Large reads keep load() to a few dozen syscalls even for a log of many megabytes. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

const metaFileName = (key: string): string => `meta-${key}`;
const metaTempName = (key: string): string => `.meta-${key}.tmp`;
/** Temporary meta files a crash may have left behind; removed when the store opens. */
const META_TEMP = /^\.meta-[a-z0-9-]{1,64}\.tmp$/;

export interface FileLogStoreOptions {
  /**
   * Hears about repairs and takeovers (a torn tail cut off, a stale lock removed). Defaults to
   * process.emitWarning, so a repair is never silent.
   */
  onWarning?: (message: string) => void;
}

/** Encodes a validated batch as consecutive frames in one buffer, for a single write. */
function encodeFrames(records: readonly Uint8Array[]): Buffer {
  let size = 0;
  for (const record of records) size += FRAME_HEADER_BYTES + record.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const record of records) {
    out.writeUInt32LE(record.length, at);
    out.writeUInt32LE(crc32(record), at + 4);
    out.set(record, at + FRAME_HEADER_BYTES);
    at += FRAME_HEADER_BYTES + record.length;
  }
  return out;
}

interface Tear {
  /** File offset of the first byte that is not part of a good frame. */
  readonly offset: number;
  readonly reason: string;
}

interface ScanResult {
  /** The records, when asked to keep them; recovery-only scans skip the copies. */
  readonly records: Uint8Array[];
  /** End of the last good frame: where the next append belongs. */
  readonly goodEnd: number;
  readonly tear?: Tear;
}

async function readFully(
  handle: FileHandle,
  into: Buffer,
  at: number,
  length: number,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(into, at + done, length - done, position + done);
    if (bytesRead === 0) {
      throw new StorageError(
        `the log file shrank while it was being read (at offset ${position + done}); is another ` +
          `program writing to it?`,
      );
    }
    done += bytesRead;
  }
}

/**
 * Walks the frames after the file header, reading the file in large chunks. Stops at the first
 * bad frame and reports where and why. Progress is in bytes of the file read so far.
 */
async function scanFrames(
  handle: FileHandle,
  fileSize: number,
  keepRecords: boolean,
  onProgress: ProgressListener | undefined,
): Promise<ScanResult> {
  const records: Uint8Array[] = [];
  let pending: Buffer = Buffer.alloc(0); // bytes read but not yet parsed...
  let pendingOffset = FILE_HEADER_BYTES; // ...which start at this file offset
  let readOffset = FILE_HEADER_BYTES;
  onProgress?.(readOffset, fileSize);
  // A bad frame ends the scan: the rest of the file counts as examined, since it is discarded.
  const torn = (offset: number, reason: string): ScanResult => {
    onProgress?.(fileSize, fileSize);
    return { records, goodEnd: offset, tear: { offset, reason } };
  };

  for (;;) {
    let at = 0;
    while (pending.length - at >= FRAME_HEADER_BYTES) {
      const length = pending.readUInt32LE(at);
      const offset = pendingOffset + at;
      if (length === 0) return torn(offset, `a record at offset ${offset} declares a length of 0`);
      if (length > MAX_RECORD_BYTES) {
        return torn(
          offset,
          `a record at offset ${offset} declares ${length} bytes, over the ${MAX_RECORD_BYTES}-byte limit`,
        );
      }
      if (pending.length - at - FRAME_HEADER_BYTES < length) break; // the rest is in the next chunk
      const payload = pending.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length);
      if (crc32(payload) !== pending.readUInt32LE(at + 4)) {
        return torn(offset, `the record at offset ${offset} fails its CRC-32 check`);
      }
      // A view, not a copy: each read chunk is a fresh buffer that nothing else holds or
      // writes, and records do not overlap, so the caller owns its records all the same. A
      // peer keeps every record, and 100,000 separate little buffers cost ~20 MB more than
      // their bytes (a kept record does pin its chunk: fine when all are kept, as they are).
      if (keepRecords) records.push(new Uint8Array(payload.buffer, payload.byteOffset, length));
      at += FRAME_HEADER_BYTES + length;
    }
    pending = pending.subarray(at);
    pendingOffset += at;

    if (readOffset >= fileSize) break;
    const want = Math.min(READ_CHUNK_BYTES, fileSize - readOffset);
    // Carry the unparsed remainder (at most one partial frame) in front of the next chunk.
    // Never a slice of Node's shared pool (allocUnsafe pools small sizes): records are views
    // into this buffer, and their .buffer must hold the log's bytes and nothing else.
    const next = Buffer.allocUnsafeSlow(pending.length + want);
    pending.copy(next, 0);
    await readFully(handle, next, pending.length, want, readOffset);
    readOffset += want;
    pending = next;
    onProgress?.(readOffset, fileSize);
  }

  if (pending.length === 0) return { records, goodEnd: pendingOffset };
  const offset = pendingOffset;
  return torn(
    offset,
    pending.length < FRAME_HEADER_BYTES
      ? `the file ends ${pending.length} bytes into a record header at offset ${offset}`
      : `the record at offset ${offset} declares ${pending.readUInt32LE(0)} bytes but only ` +
          `${pending.length - FRAME_HEADER_BYTES} follow`,
  );
}

/**
 * Checks the file header. Returns the number of bytes to discard when the file is a torn
 * creation (a strict prefix of the header: the crash came before the first record), else 0.
 */
async function checkFileHeader(handle: FileHandle, path: string, size: number): Promise<number> {
  if (size === 0) return 0;
  const header = Buffer.alloc(Math.min(size, FILE_HEADER_BYTES));
  await readFully(handle, header, 0, header.length, 0);
  const expected = Buffer.from(LOG_FILE_HEADER);
  if (size < FILE_HEADER_BYTES && header.equals(expected.subarray(0, size))) return size;
  if (
    size < FILE_HEADER_BYTES ||
    !header.subarray(0, MAGIC.length).equals(expected.subarray(0, MAGIC.length))
  ) {
    throw new StorageError(
      `${path} is not a GPoW ledger log (it does not start with "${MAGIC}"); it was left untouched. ` +
        `Move it away or choose another directory.`,
    );
  }
  const version = header.readUInt8(MAGIC.length);
  if (version !== LOG_FORMAT_VERSION) {
    throw new StorageError(
      `${path} is a GPoW ledger log of format version ${version}, but this build reads only ` +
        `version ${LOG_FORMAT_VERSION}; it was left untouched. Use a newer GPoW to open it.`,
    );
  }
  return 0;
}

export class FileLogStore implements LogStore {
  readonly dir: string;
  readonly logPath: string;
  private readonly handle: FileHandle;
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
      const end = this.end ?? (await this.recover(false, undefined)).goodEnd;
      try {
        let written = 0;
        while (written < frames.length) {
          const { bytesWritten } = await this.handle.write(
            frames,
            written,
            frames.length - written,
            end + written,
          );
          written += bytesWritten;
        }
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

  load(onProgress?: ProgressListener): Promise<LoadedLog> {
    return this.enqueue('load', async () => {
      const { records, recovery } = await this.recover(true, onProgress);
      const note = recovery ?? this.pendingRecovery;
      this.pendingRecovery = undefined;
      return note === undefined ? { records } : { records, recovery: note };
    });
  }

  async putMeta(key: string, value: Uint8Array): Promise<void> {
    const checkedKey = validateMetaKey(key);
    const copy = validateMetaValue(checkedKey, value);
    await this.enqueue('putMeta', async () => {
      const temp = join(this.dir, metaTempName(checkedKey));
      try {
        const file = await open(temp, 'w', 0o600);
        try {
          await file.writeFile(copy);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, join(this.dir, metaFileName(checkedKey)));
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      await syncDirectory(this.dir);
    });
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const checkedKey = validateMetaKey(key);
    return await this.enqueue('getMeta', async () => {
      try {
        return new Uint8Array(await readFile(join(this.dir, metaFileName(checkedKey))));
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return undefined;
        throw error;
      }
    });
  }

  /** Waits for queued operations, then closes the file and releases the lock. Idempotent. */
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

  /** Scans the log, cuts off a bad tail if there is one, and learns where appends go. */
  private async recover(
    keepRecords: boolean,
    onProgress: ProgressListener | undefined,
  ): Promise<{ records: Uint8Array[]; goodEnd: number; recovery?: RecoveryNote }> {
    const { size } = await this.handle.stat();
    const { records, goodEnd, tear } = await scanFrames(this.handle, size, keepRecords, onProgress);
    if (tear === undefined) {
      this.end = goodEnd;
      return { records, goodEnd };
    }
    const truncatedBytes = size - goodEnd;
    await this.handle.truncate(goodEnd);
    await this.handle.sync();
    this.end = goodEnd;
    const recovery: RecoveryNote = { truncatedBytes, reason: tear.reason };
    this.onWarning(
      `${this.logPath}: cut off the last ${truncatedBytes} bytes, from offset ${goodEnd}, ` +
        `because ${tear.reason}. This is expected after a crash or power loss during a write; ` +
        `everything before that offset is intact.`,
    );
    if (!keepRecords) this.pendingRecovery = recovery;
    return { records, goodEnd, recovery };
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
    await removeStaleMetaTemps(dir);
    const path = join(dir, LOG_FILE_NAME);
    // Not O_APPEND: on Linux it makes positional writes ignore their position, and append()
    // writes at an offset it tracks itself (the end of the last good frame).
    handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    const { size } = await handle.stat();
    const tornHeaderBytes = await checkFileHeader(handle, path, size);
    let recovery: RecoveryNote | undefined;
    if (tornHeaderBytes > 0) {
      recovery = {
        truncatedBytes: tornHeaderBytes,
        reason: `the file header is cut short (${tornHeaderBytes} of ${FILE_HEADER_BYTES} bytes)`,
      };
      onWarning(
        `${path}: ${recovery.reason}, so the log was created before a crash and is empty; rewrote the header.`,
      );
    }
    if (size === 0 || tornHeaderBytes > 0) {
      await handle.truncate(0);
      await handle.write(LOG_FILE_HEADER, 0, FILE_HEADER_BYTES, 0);
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

async function removeStaleMetaTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (META_TEMP.test(name)) await unlink(join(dir, name)).catch(() => undefined);
  }
}
