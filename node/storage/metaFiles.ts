// The file store's meta values: one file per key beside the log (`<dir>/meta-<key>`), each
// replaced atomically: written to a temporary file, fsynced, renamed over the old one, and the
// directory fsynced. Keys are checked (validateMetaKey) before they reach here: they become
// file names.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode, syncDirectory } from './fsHelpers.ts';

const metaFileName = (key: string): string => `meta-${key}`;
const metaTempName = (key: string): string => `.meta-${key}.tmp`;
/** Temporary meta files a crash may have left behind; removed when the store opens. */
export const META_TEMP = /^\.meta-[a-z0-9-]{1,64}\.tmp$/;

/** Replaces the value of `key` durably; a failure leaves the old value. */
export async function writeMetaFile(dir: string, key: string, value: Uint8Array): Promise<void> {
  const temp = join(dir, metaTempName(key));
  try {
    const file = await open(temp, 'w', 0o600);
    try {
      await file.writeFile(value);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, join(dir, metaFileName(key)));
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/** The value of `key`, or undefined if it was never put. */
export async function readMetaFile(dir: string, key: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(join(dir, metaFileName(key))));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}
