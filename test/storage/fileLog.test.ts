import { spawn } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  statfs,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bytesEqual, toHex } from '../../shared/bytes.ts';
import { MAX_RECORD_BYTES, StorageError } from '../../shared/storage/port.ts';
import {
  LOCK_FILE_NAME,
  LOG_FILE_NAME,
  openFileLogStore,
  type FileLogStore,
} from '../../node/storage/fileLogStore.ts';
import { describeLogStoreAcceptance } from './acceptance.ts';

const encoder = new TextEncoder();
const rec = (label: string): Uint8Array => encoder.encode(label);
const HEADER_HEX = '47504f574c4f4701'; // "GPOWLOG", version 1

// One directory per acceptance store; open(true) reopens the last one. Acceptance runs must
// never need a repair, so a warning there is a failure.
let acceptanceRoot: string;
let acceptanceDir = '';
let acceptanceCount = 0;
beforeAll(async () => {
  acceptanceRoot = await mkdtemp(join(tmpdir(), 'gpow-filelog-acceptance-'));
});
afterAll(async () => {
  await rm(acceptanceRoot, { recursive: true, force: true });
});
describeLogStoreAcceptance(
  'FileLogStore',
  (reopen) => {
    if (!reopen) acceptanceDir = join(acceptanceRoot, `store-${acceptanceCount++}`);
    return openFileLogStore(acceptanceDir, {
      onWarning: (message) => {
        throw new Error(`unexpected storage warning: ${message}`);
      },
    });
  },
  { hasInstance: true },
);

let dir: string;
let logPath: string;
let warnings: string[];
const open = (): Promise<FileLogStore> =>
  openFileLogStore(dir, { onWarning: (message) => warnings.push(message) });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-filelog-'));
  logPath = join(dir, LOG_FILE_NAME);
  warnings = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Contents and modification time, to prove a file was not touched. */
async function snapshot(path: string): Promise<{ hex: string; mtimeMs: number }> {
  return { hex: toHex(await readFile(path)), mtimeMs: (await stat(path)).mtimeMs };
}

describe('loaded records', () => {
  // Records are views into the buffers the log was read into, one buffer per read chunk.
  it('are exact, separate views: each holds its own bytes, none overlaps the next', async () => {
    const store = await open();
    const records = [Uint8Array.of(1, 2, 3), new Uint8Array(100).fill(7), Uint8Array.of(5)];
    await store.append(records);
    await store.close();
    const reopened = await open();
    const { records: loaded } = await reopened.load();
    expect(loaded).toEqual(records);
    loaded[0]!.fill(9);
    loaded[2]!.fill(9);
    expect(loaded[1]).toEqual(records[1]);
    // The buffer behind them is the store's own, not a slice of Node's shared pool.
    expect(loaded[0]!.buffer.byteLength).toBe(loaded[1]!.buffer.byteLength);
    expect(loaded[0]!.buffer.byteLength).toBeLessThan(Buffer.poolSize);
    await reopened.close();
  });
});

describe('the on-disk format', () => {
  it('is the header, then [u32 LE length][u32 LE CRC-32][payload] per record', async () => {
    const store = await open();
    await store.append([rec('ab'), Uint8Array.of(0xff)]);
    await store.close();
    const frame = (payload: Uint8Array): string => {
      const head = Buffer.alloc(8);
      head.writeUInt32LE(payload.length, 0);
      head.writeUInt32LE(crc32(payload), 4);
      return toHex(head) + toHex(payload);
    };
    expect(toHex(await readFile(logPath))).toBe(
      HEADER_HEX + frame(rec('ab')) + frame(Uint8Array.of(0xff)),
    );
    // Spelled out once, so that frame() itself cannot drift: length 2, CRC-32("ab") = 0x9e83486d.
    expect(frame(rec('ab'))).toBe('020000006d48839e6162');
  });

  it('creates the file with just the header, and leaves no stray files', async () => {
    const store = await open();
    expect(toHex(await readFile(logPath))).toBe(HEADER_HEX);
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE_NAME, LOG_FILE_NAME]);
    await store.close();
    expect(await readdir(dir)).toEqual([LOG_FILE_NAME]);
  });
});

