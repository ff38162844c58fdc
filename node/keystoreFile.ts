// Keystore files on disk. Saving is atomic and durable: a crash leaves either the old file or
// the new one, never a torn mix, because losing a keystore can mean losing the key. A file that
// fails to open (tampered, wrong version, bad JSON) is left byte-for-byte as it was, so the user
// can still recover it with the right passphrase or a newer version of the app. The one write
// on loading: a version 1 file that opened is rewritten as the current version when the caller
// passes upgradeWith, so it gains the integrity hash (shared/identity/keystore.ts).
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  decryptKeystore,
  encryptKeystore,
  type DecryptOptions,
  type Keystore,
  type KeystoreResult,
} from '../shared/identity/keystore.ts';
import type { RandomPort } from '../shared/ports.ts';
import { errorCode, syncDirectory } from './storage/fsHelpers.ts';

/** A keystore is well under 1 KiB; refuse to read anything absurdly larger. */
const MAX_KEYSTORE_FILE_BYTES = 64 * 1024;

export interface SaveOptions {
  /** Replace an existing file at `path`. Off by default, so a keystore is never lost by accident. */
  overwrite?: boolean;
}

export type KeystoreFileFailure = {
  ok: false;
  code: 'not-found' | 'unreadable' | 'invalid-json';
  message: string;
};

export type LoadKeystoreResult =
  | (KeystoreResult & {
      /** Set when a version 1 file opened but could not be rewritten; it stays readable. */
      upgradeError?: string;
    })
  | KeystoreFileFailure;

export interface LoadOptions extends DecryptOptions {
  /**
   * Rewrites a version 1 file that opened as the current version (a fresh salt and nonce from
   * this port, the same scrypt cost), once: it costs one more key derivation.
   */
  upgradeWith?: RandomPort;
}

const refuseToReplace = (path: string, cause?: unknown): Error =>
  new Error(
    `refusing to replace the existing keystore ${path}: pass { overwrite: true } to replace it`,
    { cause },
  );

/** Filesystems without hard links (FAT on a USB stick, some network shares) report these. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

async function moveIntoPlaceWithoutReplacing(temp: string, path: string): Promise<void> {
  try {
    await link(temp, path); // atomic, and fails with EEXIST rather than replacing
  } catch (error) {
    const code = errorCode(error);
    if (code === 'EEXIST') throw refuseToReplace(path, error);
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw error;
    // No hard links here: check, then rename. A writer racing us in the gap between the two
    // could be replaced; that is the best such a filesystem offers.
    const exists = await stat(path).then(
      () => true,
      (statError: unknown) => {
        if (errorCode(statError) === 'ENOENT') return false;
        throw statError;
      },
    );
    if (exists) throw refuseToReplace(path);
    await rename(temp, path);
    return;
  }
  await unlink(temp);
}

/**
 * Writes the keystore atomically: to a temporary file in the same directory (so the final
 * step is a same-filesystem rename), fsynced, then moved into place, then the directory fsynced.
 * The file is created with mode 0600. Without `overwrite`, an existing file is never replaced,
 * even by a concurrent writer: the final step is then link(), which fails if the name exists.
 */
export async function saveKeystoreFile(
  path: string,
  keystore: Keystore,
  options: SaveOptions = {},
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const contents = `${JSON.stringify(keystore, null, 2)}\n`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(contents, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.overwrite === true) {
      await rename(temp, path);
    } else {
      await moveIntoPlaceWithoutReplacing(temp, path);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

/**
 * Reads and opens a keystore file. Never writes to, renames or deletes it when it fails to open.
 * Failures are returned, not thrown: the file's own problems (missing, unreadable, not JSON)
 * as KeystoreFileFailure, and the keystore's as decryptKeystore reports them.
 */
export async function loadKeystoreFile(
  path: string,
  passphrase: string,
  options: LoadOptions = {},
): Promise<LoadKeystoreResult> {
  const read = await readKeystoreText(path);
  if (typeof read !== 'string') return read;
  let json: unknown;
  try {
    json = JSON.parse(read);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      code: 'invalid-json',
      message: `${path} is not valid JSON, so not a keystore: ${reason}`,
    };
  }
  const { upgradeWith, ...decryptOptions } = options;
  const result = await decryptKeystore(json, passphrase, decryptOptions);
  if (!result.ok || result.outdated !== true || upgradeWith === undefined) return result;
  const upgradeError = await upgrade(path, read, json, result.payload, passphrase, upgradeWith);
  if (upgradeError !== null) return { ...result, upgradeError };
  const current = { ...result };
  delete current.outdated;
  return current;
}

async function readKeystoreText(path: string): Promise<string | KeystoreFileFailure> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      return { ok: false, code: 'unreadable', message: `${path} is not a file` };
    }
    if (info.size > MAX_KEYSTORE_FILE_BYTES) {
      return {
        ok: false,
        code: 'unreadable',
        message: `${path} is ${info.size} bytes: too large to be a keystore`,
      };
    }
    return await readFile(path, { encoding: 'utf8', flag: 'r' });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') {
      return { ok: false, code: 'not-found', message: `no keystore file at ${path}` };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, code: 'unreadable', message: `cannot read ${path}: ${reason}` };
  }
}

/** Rewrites an opened version 1 file as the current version; null when done, else why not. */
async function upgrade(
  path: string,
  text: string,
  json: unknown,
  payload: Extract<KeystoreResult, { ok: true }>['payload'],
  passphrase: string,
  random: RandomPort,
): Promise<string | null> {
  try {
    // decryptKeystore accepted it, so kdf.N is a bounded power of two: keep the user's cost.
    const N = (json as { kdf: { N: number } }).kdf.N;
    const upgraded = await encryptKeystore(payload, passphrase, random, { N });
    // Another program may have replaced the file meanwhile: never overwrite what we did not read.
    if ((await readFile(path, 'utf8')) !== text) return `${path} changed while it was upgraded`;
    await saveKeystoreFile(path, upgraded, { overwrite: true });
    return null;
  } catch (error) {
    return `could not upgrade ${path}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
