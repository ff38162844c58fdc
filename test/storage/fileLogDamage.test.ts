// Damage in the middle of the file log: bad bytes with good records after them. A crash cannot
// cause this (it only tears the end), so the store keeps every good record, saves the file as
// it found it, and says what was lost. Torn tails are in fileLog.test.ts.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DamageNote, LoadedLog } from '../../shared/storage/port.ts';
import {
  LOCK_FILE_NAME,
  LOG_FILE_NAME,
  openFileLogStore,
  type FileLogStore,
} from '../../node/storage/fileLogStore.ts';
import { DAMAGED_COPY, LOG_TEMP_NAME } from '../../node/storage/logRepair.ts';

const HEADER = Buffer.from('GPOWLOG\x01', 'latin1');

/** A record of `length` bytes that says which it is, so that no two are alike. */
const recordOf = (i: number, length = 40 + ((i * 37) % 90)): Uint8Array => {
  const record = new Uint8Array(length);
  for (let j = 0; j < length; j++) record[j] = (i * 131 + j * 17 + 7) & 0xff;
  record[0] = i & 0xff;
  return record;
};

/** The log the store writes for `records`, built here from the format, not by the store. */
function logBytes(records: readonly Uint8Array[]): Buffer {
  const frames = records.map((record) => {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(record.length, 0);
    head.writeUInt32LE(crc32(record), 4);
    return Buffer.concat([head, record]);
  });
  return Buffer.concat([HEADER, ...frames]);
}

/** Where each record's frame starts in logBytes(records), and where the file ends. */
function frameStarts(records: readonly Uint8Array[]): number[] {
  const starts = [8];
  for (const record of records) starts.push((starts.at(-1) as number) + 8 + record.length);
  return starts;
}

const flip = (bytes: Buffer, at: number, mask: number): Buffer => {
  bytes.writeUInt8(bytes.readUInt8(at) ^ mask, at);
  return bytes;
};

