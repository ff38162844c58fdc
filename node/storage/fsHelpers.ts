// Small filesystem helpers shared by the storage adapters.
import { open } from 'node:fs/promises';

/** The `code` of a Node system error (ENOENT, EEXIST, ...), if it has one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return typeof error.code === 'string' ? error.code : undefined;
  }
  return undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Makes a file creation, rename or link in `dir` durable: without it a crash can forget the
 * directory entry even though the file's data was fsynced. Windows cannot open directories for
 * fsync (and NTFS journals the entry itself).
 */
export async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