describe('the version-1 fixture', () => {
  const FIXTURE = fileURLToPath(new URL('../fixtures/ledger-log-v1.bin', import.meta.url));
  // Stated independently of scripts/make-log-fixture.ts, which wrote the fixture.
  const FIXTURE_RECORDS = [
    rec('GPoW ledger fixture: record one'),
    Uint8Array.of(0x00, 0xff, 0x7f, 0x80),
    Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff),
  ];

  it('is a header and three frames whose lengths and CRCs are pinned here', async () => {
    const bytes = await readFile(FIXTURE);
    expect(bytes.length).toBe(8 + 8 * 3 + 31 + 4 + 300);
    expect(toHex(bytes.subarray(0, 8))).toBe(HEADER_HEX);
    // [length][crc] of each frame, read straight from the file.
    const heads: string[] = [];
    for (let at = 8; at < bytes.length; at += 8 + bytes.readUInt32LE(at)) {
      heads.push(toHex(bytes.subarray(at, at + 8)));
    }
    expect(heads).toEqual(['1f00000074936a97', '04000000e80dc3da', '2c010000fbb100e0']);
  });

  it('loads as exactly its three records', async () => {
    await copyFile(FIXTURE, logPath);
    const store = await open();
    const loaded = await store.load();
    await store.close();
    expect(loaded.records).toEqual(FIXTURE_RECORDS);
    expect(loaded.recovery).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('is exactly what the store writes for those records', async () => {
    const store = await open();
    await store.append(FIXTURE_RECORDS.slice(0, 2));
    await store.append(FIXTURE_RECORDS.slice(2));
    await store.close();
    expect(toHex(await readFile(logPath))).toBe(toHex(await readFile(FIXTURE)));
  });
});

describe('recovery from a torn tail (a bad end with no good record after it)', () => {
  const A = rec('record A');
  const B = rec('record B, a little longer');
  const C = rec('record C, the one that gets damaged');
  /** End of B's frame: everything before it must survive. */
  const goodEnd = 8 + (8 + A.length) + (8 + B.length);
  const fullSize = goodEnd + 8 + C.length;

  async function writeABC(): Promise<void> {
    const store = await open();
    await store.append([A, B]);
    await store.append([C]);
    await store.close();
    expect((await stat(logPath)).size).toBe(fullSize);
  }

  type Damage = (bytes: Buffer) => Buffer;
  const flip = (bytes: Buffer, at: number, mask: number): Buffer => {
    bytes.writeUInt8(bytes.readUInt8(at) ^ mask, at);
    return bytes;
  };
  const cases: [string, Damage, number, RegExp][] = [
    [
      'a file cut mid-way through a record header',
      (bytes) => bytes.subarray(0, goodEnd + 5),
      5,
      new RegExp(`the file ends 5 bytes into a record header at offset ${goodEnd}`),
    ],
    [
      'a file cut mid-way through a payload',
      (bytes) => bytes.subarray(0, goodEnd + 8 + 3),
      11,
      new RegExp(`the record at offset ${goodEnd} declares ${C.length} bytes but only 3 follow`),
    ],
    [
      'a flipped payload byte',
      (bytes) => flip(bytes, goodEnd + 8 + 4, 0x01),
      8 + C.length,
      new RegExp(`the record at offset ${goodEnd} fails its CRC-32 check`),
    ],
    [
      'a flipped CRC byte',
      (bytes) => flip(bytes, goodEnd + 6, 0x80),
      8 + C.length,
      /fails its CRC-32 check/,
    ],
    [
      'an absurd length',
      (bytes) => {
        bytes.writeUInt32LE(0xfffffff0, goodEnd);
        return bytes;
      },
      8 + C.length,
      new RegExp(`declares 4294967280 bytes, over the ${MAX_RECORD_BYTES}-byte limit`),
    ],
    [
      'a zero-filled tail (space allocated but never written)',
      (bytes) => Buffer.concat([bytes.subarray(0, goodEnd), Buffer.alloc(64)]),
      64,
      new RegExp(`a record at offset ${goodEnd} declares a length of 0`),
    ],
    [
      'the last 10 bytes cut off',
      (bytes) => bytes.subarray(0, fullSize - 10),
      8 + C.length - 10,
      new RegExp(`the record at offset ${goodEnd} declares ${C.length} bytes but only`),
    ],
    [
      'garbage at the very end',
      (bytes) => {
        // Deterministic noise: no run of it forms a frame with a matching CRC.
        const noise = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 197 + 89) % 251));
        return Buffer.concat([bytes.subarray(0, goodEnd), noise]);
      },
      300,
      new RegExp(`at offset ${goodEnd}`),
    ],
  ];

  it.each(cases)('%s', async (_, damage, truncatedBytes, reason) => {
    await writeABC();
    await writeFile(logPath, damage(await readFile(logPath)));

    const store = await open();
    const progress: [number, number][] = [];
    const loaded = await store.load((done, total) => progress.push([done, total]));
    expect(loaded.records).toEqual([A, B]);
    expect(loaded.recovery?.kind).toBe('torn-tail');
    expect(loaded.recovery?.truncatedBytes).toBe(truncatedBytes);
    expect(loaded.recovery?.reason).toMatch(reason);
    expect(loaded.recovery?.reason).toMatch(
      new RegExp(
        `^The last ${truncatedBytes} bytes of .*ledger\\.log, from offset ${goodEnd}, did not hold ` +
          `a whole record \\(.*\\), so they were cut off\\. This happens after a crash or power ` +
          `loss during a write\\. Records lost this way come back from other members`,
      ),
    );
    expect(progress.at(-1)).toEqual([goodEnd + truncatedBytes, goodEnd + truncatedBytes]);
    expect(warnings).toEqual([loaded.recovery?.reason]);
    expect((await stat(logPath)).size).toBe(goodEnd);
    // Nothing good was lost, so no copy of the file is kept.
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE_NAME, LOG_FILE_NAME]);

    const D = rec('record D, after the repair');
    await store.append([D]);
    expect((await store.load()).records).toEqual([A, B, D]);
    await store.close();

    const reopened = await open();
    const again = await reopened.load();
    await reopened.close();
    expect(again.records).toEqual([A, B, D]);
    expect(again.recovery).toBeUndefined();
    expect(warnings).toHaveLength(1);
  });

  it('repairs before an append that comes before any load, and load still reports it', async () => {
    await writeABC();
    await truncate(logPath, goodEnd + 3);
    const store = await open();
    const D = rec('record D');
    await store.append([D]); // must not land after the torn bytes, where it would be lost
    const loaded = await store.load();
    expect(loaded.records).toEqual([A, B, D]);
    expect(loaded.recovery).toEqual({
      kind: 'torn-tail',
      truncatedBytes: 3,
      reason: expect.stringContaining(
        `(the file ends 3 bytes into a record header at offset ${goodEnd})`,
      ) as string,
    });
    expect((await store.load()).recovery).toBeUndefined(); // reported once
    await store.close();
    expect(warnings).toHaveLength(1);
  });

  it('rewrites a header cut short by a crash while the file was created', async () => {
    await writeFile(logPath, Buffer.from('GPOW'));
    const store = await open();
    const loaded = await store.load();
    expect(loaded.records).toEqual([]);
    expect(loaded.recovery).toEqual({
      kind: 'torn-tail',
      truncatedBytes: 4,
      reason: `${logPath} held only 4 of the 8 bytes of its header and no records, so the header was written again. This happens after a crash or power loss while the log is being created.`,
    });
    expect(warnings).toEqual([loaded.recovery?.reason]);
    await store.append([A]);
    await store.close();
    expect(toHex(await readFile(logPath)).startsWith(HEADER_HEX)).toBe(true);
  });
});

