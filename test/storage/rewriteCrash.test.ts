// Kills a process in the middle of FileLogStore.rewrite() and checks its promise: after a crash
// the log is the old one or the new one, never a mix. Before the rename, the old log is intact
// and the temporary file is removed at the next open; after it, the new log is in place, with
// a new instance that stays the same across reopens.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LOG_FILE_NAME, openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { LOG_TEMP_NAME } from '../../node/storage/logRepair.ts';
import { crashRecord } from './fixtures/crashRecord.ts';

const CHILD = fileURLToPath(new URL('./fixtures/rewriteThenKilled.ts', import.meta.url));
const OLD_RECORDS = Array.from({ length: 50 }, (_, i) => crashRecord(i));
/** The child writes crashRecord(1000), crashRecord(1001)...: none of them is an old record. */
const NEW_COUNT = 30;
const NEW_RECORDS = Array.from({ length: NEW_COUNT }, (_, i) => crashRecord(1000 + i));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-rewrite-crash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes the old log and returns its instance. */
async function writeOldLog(): Promise<string | undefined> {
  const store = await openFileLogStore(dir);
  try {
    await store.append(OLD_RECORDS);
    return (await store.load()).instance;
  } finally {
    await store.close();
  }
}

/** Runs the child until it kills itself at `moment`; fails if it ends any other way. */
async function rewriteThenCrash(moment: 'before-rename' | 'after-rename'): Promise<void> {
  const child = spawn(process.execPath, [CHILD, dir, moment, String(NEW_COUNT)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>(
    (resolve) =>
      child.on('close', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal })),
  );
  expect({ code, signal, output }).toEqual({ code: null, signal: 'SIGKILL', output: '' });
}

/** Opens the log after the crash (the dead child's lock is taken over) and loads it. */
async function loadAfterCrash(): Promise<{
  records: Uint8Array[];
  instance?: string;
  files: string[];
}> {
  const store = await openFileLogStore(dir, { onWarning: () => undefined });
  try {
    const files = await readdir(dir);
    const { records, recovery, instance } = await store.load();
    expect(recovery).toBeUndefined(); // neither moment leaves anything to repair
    return { records, files, ...(instance === undefined ? {} : { instance }) };
  } finally {
    await store.close();
  }
}

it('keeps the old log when the rewrite dies before the rename, and removes its temporary file', async () => {
  const oldInstance = await writeOldLog();
  await rewriteThenCrash('before-rename');
  // The crash left the new log's temporary file beside the old log, not yet in its place.
  expect(await readdir(dir)).toContain(LOG_TEMP_NAME);

  const after = await loadAfterCrash();
  expect(after.files).not.toContain(LOG_TEMP_NAME);
  expect(after.records).toEqual(OLD_RECORDS);
  expect(after.instance).toBe(oldInstance);
});

it('has the new log when the rewrite dies after the rename, with a new instance that stays', async () => {
  const oldInstance = await writeOldLog();
  await rewriteThenCrash('after-rename');

  const after = await loadAfterCrash();
  expect(after.files).not.toContain(LOG_TEMP_NAME);
  expect(after.files).toContain(LOG_FILE_NAME);
  expect(after.records).toEqual(NEW_RECORDS);
  expect(after.instance).toEqual(expect.any(String));
  expect(after.instance).not.toBe(oldInstance);

  // The new log takes appends, and keeps its instance across them and reopens.
  const store = await openFileLogStore(dir);
  try {
    await store.append([crashRecord(2000)]);
  } finally {
    await store.close();
  }
  const reopened = await loadAfterCrash();
  expect(reopened.records).toEqual([...NEW_RECORDS, crashRecord(2000)]);
  expect(reopened.instance).toBe(after.instance);
});

it('changes nothing when a rewrite fails before the rename, and the store goes on', async () => {
  await writeOldLog();
  const store = await openFileLogStore(dir);
  try {
    // A directory where the temporary file must go: opening it for writing fails (EISDIR).
    await mkdir(join(dir, LOG_TEMP_NAME));
    await expect(store.rewrite(NEW_RECORDS)).rejects.toThrow(/EISDIR/);
    expect((await store.load()).records).toEqual(OLD_RECORDS);
    await store.append([crashRecord(3000)]);
    expect((await store.load()).records).toEqual([...OLD_RECORDS, crashRecord(3000)]);
  } finally {
    await store.close();
  }
});
