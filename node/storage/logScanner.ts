// Reads a ledger log's frames (node/storage/logFormat.ts) and tells a torn tail from damage.
//
// A crash can only tear the end of the log: appends are serialised and each is fsynced before
// the next starts. So a bad frame that is followed by good frames is damage (a flipped bit, a
// bad sector, an editor, a sync tool), not a crash, and the good frames after it are records
// the user owns. On a bad frame the scan looks for the next place where good frames start:
//
//   1. A byte-by-byte search from the byte after the bad frame's start, for the next offset
//      where a frame parses and passes its CRC. A "hit" is confirmed when the frame after it
//      is good too, or the file ends there (cleanly, or in a frame cut short: a torn tail of its
//      own). The search takes the first confirmed hit; only if there is none before the end of
//      the file does it settle for the first unconfirmed one (a lone record followed by more
//      damage or zeros). A random collision needs a plausible length (1 in 4096) and a matching
//      CRC (1 in 2^32), and to be confirmed a second one right after, so garbage is not taken
//      for records. When only a payload byte is bad (the common case), the first hit is the
//      next frame, so the search reads no more than the bad frame's own bytes.
//   2. No hit before the end of the file: the bad bytes are a torn tail.
//
// The search does not start where the bad frame's length says the next frame is: that length
// may itself be the damaged part, and a wrong length that happens to land on a later frame
// would silently take the records in between with it.
//
// Cost stays linear: the search looks at each offset once (a search that reached the end of
// the file remembers its unconfirmed hits for the next one), and a CRC is only computed for a
// candidate whose length fits and whose successor's length is not absurd. Those CRCs are
// capped at `searchBudget` bytes per scan; past it the search gives up and everything from the
// bad frame on counts as damaged (the caller keeps a copy of the file, so nothing is lost).
import type { FileHandle } from 'node:fs/promises';
import { MAX_RECORD_BYTES, type ProgressListener } from '../../shared/storage/port.ts';
import { FILE_HEADER_BYTES, FRAME_HEADER_BYTES, plausibleLength } from './logFormat.ts';
import { FileWindow, frameAt, parseAt } from './logWindow.ts';

export { READ_CHUNK_BYTES } from './logWindow.ts';

/** CRC bytes the resync search may spend per scan: a fraction of a second. */
export const SEARCH_BUDGET_BYTES = 256 * 1024 * 1024;

/** A run of good frames, [start, end) in the file. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Bytes [offset, offset + bytes) that held no readable record. */
export interface BadStretch {
  readonly offset: number;
  readonly bytes: number;
  /** What was wrong with the first frame there, e.g. "the record at offset 381 fails ...". */
  readonly why: string;
  /** Set when the search for good frames after it ran out of budget. */
  readonly abandoned?: true;
}

export interface ScanResult {
  /** The records, when asked to keep them; recovery-only scans skip them. */
  readonly records: Uint8Array[];
  /** Every good frame, as runs in file order. */
  readonly spans: Span[];
  /** Stretches followed by good frames (or whose search was abandoned): damage. */
  readonly damaged: BadStretch[];
  /** Bad bytes at the end with no good frame after them: a torn tail. */
  readonly tail?: BadStretch;
  /** Good frames found after the start of the first damaged stretch. */
  readonly recordsAfterDamage: number;
}

export interface ScanOptions {
  readonly keepRecords: boolean;
  readonly onProgress?: ProgressListener | undefined;
  readonly searchBudget?: number;
}

/**
 * What examining a candidate offset found: no good frame, a good frame whose successor is bad
 * ("weak"), or a good frame followed by another or by the end of the file ("confirmed").
 */
type Hit = 'none' | 'weak' | 'confirmed';

class BudgetExhausted extends Error {}

/** The resync search, with its CRC budget and what an earlier search to the end learned. */
class Resync {
  private spent = 0;
  /** Set once a search reached the end of the file with no confirmed hit after `from`. */
  private exhausted: { readonly from: number; readonly weak: number[] } | undefined;
  private readonly win: FileWindow;
  private readonly budget: number;

  constructor(win: FileWindow, budget: number) {
    this.win = win;
    this.budget = budget;
  }

  /** Where good frames resume after the bad frame at `bad`, or undefined for a torn tail. */
  after(bad: number): Promise<number | undefined> {
    return this.search(bad + 1);
  }

  /** The first confirmed hit at or after `from`, else the first unconfirmed one. */
  private async search(from: number): Promise<number | undefined> {
    const known = this.exhausted;
    if (known !== undefined && from >= known.from) return known.weak.find((at) => at >= from);
    const weak: number[] = [];
    const win = this.win;
    let at = from;
    // A hit needs a header and at least one payload byte.
    while (at + FRAME_HEADER_BYTES < win.size) {
      await win.cover(at, at + FRAME_HEADER_BYTES + 1);
      const candidate = nextPlausible(win, at);
      if (candidate === undefined) {
        at = win.end - FRAME_HEADER_BYTES + 1; // every offset whose header is in the window
        continue;
      }
      const hit = await this.examine(candidate);
      if (hit === 'confirmed') return candidate;
      if (hit === 'weak') weak.push(candidate);
      at = candidate + 1;
    }
    this.exhausted = { from, weak };
    return weak[0];
  }