describe('files that are not version-1 logs', () => {
  const cases: [string, Buffer, RegExp][] = [
    ['a foreign file', Buffer.from('{"not": "a ledger log"}\n'), /is not a GPoW ledger log/],
    ['a foreign file shorter than the header', Buffer.from('GX'), /is not a GPoW ledger log/],
    [
      'a log of an unknown version',
      Buffer.concat([Buffer.from('GPOWLOG'), Uint8Array.of(2), Buffer.alloc(12, 7)]),
      /is a GPoW ledger log of format version 2, but this build reads only version 1/,
    ],
  ];

  it.each(cases)('refuses %s at open and leaves it untouched', async (_, contents, message) => {
    await writeFile(logPath, contents);
    const before = await snapshot(logPath);
    const attempt = open();
    await expect(attempt).rejects.toThrow(StorageError);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toThrow(/it was left untouched/);
    expect(await snapshot(logPath)).toEqual(before);
    // The failed open let go of the directory: no lock file, and the same error again.
    expect(await readdir(dir)).toEqual([LOG_FILE_NAME]);
    await expect(open()).rejects.toThrow(message);
  });
});

describe('the directory lock', () => {
  /** A live process that is not us, to stand for another GPoW instance. */
  async function withOtherProcess(body: (pid: number) => Promise<void>): Promise<void> {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => other.on('exit', resolve));
    try {
      if (other.pid === undefined) throw new Error('could not start a helper process');
      await body(other.pid);
    } finally {
      other.kill('SIGKILL');
      await exited;
    }
  }

  it('refuses a second open in this process, however the directory is spelled', async () => {
    const first = await open();
    await expect(open()).rejects.toThrow(
      /is already open in this process; close the other store before opening it again/,
    );
    await expect(openFileLogStore(join(dir, '.', '/'))).rejects.toThrow(/already open/);
    const link = `${dir}-link`;
    await symlink(dir, link);
    try {
      await expect(openFileLogStore(link)).rejects.toThrow(/already open/);
    } finally {
      await rm(link);
    }
    await first.close();
    const second = await open();
    await second.close();
  });

  it('lets exactly one of two concurrent opens win', async () => {
    const results = await Promise.allSettled([open(), open()]);
    const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(won).toHaveLength(1);
    await won[0]?.close();
  });

  it('holds a lock file with our pid while open, and removes it on close', async () => {
    const store = await open();
    expect(await readFile(join(dir, LOCK_FILE_NAME), 'utf8')).toBe(`${process.pid}\n`);
    await store.close();
    expect(await readdir(dir)).toEqual([LOG_FILE_NAME]);
  });

  it('refuses a directory locked by another live process, naming it', async () => {
    await withOtherProcess(async (pid) => {
      await writeFile(join(dir, LOCK_FILE_NAME), `${pid}\n`);
      const attempt = open();
      await expect(attempt).rejects.toThrow(StorageError);
      await expect(attempt).rejects.toThrow(
        new RegExp(`is in use by process ${pid} \\(lock file .*ledger\\.lock\\)`),
      );
      expect(await readFile(join(dir, LOCK_FILE_NAME), 'utf8')).toBe(`${pid}\n`);
    });
  });

  it('takes over a stale lock left by a process that has exited, with a warning', async () => {
    let deadPid = 0;
    await withOtherProcess((pid) => {
      deadPid = pid;
      return Promise.resolve();
    });
    await writeFile(join(dir, LOCK_FILE_NAME), `${deadPid}\n`);
    const store = await open();
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`stale lock .*process ${deadPid} held it and is no longer`)),
    ]);
    expect(await readFile(join(dir, LOCK_FILE_NAME), 'utf8')).toBe(`${process.pid}\n`);
    await store.close();
  });

  it('treats a lock holding our own pid as stale: an earlier process had the same pid', async () => {
    await writeFile(join(dir, LOCK_FILE_NAME), `${process.pid}\n`);
    const store = await open();
    expect(warnings).toHaveLength(1);
    await store.close();
  });

  it('refuses a lock file that does not hold a pid, saying what to do', async () => {
    await writeFile(join(dir, LOCK_FILE_NAME), 'garbage');
    await expect(open()).rejects.toThrow(
      /does not hold a process id \(it contains "garbage"\); if no GPoW process is using .* delete the lock file/,
    );
  });
});

