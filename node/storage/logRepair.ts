// File operations behind a repair of damage in the ledger log (see logScanner.ts), and the
// log's identity. The order matters, so that nothing the user owns is ever lost:
//
//   1. The log as it was found is copied beside it (ledger.log.damaged-<UTC time>), fsynced,
//      and its directory entry fsynced. If that fails, nothing is changed.
//   2. The good frames are copied into .ledger.log.tmp, which is fsynced and renamed over
//      ledger.log; the caller then fsyncs the directory. A crash before the rename leaves the
//      damaged log in place (it is found and repaired again on the next open; the temporary
//      file is removed then); after it, the repaired one. rewrite() (logRewrite.ts) replaces
//      the log the same way (replaceLog), with records it is given.
//
// The rewritten log is a new file, so its identity (logInstance) is new too.
import { constants } from 'node:fs';
import { copyFile, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../../shared/storage/port.ts';
import { errorCode, errorMessage, syncDirectory } from './fsHelpers.ts';
import {
  FILE_HEADER_BYTES,
  LOG_FILE_HEADER,
  LOG_FILE_NAME,
  readFully,
  writeAll,
} from './logFormat.ts';
import { READ_CHUNK_BYTES, type Span } from './logScanner.ts';

/** The repaired log while it is written; a crash may leave it, and open removes it. */
export const LOG_TEMP_NAME = `.${LOG_FILE_NAME}.tmp`;
/** Saved copies of damaged logs: ledger.log.damaged-20250102T030405Z, with -1, -2... if taken. */
export const DAMAGED_COPY = /^ledger\.log\.damaged-\d{8}T\d{6}Z(?:-\d+)?$/;

/** "2025-01-02T03:04:05.678Z" as 20250102T030405Z: no colons, which Windows forbids. */
const utcStamp = (now: Date): string =>
  now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll('-', '')
    .replaceAll(':', '');

/**
 * Copies the log at `logPath` to a new name beside it, durably, and returns the new path.
 * Fails with StorageError, leaving no partial copy, if the copy cannot be made.
 */
export async function saveDamagedCopy(dir: string, logPath: string, now: Date): Promise<string> {
  const stamp = utcStamp(now);
  for (let n = 0; ; n++) {
    const copy = join(dir, `${LOG_FILE_NAME}.damaged-${stamp}${n === 0 ? '' : `-${n}`}`);
    try {
      await copyFile(logPath, copy, constants.COPYFILE_EXCL);
    } catch (error) {
      if (errorCode(error) === 'EEXIST') continue;
      await unlink(copy).catch(() => undefined);
      throw copyFailed(logPath, error);
    }
    try {
      const handle = await open(copy, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await syncDirectory(dir);
    } catch (error) {
      await unlink(copy).catch(() => undefined);
      throw copyFailed(logPath, error);
    }
    return copy;
  }
}

const copyFailed = (logPath: string, error: unknown): StorageError =>
  new StorageError(
    `${logPath} is damaged and must be repaired, but first it has to be copied aside, and the ` +
      `copy could not be written (${errorMessage(error)}); nothing was changed. Make room on ` +
      `the disk, then open the ledger again.`,
    { cause: error },
  );

/**
 * Writes the header and the good frames of `source` (the spans) to a temporary file, fsyncs
 * it and renames it over `logPath`. Returns the open handle of the new log and its size; the
 * caller fsyncs the directory. On a failure before the rename, the old log is untouched.
 */
export function writeRepairedLog(
  dir: string,
  logPath: string,
  source: FileHandle,
  spans: readonly Span[],
): Promise<{ handle: FileHandle; size: number }> {
  return replaceLog(dir, logPath, async (out) => {
    let size = FILE_HEADER_BYTES;
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (const span of spans) {
      for (let at = span.start; at < span.end;) {
        const length = Math.min(chunk.length, span.end - at);
        await readFully(source, chunk, 0, length, at);
        await writeAll(out, chunk.subarray(0, length), size);
        size += length;
        at += length;
      }
    }
    return size;
  });
}

/**
 * Replaces the log at `logPath` atomically: writes the header into LOG_TEMP_NAME, lets `fill`
 * write the frames after it (it returns the file's size), fsyncs the file and renames it over
 * the log. Returns the open handle of the new log and its size; the caller fsyncs the
 * directory. A failure before the rename removes the temporary file and leaves the old log as
 * it was; a crash before it leaves a temporary file that the next open removes.
 */
export async function replaceLog(
  dir: string,
  logPath: string,
  fill: (out: FileHandle) => Promise<number>,
): Promise<{ handle: FileHandle; size: number }> {
  const tempPath = join(dir, LOG_TEMP_NAME);
  const out = await open(tempPath, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    await writeAll(out, Buffer.from(LOG_FILE_HEADER), 0);
    const size = await fill(out);
    await out.sync();
    await rename(tempPath, logPath);
    return { handle: out, size };
  } catch (error) {
    await out.close().catch(() => undefined);
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

/**
 * The identity of an open log file: device, inode and birth time. A copy (cp, rsync, tar, a
 * move to another disk) is a new file and gets a new one; the same file keeps it across
 * reopens and appends. Birth time guards against a new file reusing a deleted one's inode;
 * where the filesystem does not record it (it reads as 0), device and inode must do.
 */
export async function logInstance(handle: FileHandle): Promise<string> {
  const { dev, ino, birthtimeNs } = await handle.stat({ bigint: true });
  return birthtimeNs === 0n ? `${dev}:${ino}` : `${dev}:${ino}:${birthtimeNs}`;
}
