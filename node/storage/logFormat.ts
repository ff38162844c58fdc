// The bytes of a version-1 ledger log (docs/storage.md has the full story):
//
//   offset 0   8 bytes   file header: ASCII "GPOWLOG" (47 50 4f 57 4c 4f 47) + version 0x01
//   then, repeated, one frame per record:
//              u32       payload length, 1 .. MAX_RECORD_BYTES (1 MiB)
//              u32       CRC-32 (ISO-HDLC, as zlib computes it) of the payload
//              length    payload: the record's bytes, opaque to the store
//
// All integers are little-endian. There is no end marker and no index: the log is exactly the
// header followed by whole frames.
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { MAX_RECORD_BYTES, StorageError } from '../../shared/storage/port.ts';

export const LOG_FILE_NAME = 'ledger.log';
export const LOG_FORMAT_VERSION = 1;

const MAGIC = 'GPOWLOG';
/** "GPOWLOG" followed by the version byte. */
export const LOG_FILE_HEADER: Uint8Array = Uint8Array.of(
  ...[...MAGIC].map((c) => c.charCodeAt(0)),
  LOG_FORMAT_VERSION,
);
export const FILE_HEADER_BYTES = LOG_FILE_HEADER.length;
export const FRAME_HEADER_BYTES = 8;

/** Whether a frame's length field can be a record's length at all. */
export const plausibleLength = (length: number): boolean =>
  length >= 1 && length <= MAX_RECORD_BYTES;

/** Encodes a validated batch as consecutive frames in one buffer, for a single write. */
export function encodeFrames(records: readonly Uint8Array[]): Buffer {
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

/** Reads exactly `length` bytes at `position`, or fails if the file is shorter than that. */
export async function readFully(
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

/** Writes all of `bytes` at `position`, however many writes that takes. */
export async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const result = await handle.write(bytes, written, bytes.length - written, position + written);
    written += result.bytesWritten;
  }
}

/**
 * Checks the file header. Returns the number of bytes to discard when the file is a torn
 * creation (a strict prefix of the header: the crash came before the first record), else 0.
 */
export async function checkFileHeader(
  handle: FileHandle,
  path: string,
  size: number,
): Promise<number> {
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