describe('meta files', () => {
  it('keeps each key in its own meta-<key> file, replaced without leftovers', async () => {
    const store = await open();
    await store.putMeta('checkpoint', Uint8Array.of(1, 2));
    await store.putMeta('checkpoint', Uint8Array.of(3));
    await store.close();
    expect(await readFile(join(dir, 'meta-checkpoint'))).toEqual(Buffer.from([3]));
    expect((await readdir(dir)).sort()).toEqual([LOG_FILE_NAME, 'meta-checkpoint']);
  });

  it('removes a temporary file a crash left behind, keeping the old value', async () => {
    const store = await open();
    await store.putMeta('checkpoint', Uint8Array.of(1));
    await store.close();
    await writeFile(join(dir, '.meta-checkpoint.tmp'), 'half-written');
    const reopened = await open();
    expect(await reopened.getMeta('checkpoint')).toEqual(Uint8Array.of(1));
    expect(await readdir(dir)).not.toContain('.meta-checkpoint.tmp');
    await reopened.close();
  });
});

describe('failures', () => {
  it('creates a missing directory, but reports a path it cannot use', async () => {
    const nested = join(dir, 'a', 'b');
    const store = await openFileLogStore(nested);
    await store.close();
    expect(await readdir(nested)).toEqual([LOG_FILE_NAME]);
    await writeFile(join(dir, 'file'), 'x');
    await expect(openFileLogStore(join(dir, 'file', 'sub'))).rejects.toThrow(/ENOTDIR|EEXIST/);
  });

  it('stops after a failed write until reopened, and the reopened log is intact', async () => {
    const store = await open();
    await store.append([rec('before')]);
    // Simulate the disk failing under the store: its file handle stops working.
    await (store as unknown as { handle: { close(): Promise<void> } }).handle.close();
    await expect(store.append([rec('lost')])).rejects.toThrow(/EBADF|closed/);
    await expect(store.load()).rejects.toThrow(
      /cannot load: an earlier write to .*ledger\.log failed \(.*\); close and reopen the store/,
    );
    await store.close().catch(() => undefined);
    const reopened = await open();
    expect((await reopened.load()).records).toEqual([rec('before')]);
    await reopened.close();
  });
});