  /**
   * Whether a good frame starts at `at`, and whether the one after it confirms it. The window
   * moves up to `at`: the search never looks back.
   */
  private async examine(at: number): Promise<Hit> {
    const win = this.win;
    const size = win.size;
    if (size - at < FRAME_HEADER_BYTES) return 'none';
    await win.cover(at, at + FRAME_HEADER_BYTES);
    const length = win.u32(at);
    const next = at + FRAME_HEADER_BYTES + length;
    if (!plausibleLength(length) || next > size) return 'none';
    // Before paying for a CRC: an absurd length right after rules the candidate out.
    if (size - next >= FRAME_HEADER_BYTES) {
      await win.cover(at, next + FRAME_HEADER_BYTES);
      if (win.u32(next) > MAX_RECORD_BYTES) return 'none';
    }
    this.spend(length);
    if ((await frameAt(win, at, at)).kind !== 'good') return 'none';
    if (next === size) return 'confirmed';
    if (size - next >= FRAME_HEADER_BYTES) this.spend(Math.min(win.u32(next), size - next));
    const following = await frameAt(win, next, at);
    return following.kind === 'good' || (following.kind === 'bad' && following.cut)
      ? 'confirmed'
      : 'weak';
  }

  private spend(bytes: number): void {
    this.spent += bytes;
    if (this.spent > this.budget) throw new BudgetExhausted();
  }
}

/**
 * The first offset from `from` on, within the window, whose u32 is a plausible length that fits
 * in the file. The hot loop of the search: it looks at raw bytes, with no call per offset.
 */
function nextPlausible(win: FileWindow, from: number): number | undefined {
  const { buf, start, size } = win;
  const last = buf.length - FRAME_HEADER_BYTES;
  for (let i = from - start; i <= last; i++) {
    // Little-endian lengths up to 2^20: the top byte is 0 and the next at most 0x10.
    if (buf[i + 3] !== 0 || (buf[i + 2] as number) > 0x10) continue;
    const length = buf.readUInt32LE(i);
    if (plausibleLength(length) && start + i + FRAME_HEADER_BYTES + length <= size) {
      return start + i;
    }
  }
  return undefined;
}

/** Walks every frame after the file header; progress is in bytes of the file read so far. */
export async function scanLog(
  handle: FileHandle,
  fileSize: number,
  options: ScanOptions,
): Promise<ScanResult> {
  const { keepRecords, onProgress } = options;
  onProgress?.(FILE_HEADER_BYTES, fileSize);
  const win = new FileWindow(handle, fileSize, (readEnd) => onProgress?.(readEnd, fileSize));
  const resync = new Resync(win, options.searchBudget ?? SEARCH_BUDGET_BYTES);
  const records: Uint8Array[] = [];
  const spans: Span[] = [];
  const damaged: BadStretch[] = [];
  let tail: BadStretch | undefined;
  let recordsAfterDamage = 0;
  let spanStart = FILE_HEADER_BYTES;
  let at = FILE_HEADER_BYTES;

  while (at < fileSize) {
    const parsed = parseAt(win, at);
    if (parsed.kind === 'more') {
      await win.cover(at, parsed.to);
      continue;
    }
    if (parsed.kind === 'good') {
      // A view, not a copy: each window buffer is fresh, nothing else holds or writes it, and
      // records do not overlap, so the caller owns its records all the same. A peer keeps
      // every record, and 100,000 separate little buffers cost ~20 MB more than their bytes.
      const { payload } = parsed;
      if (keepRecords)
        records.push(new Uint8Array(payload.buffer, payload.byteOffset, payload.length));
      if (damaged.length > 0) recordsAfterDamage++;
      at = parsed.end;
      continue;
    }
    if (at > spanStart) spans.push({ start: spanStart, end: at });
    let resume: number | undefined;
    try {
      resume = await resync.after(at);
    } catch (error) {
      if (!(error instanceof BudgetExhausted)) throw error;
      damaged.push({ offset: at, bytes: fileSize - at, why: parsed.why, abandoned: true });
      spanStart = at = fileSize;
      break;
    }
    if (resume === undefined) {
      tail = { offset: at, bytes: fileSize - at, why: parsed.why };
      spanStart = at = fileSize;
      break;
    }
    damaged.push({ offset: at, bytes: resume - at, why: parsed.why });
    spanStart = at = resume;
  }
  if (at > spanStart) spans.push({ start: spanStart, end: at });
  onProgress?.(fileSize, fileSize);
  return tail === undefined
    ? { records, spans, damaged, recordsAfterDamage }
    : { records, spans, damaged, tail, recordsAfterDamage };
}

/** End of the last good frame: where the next append belongs once bad stretches are gone. */
export const goodEndOf = (scan: ScanResult): number => scan.spans.at(-1)?.end ?? FILE_HEADER_BYTES;
