// "Remember my passphrase" for the desktop app: the passphrase, encrypted with Electron's
// safeStorage (the OS keychain on macOS, DPAPI on Windows, the Secret Service or KWallet on
// Linux), in a file of its own next to the keystore. A convenience, and opt-in: whoever can run
// code as this user can usually ask the keychain to decrypt it, so it guards against a copied
// disk or backup, not against malware on the machine.
//
// On Linux without a keyring, Chromium falls back to the 'basic_text' backend, which encrypts
// with a key built into Chromium itself: no protection at all. That backend (or an unknown one)
// is reported as weak so the UI can say so, and remembering is refused there.
import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import type { SafeStorage } from 'electron';
import type { SecureStorageStatus } from '../shared/bridge/contract.ts';

/** The parts of Electron's safeStorage this module uses; tests pass a fake. */
export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

/** A few hundred bytes at most; anything larger is not ours. */
const MAX_FILE_BYTES = 16 * 1024;

/** Linux backends that protect nothing: 'basic_text' uses a hard-coded key. */
const WEAK_LINUX_BACKENDS = new Set(['basic_text', 'unknown']);

/**
 * Where safeStorage keeps secrets on this platform, and whether that protects them. Call it
 * after the app is ready: before, Linux reports no backend yet.
 */
export function secureStorageBackend(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
): Omit<SecureStorageStatus, 'remembered'> {
  let available: boolean;
  try {
    available = safeStorage.isEncryptionAvailable();
  } catch {
    available = false;
  }
  let backend: string;
  if (platform === 'linux') {
    try {
      backend = safeStorage.getSelectedStorageBackend();
    } catch {
      backend = 'unknown';
    }
  } else if (platform === 'darwin') {
    backend = 'keychain';
  } else if (platform === 'win32') {
    backend = 'dpapi';
  } else {
    backend = 'unknown';
  }
  const weak = !available || (platform === 'linux' && WEAK_LINUX_BACKENDS.has(backend));
  return { available, backend, weak };
}

export interface RememberedUnlockOptions {
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  /** The file, e.g. <userData>/remembered-unlock.bin. */
  path: string;
  /** Hears about failures that are handled (a file that no longer decrypts, say). */
  onWarning?: (message: string) => void;
}

export type RememberOutcome = { ok: true } | { ok: false; reason: string };

export interface RememberedUnlock {
  status(): Promise<SecureStorageStatus>;
  /** Encrypts and saves the passphrase; refused where the OS cannot protect it. */
  remember(passphrase: string): Promise<RememberOutcome>;
  /** The remembered passphrase, or null. A file that fails to decrypt is deleted. */
  recall(): Promise<string | null>;
  forget(): Promise<void>;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}

export function createRememberedUnlock(options: RememberedUnlockOptions): RememberedUnlock {
  const { safeStorage, platform, path } = options;
  const warn = options.onWarning ?? ((message: string) => console.warn(message));

  const exists = async (): Promise<boolean> => {
    try {
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  };

  const forget = async (): Promise<void> => {
    try {
      await unlink(path);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
    }
  };

  return {
    async status() {
      return { ...secureStorageBackend(safeStorage, platform), remembered: await exists() };
    },

    async remember(passphrase) {
      const backend = secureStorageBackend(safeStorage, platform);
      if (!backend.available) {
        return { ok: false, reason: 'this system offers no encrypted storage for secrets' };
      }
      if (backend.weak) {
        return {
          ok: false,
          reason:
            `this system stores secrets without real encryption (backend ${backend.backend}); ` +
            'set up a keyring (GNOME Keyring or KWallet) to let GPoW remember the passphrase',
        };
      }
      const sealed = safeStorage.encryptString(passphrase);
      // Written beside the target and renamed over it: never a half-written file.
      const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, sealed, { mode: 0o600 });
        await rename(temp, path);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      return { ok: true };
    },

    async recall() {
      let sealed: Buffer;
      try {
        const info = await stat(path);
        if (!info.isFile() || info.size > MAX_FILE_BYTES) {
          warn(`${path} is not a remembered passphrase; it was ignored.`);
          return null;
        }
        sealed = await readFile(path);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return null;
        throw error;
      }
      if (!safeStorage.isEncryptionAvailable()) return null;
      try {
        return safeStorage.decryptString(sealed);
      } catch (error) {
        // Another user's or machine's keychain, or a reset keyring: it will never open again.
        warn(
          `The remembered passphrase could not be decrypted (${
            error instanceof Error ? error.message : String(error)
          }); it was forgotten.`,
        );
        await forget();
        return null;
      }
    },

    forget,
  };
}