describe('a large log', () => {
  const COUNT = 100_000;
  /** About 250 bytes each, every one different in length pattern and content. */
  const recordAt = (i: number): Uint8Array => {
    const record = new Uint8Array(200 + (i % 101));
    new DataView(record.buffer).setUint32(0, i, true);
    for (let j = 4; j < record.length; j++) record[j] = (i * 31 + j) & 0xff;
    return record;
  };

  it('loads 100,000 records of ~250 bytes exactly', async () => {
    await mkdir(dir, { recursive: true });
    const store = await open();
    for (let start = 0; start < COUNT; start += 5_000) {
      await store.append(Array.from({ length: 5_000 }, (_, k) => recordAt(start + k)));
    }
    await store.close();

    const reopened = await open();
    const progress: [number, number][] = [];
    const { records, recovery } = await reopened.load((done, total) =>
      progress.push([done, total]),
    );
    await reopened.close();
    expect(recovery).toBeUndefined();
    expect(records).toHaveLength(COUNT);
    const wrong: number[] = [];
    records.forEach((record, i) => {
      if (!bytesEqual(record, recordAt(i))) wrong.push(i);
    });
    expect(wrong).toEqual([]);
    const size = (await stat(logPath)).size;
    expect(progress.at(-1)).toEqual([size, size]);
    expect(progress.length).toBeGreaterThan(2); // read in several large chunks, reported per chunk
  });
});

describe('the room left on the disk (engine/diskSpace.ts)', () => {
  it("is what statfs says of the log's file system, for this user", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gpow-filelog-space-'));
    const store = await openFileLogStore(dir);
    try {
      const fs = await statfs(dir);
      const left = await store.spaceLeft();
      expect(left).toBeGreaterThan(0);
      // Other programs write meanwhile: the same order of magnitude, within 1%.
      expect(Math.abs((left as number) - fs.bavail * fs.bsize)).toBeLessThan(
        fs.bavail * fs.bsize * 0.01,
      );
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
