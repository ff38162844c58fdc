// The scanner's bounded search and the repair helpers, below the store: what the store's own
// tests (fileLog*.test.ts) cannot reach without a huge or hostile file.
import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageError } from '../../shared/storage/port.ts';
import { encodeFrames, LOG_FILE_HEADER } from '../../node/storage/logFormat.ts';
import { DAMAGED_COPY, saveDamagedCopy } from '../../node/storage/logRepair.ts';
import { scanLog, type ScanOptions, type ScanResult } from '../../node/storage/logScanner.ts';
import { damageNote } from '../../node/storage/recoveryNotes.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-scan-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const records = Array.from({ length: 10 }, (_, i) => new Uint8Array(50).fill(i + 1));
const frameSize = 8 + 50;
const frameAt = (i: number): number => 8 + i * frameSize;

async function scanBytes(bytes: Buffer, options: ScanOptions): Promise<ScanResult> {
  const path = join(dir, 'log');
  await writeFile(path, bytes);
  const handle = await open(path, 'r');
  try {
    return await scanLog(handle, bytes.length, options);
  } finally {
    await handle.close();
  }
}

const logWith = (damage: (bytes: Buffer) => void): Buffer => {
  const bytes = Buffer.concat([Buffer.from(LOG_FILE_HEADER), encodeFrames(records)]);
  damage(bytes);
  return bytes;
};

describe('the resync search', () => {
  const flipped = logWith((bytes) => bytes.writeUInt8(0xaa, frameAt(3) + 20));

  it('finds the frame after the damage within its budget, keeping or skipping records', async () => {
    const kept = await scanBytes(flipped, { keepRecords: true });
    expect(kept.records).toEqual(records.filter((_, i) => i !== 3));
    expect(kept.spans).toEqual([
      { start: 8, end: frameAt(3) },
      { start: frameAt(4), end: frameAt(10) },
    ]);
    expect(kept.damaged).toEqual([
      {
        offset: frameAt(3),
        bytes: frameSize,
        why: `the record at offset ${frameAt(3)} fails its CRC-32 check`,
      },
    ]);
    expect(kept.recordsAfterDamage).toBe(6);
    const skipped = await scanBytes(flipped, { keepRecords: false });
    expect(skipped).toEqual({ ...kept, records: [] });
  });

  it('prefers a confirmed frame to a lone frame-shaped run of bytes inside the damage', async () => {
    // Record 2's frame becomes noise, then a well-formed frame (length, CRC, payload) followed
    // by zeros: a lone hit, as chance or a crafted record could make one. Record 3 after it is
    // confirmed by record 4, so the lone one is part of the damage, not a record.
    const fake = encodeFrames([new Uint8Array(10).fill(0x77)]);
    const bytes = logWith((b) => {
      b.fill(0xee, frameAt(2), frameAt(2) + 5);
      fake.copy(b, frameAt(2) + 5);
      b.fill(0, frameAt(2) + 5 + fake.length, frameAt(3));
    });
    const scan = await scanBytes(bytes, { keepRecords: true });
    expect(scan.records).toEqual(records.filter((_, i) => i !== 2));
    expect(scan.damaged).toEqual([
      expect.objectContaining({ offset: frameAt(2), bytes: frameSize }),
    ]);
  });

  it('gives up past its budget: everything from the bad frame on counts as damaged', async () => {
    // One payload is more than the budget, so not even the next frame can be checked.
    const scan = await scanBytes(flipped, { keepRecords: true, searchBudget: 10 });
    expect(scan.records).toEqual(records.slice(0, 3));
    expect(scan.damaged).toEqual([
      expect.objectContaining({
        offset: frameAt(3),
        bytes: flipped.length - frameAt(3),
        abandoned: true,
      }),
    ]);
    expect(scan.recordsAfterDamage).toBe(0);
    const note = damageNote('/data/ledger.log', scan, '/data/ledger.log.damaged-x');
    expect(note.reason).toMatch(
      new RegExp(
        `^/data/ledger\\.log was damaged: ${flipped.length - frameAt(3)} bytes from offset ` +
          `${frameAt(3)} to the end of the file could not be read \\(at least one record was ` +
          `lost there\\); no record after them could be read\\. The search for intact records ` +
          `in the last of them is bounded and gave up`,
      ),
    );
  });

  it('stays bounded on bytes built to make every offset look like a large frame', async () => {
    // "00 00 10 00" repeated: a 1 MiB length every 4 bytes, each followed by another one.
    const hostile = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < hostile.length; i += 4) hostile.writeUInt32LE(0x00100000, i);
    const bytes = Buffer.concat([
      Buffer.from(LOG_FILE_HEADER),
      encodeFrames(records.slice(0, 2)),
      hostile, // read as a bad frame (its CRC does not match), then searched
      encodeFrames(records.slice(2)),
    ]);
    const started = performance.now();
    const scan = await scanBytes(bytes, { keepRecords: true });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(scan.records).toEqual(records.slice(0, 2));
    expect(scan.damaged).toEqual([
      expect.objectContaining({ offset: frameAt(2), abandoned: true }),
    ]);
  });

  it('reports progress that only grows, ending at the file size, through a search', async () => {
    const progress: [number, number][] = [];
    await scanBytes(flipped, {
      keepRecords: false,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(progress.at(-1)).toEqual([flipped.length, flipped.length]);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]?.[0]).toBeGreaterThanOrEqual(progress[i - 1]?.[0] ?? 0);
    }
  });
});

describe('saving the damaged copy', () => {
  it('never overwrites an earlier copy: a second one in the same second gets a suffix', async () => {
    const log = join(dir, 'ledger.log');
    await writeFile(log, 'first');
    const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
    const first = await saveDamagedCopy(dir, log, now);
    await writeFile(log, 'second');
    const second = await saveDamagedCopy(dir, log, now);
    expect(first).toBe(join(dir, 'ledger.log.damaged-20250102T030405Z'));
    expect(second).toBe(join(dir, 'ledger.log.damaged-20250102T030405Z-1'));
    expect(await readFile(first, 'utf8')).toBe('first');
    expect(await readFile(second, 'utf8')).toBe('second');
  });

  it('fails with a StorageError saying nothing was changed, leaving no partial copy', async () => {
    const attempt = saveDamagedCopy(dir, join(dir, 'missing'), new Date());
    await expect(attempt).rejects.toThrow(StorageError);
    await expect(attempt).rejects.toThrow(
      /is damaged and must be repaired, but .* could not be written \(ENOENT.*\); nothing was changed/,
    );
    expect((await readdir(dir)).filter((name) => DAMAGED_COPY.test(name))).toEqual([]);
  });
});
