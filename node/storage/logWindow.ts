// Reading a ledger log's frames (node/storage/logFormat.ts) through a window of the file that
// moves forward in large chunks. The scan (logScanner.ts) parses frames from the window's bytes
// synchronously and only awaits when a frame reaches past them.
import type { FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { MAX_RECORD_BYTES } from '../../shared/storage/port.ts';
import { FILE_HEADER_BYTES, FRAME_HEADER_BYTES, readFully } from './logFormat.ts';

/** Large reads keep a scan to a few dozen syscalls even for a log of many megabytes. */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** A forward-moving view of the file, read in large chunks. */
export class FileWindow {
  buf: Buffer = Buffer.alloc(0);
  /** File offset of buf[0]. */
  start = FILE_HEADER_BYTES;
  readonly size: number;
  private readEnd = FILE_HEADER_BYTES;
  private readonly handle: FileHandle;
  private readonly onRead: (readEnd: number) => void;

  /** `onRead` hears the furthest offset read so far, each time it grows. */
  constructor(handle: FileHandle, size: number, onRead: (readEnd: number) => void) {
    this.handle = handle;
    this.size = size;
    this.onRead = onRead;
  }

  get end(): number {
    return this.start + this.buf.length;
  }

  /** Makes [from, to) readable. Bytes already read are copied over, not read again. */
  async cover(from: number, to: number): Promise<void> {
    if (from >= this.start && Math.min(to, this.size) <= this.end) return;
    const end = Math.min(this.size, Math.max(to, from + READ_CHUNK_BYTES));
    // Never a slice of Node's shared pool: records are views into this buffer, and their
    // .buffer must hold the log's bytes and nothing else.
    const next = Buffer.allocUnsafeSlow(end - from);
    const kept = from >= this.start && from < this.end ? this.end - from : 0;
    if (kept > 0) this.buf.copy(next, 0, from - this.start);
    await readFully(this.handle, next, kept, next.length - kept, from + kept);
    this.buf = next;
    this.start = from;
    if (end > this.readEnd) {
      this.readEnd = end;
      this.onRead(end);
    }
  }

  u32(at: number): number {
    return this.buf.readUInt32LE(at - this.start);
  }

  bytes(at: number, length: number): Buffer {
    return this.buf.subarray(at - this.start, at - this.start + length);
  }
}

export type Parsed =
  | { readonly kind: 'good'; readonly end: number; readonly payload: Buffer }
  /** `cut`: the frame runs past the end of the file, as a torn write leaves it. */
  | { readonly kind: 'bad'; readonly why: string; readonly cut: boolean }
  /** The frame's bytes exist but are not in the window yet: cover up to `to` and ask again. */
  | { readonly kind: 'more'; readonly to: number };

/** Parses the frame at `at` from the window's bytes alone (synchronous, for the hot loop). */
export function parseAt(win: FileWindow, at: number): Parsed {
  const left = win.size - at;
  if (left < FRAME_HEADER_BYTES) {
    const why = `the file ends ${left} bytes into a record header at offset ${at}`;
    return { kind: 'bad', why, cut: true };
  }
  if (at < win.start || at + FRAME_HEADER_BYTES > win.end) {
    return { kind: 'more', to: at + FRAME_HEADER_BYTES };
  }
  const length = win.u32(at);
  if (length === 0) {
    return { kind: 'bad', why: `a record at offset ${at} declares a length of 0`, cut: false };
  }
  if (length > MAX_RECORD_BYTES) {
    const why = `a record at offset ${at} declares ${length} bytes, over the ${MAX_RECORD_BYTES}-byte limit`;
    return { kind: 'bad', why, cut: false };
  }
  const end = at + FRAME_HEADER_BYTES + length;
  if (end > win.size) {
    const why = `the record at offset ${at} declares ${length} bytes but only ${left - FRAME_HEADER_BYTES} follow`;
    return { kind: 'bad', why, cut: true };
  }
  if (end > win.end) return { kind: 'more', to: end };
  const payload = win.bytes(at + FRAME_HEADER_BYTES, length);
  if (crc32(payload) !== win.u32(at + 4)) {
    const why = `the record at offset ${at} fails its CRC-32 check`;
    return { kind: 'bad', why, cut: false };
  }
  return { kind: 'good', end, payload };
}

/** parseAt, reading as needed; the window keeps `keepFrom` onwards so it never moves back. */
export async function frameAt(win: FileWindow, at: number, keepFrom: number): Promise<Parsed> {
  for (;;) {
    const parsed = parseAt(win, at);
    if (parsed.kind !== 'more') return parsed;
    await win.cover(keepFrom, parsed.to);
  }
}
