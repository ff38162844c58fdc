// The file work behind FileLogStore.rewrite(): the log replaced, atomically, by one holding
// exactly the records given (a prune of what a certified checkpoint covers). It goes the way a
// repair does (logRepair.ts replaceLog): a temporary file, fsynced, renamed over ledger.log,
// so a crash leaves the old log or the new one, never a mix. The new log is a new file, with
// a new identity (logInstance).
import type { FileHandle } from 'node:fs/promises';
import { encodeFrames, FILE_HEADER_BYTES, FRAME_HEADER_BYTES, writeAll } from './logFormat.ts';
import { replaceLog } from './logRepair.ts';

/** Bytes of frames encoded per write: a long log is never held twice over in memory. */
export const REWRITE_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Writes `records` (already checked by validateRecords) as a whole new log and renames it over
 * `logPath`. Returns the open handle of the new log and its size; the caller fsyncs the
 * directory. On a failure before the rename, the old log is untouched.
 */
export function writeRewrittenLog(
  dir: string,
  logPath: string,
  records: readonly Uint8Array[],
): Promise<{ handle: FileHandle; size: number }> {
  return replaceLog(dir, logPath, async (out) => {
    let size = FILE_HEADER_BYTES;
    for (const group of groupsOf(records)) {
      const frames = encodeFrames(group);
      await writeAll(out, frames, size);
      size += frames.length;
    }
    return size;
  });
}

/** Consecutive groups of records whose frames take about REWRITE_CHUNK_BYTES (at least one). */
function* groupsOf(records: readonly Uint8Array[]): Generator<readonly Uint8Array[]> {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    const frameBytes = FRAME_HEADER_BYTES + (records[i]?.length ?? 0);
    if (i > start && bytes + frameBytes > REWRITE_CHUNK_BYTES) {
      yield records.slice(start, i);
      start = i;
      bytes = 0;
    }
    bytes += frameBytes;
  }
  if (start < records.length) yield records.slice(start);
}
