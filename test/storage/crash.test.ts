// Kills a writer mid-stream and checks the promise append() makes: every acknowledged record
// survives, in order, and the log opens again (repairing a torn tail if there is one).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytesEqual } from '../../shared/bytes.ts';
import { StorageError } from '../../shared/storage/port.ts';
import { openFileLogStore } from '../../node/storage/fileLogStore.ts';
import { crashRecord } from './fixtures/crashRecord.ts';

const CHILD = fileURLToPath(new URL('./fixtures/appendUntilKilled.ts', import.meta.url));
/** Kill after this many acknowledgements... */
const TARGET_ACKS = 200;
/** ...or after this long, whichever comes first, so a slow disk cannot hang the suite. */
const KILL_AFTER_MS = 5_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gpow-crash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('keeps every acknowledged append, in order, when the writer is SIGKILLed', async () => {
  const child = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let acks = 0;
  // While the child runs it holds the directory, so an open here (another process) must be
  // refused by pid. The kill waits for that check: a dead child's lock would just be taken over.
  let lockOutcome: unknown;
  let lockCheck: Promise<void> | undefined;
  const killWhenDone = (): void => {
    if (lockOutcome !== undefined && acks >= TARGET_ACKS) child.kill('SIGKILL');
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const char of chunk) if (char === '\n') acks++;
    lockCheck ??= openFileLogStore(dir).then(
      async (store) => {
        lockOutcome = 'opened';
        await store.close();
        killWhenDone();
      },
      (error: unknown) => {
        lockOutcome = error;
        killWhenDone();
      },
    );
    killWhenDone();
  });
  const { code, signal } = await exited;
  clearTimeout(deadline);
  expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
  await lockCheck;
  expect(lockOutcome).toBeInstanceOf(StorageError);
  expect(String(lockOutcome)).toMatch(new RegExp(`is in use by process ${child.pid}`));

  // Only complete lines are acknowledgements; a trailing partial line is not.
  const acked = stdout.split('\n').slice(0, -1).map(Number);
  expect(acked.length).toBeGreaterThan(0);
  expect(acked).toEqual(acked.map((_, i) => i));

  const warnings: string[] = [];
  const store = await openFileLogStore(dir, { onWarning: (message) => warnings.push(message) });
  try {
    // The dead child's lock was stale and was taken over, with a warning saying so.
    expect(warnings[0]).toMatch(
      new RegExp(`removed a stale lock .*process ${child.pid} held it and is no longer running`),
    );
    const { records, recovery } = await store.load();
    if (recovery !== undefined) expect(recovery.truncatedBytes).toBeGreaterThan(0);
    // Every acknowledged record is there; records written but not yet acknowledged may be too.
    expect(records.length).toBeGreaterThanOrEqual(acked.length);
    const wrong = records.flatMap((record, i) => (bytesEqual(record, crashRecord(i)) ? [] : [i]));
    expect(wrong).toEqual([]);
    // And the log takes appends again.
    await store.append([crashRecord(records.length)]);
  } finally {
    await store.close();
  }
  const reopened = await openFileLogStore(dir);
  try {
    const { records, recovery } = await reopened.load();
    expect(recovery).toBeUndefined();
    expect(records.length).toBeGreaterThan(acked.length);
  } finally {
    await reopened.close();
  }
});
