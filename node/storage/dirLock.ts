// One owner per ledger directory. Two stores appending to one log would interleave their
// batches, and recovery (which cuts a torn tail) assumes a single writer, so a second open must
// fail rather than share. Two layers:
//   - a set of canonical directory paths held by this process, which catches a second open in
//     the same process whatever the lock file says;
//   - a lock file holding the owner's pid, which catches other processes. A lock whose pid is no
//     longer running is stale (the owner crashed or was killed) and is taken over with a warning.
// The pid check cannot tell a recycled pid from the real owner; the error says which pid holds
// the lock so that a user can delete a lock left by something that is not GPoW.
import { link, open, readFile, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../../shared/storage/port.ts';
import { errorCode } from './fsHelpers.ts';

const heldInThisProcess = new Set<string>();

/** Filesystems without hard links (FAT, some network shares) report these from link(). */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Stale locks are retried a few times; losing every race to other processes is an error. */
const MAX_ATTEMPTS = 3;

export interface DirLock {
  /** Removes the lock file and frees the directory for another store. Safe to call twice. */
  release(): Promise<void>;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: checks existence and permission, delivers nothing
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // it exists, it just belongs to another user
  }
}

/**
 * Creates the lock file with our pid already in it: written and fsynced under a temporary name,
 * then hard-linked into place, which fails if the lock exists. So the lock file is never seen
 * empty, not even after a power cut. Returns false if another lock file is in the way.
 */
async function tryCreateLockFile(lockPath: string, contents: string): Promise<boolean> {
  const temp = `${lockPath}.${process.pid}.tmp`;
  const handle = await open(temp, 'w', 0o644);
  try {
    await handle.writeFile(contents, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, lockPath);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') return false;
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw error;
    // No hard links: exclusive create instead. A power cut between create and write could leave
    // it empty, which readHolder reports so that the user can delete it.
    try {
      const exclusive = await open(lockPath, 'wx', 0o644);
      try {
        await exclusive.writeFile(contents, 'utf8');
      } finally {
        await exclusive.close();
      }
      return true;
    } catch (createError) {
      if (errorCode(createError) === 'EEXIST') return false;
      throw createError;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** The pid in an existing lock file, undefined if the file vanished meanwhile. */
async function readHolder(lockPath: string, dir: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(lockPath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  const match = /^([1-9][0-9]{0,9})\n?$/.exec(text);
  if (match?.[1] === undefined) {
    throw new StorageError(
      `the lock file ${lockPath} does not hold a process id (it contains ${JSON.stringify(text.slice(0, 40))}); ` +
        `if no GPoW process is using ${dir}, delete the lock file and try again`,
    );
  }
  return Number(match[1]);
}

async function acquireLockFile(
  dir: string,
  lockPath: string,
  onWarning: (message: string) => void,
): Promise<void> {
  const contents = `${process.pid}\n`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await tryCreateLockFile(lockPath, contents)) return;
    const holder = await readHolder(lockPath, dir);
    if (holder === undefined) continue; // released between our create and our read
    // Our own pid cannot be a live owner: this process holds the directory only through
    // heldInThisProcess, so such a lock was left by an earlier process that had the same pid
    // (common in containers, where the app is often pid 1).
    if (holder !== process.pid && isRunning(holder)) {
      throw new StorageError(
        `${dir} is in use by process ${holder} (lock file ${lockPath}); close that GPoW instance ` +
          `first, or delete the lock file if process ${holder} is not GPoW`,
      );
    }
    // Re-read just before deleting, to narrow the race with another process doing the same.
    if ((await readHolder(lockPath, dir)) === holder) {
      await unlink(lockPath).catch((error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
      });
      onWarning(
        `removed a stale lock on ${dir}: process ${holder} held it and is no longer running ` +
          `(it probably crashed or was killed)`,
      );
    }
  }
  throw new StorageError(
    `could not lock ${dir}: the lock file ${lockPath} kept changing; is another GPoW process ` +
      `opening the same directory?`,
  );
}

/** Locks an existing directory for this store. Throws StorageError if someone else holds it. */
export async function lockDirectory(
  dir: string,
  lockFileName: string,
  onWarning: (message: string) => void,
): Promise<DirLock> {
  // Canonical, so that two spellings of one directory (a symlink, a trailing slash) collide.
  const canonical = await realpath(dir);
  // No await between the check and the add: two concurrent opens cannot both pass.
  if (heldInThisProcess.has(canonical)) {
    throw new StorageError(
      `${dir} is already open in this process; close the other store before opening it again`,
    );
  }
  heldInThisProcess.add(canonical);
  const lockPath = join(canonical, lockFileName);
  try {
    await acquireLockFile(dir, lockPath, onWarning);
  } catch (error) {
    heldInThisProcess.delete(canonical);
    throw error;
  }
  let released = false;
  return {
    async release(): Promise<void> {
      if (released) return;
      released = true;
      try {
        await unlink(lockPath);
      } catch (error) {
        if (errorCode(error) !== 'ENOENT') throw error;
      } finally {
        heldInThisProcess.delete(canonical);
      }
    },
  };
}
