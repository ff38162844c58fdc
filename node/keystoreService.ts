// The keystore operations behind the bridge, for the desktop app's main process (and any other
// Node host). It owns the one keystore file and the unlocked key: callers get addresses and
// status, never the key or the phrase, which is what lets the bridge keep secrets out of the UI.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  CreateKeystoreInput,
  KeystoreStatus,
  UnlockKeystoreInput,
  UnlockKeystoreResult,
} from '../shared/bridge/contract.ts';
import { parseAddress } from '../shared/identity/address.ts';
import { encryptKeystore, type KeystorePayload } from '../shared/identity/keystore.ts';
import { identityFromSecret, type Identity } from '../shared/identity/keys.ts';
import { identityFromMnemonic, validateMnemonic } from '../shared/identity/mnemonic.ts';
import type { RandomPort } from '../shared/ports.ts';
import { loadKeystoreFile, saveKeystoreFile } from './keystoreFile.ts';

/** Larger than any keystore; a bigger file is not read just to show a status. */
const MAX_STATUS_READ_BYTES = 64 * 1024;

export interface KeystoreServiceOptions {
  /** The keystore file, e.g. <userData>/keystore.json. */
  path: string;
  random: RandomPort;
  /** scrypt cost; the keystore default unless testing. */
  scryptN?: number;
}

export interface KeystoreService {
  status(): Promise<KeystoreStatus>;
  create(input: CreateKeystoreInput): Promise<{ address: string }>;
  /**
   * Makes a fresh device key (docs/protocol.md §12: a device paired from a link holds no words)
   * and saves it encrypted; refuses to replace a keystore.
   */
  createDevice(input: { passphrase: string }): Promise<{ address: string }>;
  unlock(input: UnlockKeystoreInput): Promise<UnlockKeystoreResult>;
  /** The address of the unlocked key, or null while locked. */
  unlockedAddress(): string | null;
  /** Forgets the unlocked key, overwriting its bytes. */
  lock(): void;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String(error.code)
    : undefined;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

function identityOf(payload: KeystorePayload): Identity {
  if (payload.kind === 'mnemonic') return identityFromMnemonic(payload.mnemonic);
  const identity = identityFromSecret(payload.secretKey);
  payload.secretKey.fill(0); // identityFromSecret copied it
  return identity;
}

export function createKeystoreService(options: KeystoreServiceOptions): KeystoreService {
  const { path } = options;
  let unlocked: { identity: Identity; address: string } | null = null;

  const lock = (): void => {
    unlocked?.identity.secretKey.fill(0);
    unlocked = null;
  };

  /** Encrypts and saves a new keystore; replaces one only when asked to (`replace`). */
  const save = async (payload: KeystorePayload, passphrase: string, replace = false) => {
    if (!replace && (await fileExists(path))) {
      throw new Error(
        'A keystore already exists on this computer; it was left as it is. ' +
          'Unlock it, or move it away first to create a new one.',
      );
    }
    const keystore = await encryptKeystore(
      payload,
      passphrase,
      options.random,
      options.scryptN === undefined ? {} : { N: options.scryptN },
    );
    await mkdir(dirname(path), { recursive: true });
    // saveKeystoreFile refuses to replace a file created since the check above, unless asked.
    await saveKeystoreFile(path, keystore, { overwrite: replace });
    // The key held unlocked belonged to the file just replaced.
    if (replace) lock();
    return { address: keystore.address };
  };

  return {
    async status() {
      let text: string;
      try {
        const info = await stat(path);
        if (!info.isFile() || info.size > MAX_STATUS_READ_BYTES) return { exists: true };
        text = await readFile(path, 'utf8');
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return { exists: false };
        return { exists: true }; // there, but unreadable: unlock will say why
      }
      // The address is stored in the clear (and authenticated), so it can be shown before the
      // passphrase is typed. A file we cannot make sense of still counts as existing.
      try {
        const json: unknown = JSON.parse(text);
        const field =
          typeof json === 'object' && json !== null && 'address' in json ? json.address : undefined;
        const parsed = parseAddress(field);
        return parsed.ok ? { exists: true, address: parsed.address } : { exists: true };
      } catch {
        return { exists: true };
      }
    },

    async create(input) {
      const checked = validateMnemonic(input.mnemonic);
      if (!checked.ok) throw new Error(`That recovery phrase cannot be used: ${checked.error}.`);
      return save(
        { kind: 'mnemonic', mnemonic: checked.mnemonic },
        input.passphrase,
        input.replace === true,
      );
    },

    async createDevice(input) {
      const secretKey = options.random.bytes(32);
      try {
        return await save({ kind: 'secret-key', secretKey }, input.passphrase);
      } finally {
        secretKey.fill(0);
      }
    },

    async unlock(input) {
      // An older (version 1) file is rewritten with the integrity hash once it opens.
      const result = await loadKeystoreFile(path, input.passphrase, {
        upgradeWith: options.random,
      });
      if (!result.ok) return { ok: false, code: result.code, message: result.message };
      lock();
      unlocked = { identity: identityOf(result.payload), address: result.address };
      return { ok: true, address: result.address };
    },

    unlockedAddress: () => unlocked?.address ?? null,
    lock,
  };
}