let dir: string;
let logPath: string;
let warnings: string[];
const open = (at = dir): Promise<FileLogStore> =>
  openFileLogStore(at, { onWarning: (message) => warnings.push(message) });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-damage-'));
  logPath = join(dir, LOG_FILE_NAME);
  warnings = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes `records` through the store (so the file is the store's own), then damages it. */
async function damagedLog(
  records: readonly Uint8Array[],
  damage: (bytes: Buffer) => Buffer,
): Promise<{ damaged: Buffer; instanceBefore: string | undefined }> {
  const store = await open();
  await store.append(records);
  const instanceBefore = (await store.load()).instance;
  await store.close();
  const damaged = damage(await readFile(logPath));
  await writeFile(logPath, damaged);
  return { damaged, instanceBefore };
}

async function loadOnce(): Promise<LoadedLog> {
  const store = await open();
  try {
    return await store.load();
  } finally {
    await store.close();
  }
}

const savedCopies = async (): Promise<string[]> =>
  (await readdir(dir)).filter((name) => DAMAGED_COPY.test(name));

describe('a damaged record in the middle of the log', () => {
  const records = Array.from({ length: 12 }, (_, i) => recordOf(i));
  const starts = frameStarts(records);
  const at = (i: number): number => starts[i] as number;

  it('a flipped payload byte: only that record is lost, the file is kept, the log is rewritten', async () => {
    const { damaged, instanceBefore } = await damagedLog(records, (bytes) => {
      return flip(bytes, at(4) + 8 + 5, 0x01);
    });
    const store = await open();
    const progress: number[] = [];
    const loaded = await store.load((done) => progress.push(done));
    const kept = records.filter((_, i) => i !== 4);
    expect(loaded.records).toEqual(kept);
    const note = loaded.recovery as DamageNote;
    expect(note.kind).toBe('damage');
    expect(note.regions).toEqual([{ offset: at(4), bytes: at(5) - at(4) }]);
    expect(note.truncatedBytes).toBe(at(5) - at(4));
    expect(note.recordsKeptAfter).toBe(7);
    expect(progress.at(-1)).toBe(damaged.length);

    // The file as it was found is beside the log, byte for byte, under the name the note gives.
    const [copy] = await savedCopies();
    expect(note.savedCopy).toBe(join(dir, copy as string));
    expect(await readFile(note.savedCopy)).toEqual(damaged);
    expect(note.reason).toBe(
      `${logPath} was damaged: ${at(5) - at(4)} bytes from offset ${at(4)} could not be read ` +
        `(at least one record was lost there); the 7 records after them were kept. The damaged ` +
        `file was saved as ${note.savedCopy}. Records lost this way come back from other ` +
        `members when this peer goes online.`,
    );
    expect(warnings).toEqual([note.reason]);

    // ledger.log now holds exactly the good records, and is a new file (a new instance).
    expect(await readFile(logPath)).toEqual(logBytes(kept));
    expect(loaded.instance).not.toBe(instanceBefore);
    expect((await readdir(dir)).sort()).toEqual([copy, LOCK_FILE_NAME, LOG_FILE_NAME].sort());

    // It takes appends at its new end, and loads cleanly from then on.
    await store.append([recordOf(99)]);
    expect((await store.load()).records).toEqual([...kept, recordOf(99)]);
    await store.close();
    const again = await loadOnce();
    expect(again).toEqual({ records: [...kept, recordOf(99)], instance: loaded.instance });
    expect(warnings).toHaveLength(1);
  });

  // Each breaks the length field, so the next frame is not where this one says: byte-wise search.
  const lengthDamage: [string, (bytes: Buffer) => void][] = [
    ['an absurd length', (bytes) => bytes.writeUInt32LE(0xfffffff0, at(3))],
    ['a length of zero', (bytes) => bytes.writeUInt32LE(0, at(3))],
    ['a plausible but wrong length', (bytes) => bytes.writeUInt32LE(1000, at(3))],
    ['a length running past the end of the file', (bytes) => bytes.writeUInt32LE(900_000, at(3))],
  ];
  it.each(lengthDamage)('%s mid-log: found again byte by byte', async (_, damage) => {
    await damagedLog(records, (bytes) => {
      damage(bytes);
      return bytes;
    });
    const loaded = await loadOnce();
    expect(loaded.records).toEqual(records.filter((_, i) => i !== 3));
    expect(loaded.recovery).toMatchObject({
      kind: 'damage',
      regions: [{ offset: at(3), bytes: at(4) - at(3) }],
      recordsKeptAfter: 8,
    });
  });

  it('an append that comes before any load repairs first, and load reports it', async () => {
    await damagedLog(records, (bytes) => bytes.fill(0xee, at(2) + 3, at(2) + 20));
    const store = await open();
    await store.append([recordOf(50)]);
    const loaded = await store.load();
    await store.close();
    expect(loaded.records).toEqual([...records.filter((_, i) => i !== 2), recordOf(50)]);
    expect(loaded.recovery?.kind).toBe('damage');
    expect(await savedCopies()).toHaveLength(1);
  });
});

describe('several damaged stretches', () => {
  const records = Array.from({ length: 20 }, (_, i) => recordOf(i));
  const starts = frameStarts(records);
  const at = (i: number): number => starts[i] as number;

  it('two damaged regions: both reported, every other record kept, in order', async () => {
    await damagedLog(records, (bytes) => {
      flip(bytes, at(3) + 9, 0x40); // a payload byte of record 3
      bytes.fill(0, at(9), at(12) + 2); // records 9 to 11 and the length of 12
      return bytes;
    });
    const loaded = await loadOnce();
    const lost = new Set([3, 9, 10, 11, 12]);
    expect(loaded.records).toEqual(records.filter((_, i) => !lost.has(i)));
    expect(loaded.recovery).toMatchObject({
      kind: 'damage',
      regions: [
        { offset: at(3), bytes: at(4) - at(3) },
        { offset: at(9), bytes: at(13) - at(9) },
      ],
      recordsKeptAfter: 12,
    });
    expect(loaded.recovery?.reason).toMatch(
      new RegExp(
        `was damaged in 2 places: ${at(4) - at(3)} bytes from offset ${at(3)} and ` +
          `${at(13) - at(9)} bytes from offset ${at(9)} could not be read \\(at least one ` +
          `record was lost in each\\); the 12 records after the first were kept\\.`,
      ),
    );
  });

  it('damage, then a torn tail: the tail is cut and counted as lost too', async () => {
    await damagedLog(records, (bytes) => {
      flip(bytes, at(5) + 12, 0xff);
      return bytes.subarray(0, at(19) + 20); // record 19 cut short
    });
    const loaded = await loadOnce();
    expect(loaded.records).toEqual(records.filter((_, i) => i !== 5 && i !== 19));
    expect(loaded.recovery).toMatchObject({
      kind: 'damage',
      truncatedBytes: at(6) - at(5) + 20,
      regions: [
        { offset: at(5), bytes: at(6) - at(5) },
        { offset: at(19), bytes: 20 },
      ],
    });
    expect(loaded.recovery?.reason).toMatch(/The last 20 bytes, .* did not hold a whole record/);
  });

  it('a lone good record between damage and a zero-filled end is kept', async () => {
    await damagedLog(records, (bytes) => {
      bytes.fill(0x5a, at(15) + 2, at(16)); // record 15 mangled
      bytes.fill(0, at(17)); // everything after record 16 zeroed
      return bytes;
    });
    const loaded = await loadOnce();
    expect(loaded.records).toEqual(records.slice(0, 15).concat([records[16] as Uint8Array]));
    expect(loaded.recovery).toMatchObject({
      kind: 'damage',
      regions: [
        { offset: at(15), bytes: at(16) - at(15) },
        { offset: at(17), bytes: at(20) - at(17) },
      ],
      recordsKeptAfter: 1,
    });
  });

  it('megabytes of noise in the middle: the search crosses read chunks and stays fast', async () => {
    const big = Array.from({ length: 30 }, (_, i) => recordOf(i, 300_000));
    const bigStarts = frameStarts(big);
    const from = bigStarts[5] as number;
    const to = (bigStarts[20] as number) + 100; // inside record 20
    let state = 0x2545f491;
    await damagedLog(big, (bytes) => {
      for (let i = from; i < to; i++) {
        state = (state * 1103515245 + 12345) >>> 0; // a fixed pseudo-random sequence
        bytes[i] = state >>> 24;
      }
      return bytes;
    });
    const started = performance.now();
    const loaded = await loadOnce();
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(loaded.records).toEqual([...big.slice(0, 5), ...big.slice(21)]);
    expect(loaded.recovery).toMatchObject({
      kind: 'damage',
      regions: [{ offset: from, bytes: (bigStarts[21] as number) - from }],
    });
  });
});

describe('a property: one corrupted stretch anywhere', () => {
  it('keeps every record outside it, in order, and reports only what it touched', async () => {
    const scenario = fc.record({
      records: fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), {
        minLength: 1,
        maxLength: 25,
      }),
      start: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      length: fc.integer({ min: 1, max: 400 }),
      noise: fc.uint8Array({ minLength: 400, maxLength: 400 }),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ records, start, length, noise }) => {
        const starts = frameStarts(records);
        const size = starts.at(-1) as number;
        const from = 8 + Math.floor(start * (size - 8));
        const to = Math.min(size, from + length);
        const bytes = logBytes(records);
        // Every byte in [from, to) changes (xor with a non-zero value).
        for (let i = from; i < to; i++) flip(bytes, i, ((noise[i - from] as number) % 255) + 1);
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir);
        await writeFile(logPath, bytes);

        const loaded = await loadOnce();
        const touched = (i: number): boolean =>
          (starts[i] as number) < to && (starts[i + 1] as number) > from;
        const firstTouched = records.findIndex((_, i) => touched(i));
        const intactAfter = starts.findIndex((s, i) => i < records.length && s >= to);
        expect(loaded.records).toEqual(records.filter((_, i) => !touched(i)));
        const lostFrom = starts[firstTouched] as number;
        if (intactAfter === -1) {
          expect(loaded.recovery).toMatchObject({
            kind: 'torn-tail',
            truncatedBytes: size - lostFrom,
          });
        } else {
          expect(loaded.recovery).toMatchObject({
            kind: 'damage',
            regions: [{ offset: lostFrom, bytes: (starts[intactAfter] as number) - lostFrom }],
            recordsKeptAfter: records.length - intactAfter,
          });
        }
      }),
      { seed: 0x6461_6d67, numRuns: 80 },
    );
  });
});

describe('the saved copy and leftovers', () => {
  it('a crash before the rename leaves a temporary file, removed at the next open', async () => {
    const store = await open();
    await store.append([recordOf(1)]);
    await store.close();
    await writeFile(join(dir, LOG_TEMP_NAME), 'half a repaired log');
    const reopened = await open();
    expect(await readdir(dir)).not.toContain(LOG_TEMP_NAME);
    expect((await reopened.load()).records).toEqual([recordOf(1)]);
    await reopened.close();
  });
});

describe('the instance', () => {
  it('is the same for the same file, reopened, and different for a copied directory', async () => {
    const store = await open();
    await store.append([recordOf(1), recordOf(2)]);
    const first = (await store.load()).instance;
    await store.close();
    expect(first).toMatch(/^\d+:\d+(?::\d+)?$/);
    expect((await loadOnce()).instance).toBe(first);

    const copyDir = `${dir}-copy`;
    await cp(dir, copyDir, { recursive: true });
    try {
      expect((await loadOnce()).instance).toBe(first); // the original is still itself
      const copy = await open(copyDir);
      const loaded = await copy.load();
      await copy.close();
      expect(loaded.records).toEqual([recordOf(1), recordOf(2)]);
      expect(loaded.instance).toEqual(expect.any(String));
      expect(loaded.instance).not.toBe(first);
    } finally {
      await rm(copyDir, { recursive: true, force: true });
    }
  });
});
