// GpowBridge for a plain browser (`npm run web`), so the UI can be developed and tried without
// Electron. The keystore is the same encrypted format as on the desktop, kept in localStorage.
// Arguments are checked with the same schemas as electron/ipc.ts, so mistakes show up here
// exactly as they would in the app.
//
// In a browser there is no separate process to keep the key away from the page: unlocking
// decrypts it in the page itself. That is why the desktop app, not this mode, is for real funds.
import {
  parseArguments,
  type BridgeMethod,
  type GpowBridge,
  type KeystoreStatus,
} from '../../shared/bridge/contract.ts';
import { parseAddress } from '../../shared/identity/address.ts';
import { identityFromSecret } from '../../shared/identity/keys.ts';
import {
  decryptKeystore,
  encryptKeystore,
  type KeystorePayload,
} from '../../shared/identity/keystore.ts';
import { identityFromMnemonic, validateMnemonic } from '../../shared/identity/mnemonic.ts';
import type { RandomPort } from '../../shared/ports.ts';

import { BROWSER_KEYSTORE_KEY, createBrowserIdentities } from './browserIdentities.ts';

export { BROWSER_KEYSTORE_KEY };

export interface BrowserBridgeOptions {
  /** localStorage in the page; any Storage-like object in tests. */
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  random: RandomPort;
  /** The app version to report, from package.json. */
  version: string;
  /** scrypt cost; the keystore default unless testing. */
  scryptN?: number;
  /**
   * Receives the unlocked identity's secret key, so the page can sign (renderer/bridge/
   * inPageVault.ts). Without one, the key is wiped as soon as the passphrase is checked.
   */
  vault?: { hold(secretKey: Uint8Array): void; lock?(): void };
}

/** The desktop-only methods refuse in a browser with this sentence. */
const desktopOnly = (what: string): Error =>
  new Error(`${what} is only available in the desktop app; browser mode does without it.`);

function checked<K extends BridgeMethod>(method: K, args: unknown[]): Parameters<GpowBridge[K]> {
  const parsed = parseArguments(method, args);
  if (!parsed.ok) throw new Error(`GPoW refused the ${method} request: ${parsed.message}.`);
  return parsed.args;
}

/** Runs `work` so that a throw becomes a rejection, as a Promise-returning method should. */
const settle = <T>(work: () => T): Promise<T> => new Promise((resolve) => resolve(work()));

function readJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function createBrowserBridge(options: BrowserBridgeOptions): GpowBridge {
  const { storage } = options;
  // Every keystore method acts on the current identity's keystore (browserIdentities.ts).
  const identities = createBrowserIdentities({
    storage,
    random: options.random,
    ...(options.scryptN === undefined ? {} : { scryptN: options.scryptN }),
    lock: () => options.vault?.lock?.(),
  });

  /**
   * Rewrites a version-1 keystore as the current version (with its integrity hash) once it has
   * opened, with the same scrypt cost. Only if nobody replaced it meanwhile; a failure leaves
   * the old one, which still opens.
   */
  const upgradeKeystore = async (
    old: unknown,
    payload: KeystorePayload,
    passphrase: string,
  ): Promise<void> => {
    const before = storage.getItem(identities.keystoreKey());
    const N = (old as { kdf?: { N?: unknown } }).kdf?.N;
    const upgraded = await encryptKeystore(
      payload,
      passphrase,
      options.random,
      typeof N === 'number' ? { N } : {},
    ).catch(() => null);
    if (upgraded !== null && storage.getItem(identities.keystoreKey()) === before) {
      storage.setItem(identities.keystoreKey(), JSON.stringify(upgraded));
    }
  };

  return {
    appInfo: (...args: unknown[]) =>
      settle(() => {
        checked('appInfo', args);
        return { name: 'GPoW', version: options.version, platform: 'web' };
      }),

    keystoreStatus: (...args: unknown[]) =>
      settle((): KeystoreStatus => {
        checked('keystoreStatus', args);
        const text = storage.getItem(identities.keystoreKey());
        if (text === null) return { exists: false };
        const json = readJson(text);
        const field =
          typeof json === 'object' && json !== null && 'address' in json ? json.address : undefined;
        const parsed = parseAddress(field);
        return parsed.ok ? { exists: true, address: parsed.address } : { exists: true };
      }),

    createKeystore: async (...args: unknown[]) => {
      const [input] = checked('createKeystore', args);
      const phrase = validateMnemonic(input.mnemonic);
      if (!phrase.ok) throw new Error(`That recovery phrase cannot be used: ${phrase.error}.`);
      const replace = input.replace === true;
      if (!replace && storage.getItem(identities.keystoreKey()) !== null) {
        throw new Error(
          'A keystore already exists in this browser; it was left as it is. ' +
            'Unlock it, or clear this site’s storage first to create a new one.',
        );
      }
      const keystore = await encryptKeystore(
        { kind: 'mnemonic', mnemonic: phrase.mnemonic },
        input.passphrase,
        options.random,
        options.scryptN === undefined ? {} : { N: options.scryptN },
      );
      // Checked again after the slow key derivation: another tab may have been quicker.
      if (!replace && storage.getItem(identities.keystoreKey()) !== null) {
        throw new Error('A keystore was created in another tab meanwhile; it was left as it is.');
      }
      storage.setItem(identities.keystoreKey(), JSON.stringify(keystore));
      return { address: keystore.address };
    },

    listIdentities: (...args: unknown[]) =>
      settle(() => {
        checked('listIdentities', args);
        return identities.list();
      }),
    addIdentity: async (...args: unknown[]) => {
      const [input] = checked('addIdentity', args);
      return identities.add(input);
    },
    useIdentity: (...args: unknown[]) =>
      settle(() => {
        const [input] = checked('useIdentity', args);
        identities.use(input.slot);
      }),
    renameIdentity: (...args: unknown[]) =>
      settle(() => {
        const [input] = checked('renameIdentity', args);
        identities.rename(input.slot, input.name);
      }),
    removeIdentity: (...args: unknown[]) =>
      settle(() => {
        const [input] = checked('removeIdentity', args);
        return identities.remove(input.slot);
      }),

    // Browser mode's device keys are made by the in-page vault (renderer/bridge/inPageVault.ts).
    createDeviceKeystore: (...args: unknown[]) =>
      settle(() => {
        checked('createDeviceKeystore', args);
        throw desktopOnly('Making a device key through the bridge');
      }),

    unlockKeystore: async (...args: unknown[]) => {
      const [input] = checked('unlockKeystore', args);
      const text = storage.getItem(identities.keystoreKey());
      if (text === null) {
        return { ok: false, code: 'not-found', message: 'there is no keystore in this browser' };
      }
      const json = readJson(text);
      if (json === undefined) {
        return {
          ok: false,
          code: 'invalid-json',
          message: 'the keystore saved in this browser is not valid JSON',
        };
      }
      const result = await decryptKeystore(json, input.passphrase);
      if (!result.ok) return { ok: false, code: result.code, message: result.message };
      const { payload } = result;
      if (result.outdated === true) await upgradeKeystore(json, payload, input.passphrase);
      if (options.vault !== undefined) {
        const identity =
          payload.kind === 'mnemonic'
            ? identityFromMnemonic(payload.mnemonic)
            : identityFromSecret(payload.secretKey);
        options.vault.hold(identity.secretKey);
        identity.secretKey.fill(0);
      }
      // The vault keeps its own copy; wipe what can be wiped rather than keep it around.
      if (payload.kind === 'secret-key') payload.secretKey.fill(0);
      return { ok: true, address: result.address };
    },

    // A browser tab is not opened by gpow: links.
    pendingDeepLink: (...args: unknown[]) =>
      settle(() => {
        checked('pendingDeepLink', args);
        return null;
      }),

    // Browser mode signs in the page, with the in-page vault (window.gpowWeb), never here.
    signTransaction: (...args: unknown[]) => {
      checked('signTransaction', args);
      throw desktopOnly('Signing through the bridge');
    },
    // Likewise key boxes open in the page, in the in-page vault.
    openSskBox: (...args: unknown[]) => {
      checked('openSskBox', args);
      throw desktopOnly('Opening key boxes through the bridge');
    },
    // And device certificates and revocations are signed in the page too.
    signIdentityMessage: (...args: unknown[]) => {
      checked('signIdentityMessage', args);
      throw desktopOnly('Signing for the identity through the bridge');
    },
    // And VRF proofs are made in the page, with the key that signs there.
    proveVrf: (...args: unknown[]) => {
      checked('proveVrf', args);
      throw desktopOnly('Proving with the key through the bridge');
    },

    lock: (...args: unknown[]) =>
      settle(() => {
        checked('lock', args);
        options.vault?.lock?.();
      }),

    // Nothing is remembered in a browser: web storage offers no protection for a secret.
    unlockRemembered: (...args: unknown[]) =>
      settle(() => {
        checked('unlockRemembered', args);
        return {
          ok: false as const,
          code: 'not-found' as const,
          message: 'browser mode never remembers the passphrase',
        };
      }),

    forgetRememberedUnlock: (...args: unknown[]) =>
      settle(() => {
        checked('forgetRememberedUnlock', args);
      }),

    secureStorageStatus: (...args: unknown[]) =>
      settle(() => {
        checked('secureStorageStatus', args);
        return { available: false, backend: 'none', weak: true, remembered: false };
      }),

    // Browser mode keeps its ledger in IndexedDB (renderer/storage/indexedDbLogStore.ts).
    openLedgerLog: (...args: unknown[]) =>
      settle(() => {
        checked('openLedgerLog', args);
        throw desktopOnly('The file ledger log');
      }),
    appendLedgerLog: (...args: unknown[]) =>
      settle(() => {
        checked('appendLedgerLog', args);
        throw desktopOnly('The file ledger log');
      }),
    startLedgerLogRead: (...args: unknown[]) =>
      settle(() => {
        checked('startLedgerLogRead', args);
        throw desktopOnly('The file ledger log');
      }),
    readLedgerLogChunk: (...args: unknown[]) =>
      settle(() => {
        checked('readLedgerLogChunk', args);
        throw desktopOnly('The file ledger log');
      }),
    putLedgerMeta: (...args: unknown[]) =>
      settle(() => {
        checked('putLedgerMeta', args);
        throw desktopOnly('The file ledger log');
      }),
    getLedgerMeta: (...args: unknown[]) =>
      settle(() => {
        checked('getLedgerMeta', args);
        throw desktopOnly('The file ledger log');
      }),
    closeLedgerLog: (...args: unknown[]) =>
      settle(() => {
        checked('closeLedgerLog', args);
        throw desktopOnly('The file ledger log');
      }),
    startLedgerLogRewrite: (...args: unknown[]) =>
      settle(() => {
        checked('startLedgerLogRewrite', args);
        throw desktopOnly('The file ledger log');
      }),
    writeLedgerLogRewrite: (...args: unknown[]) =>
      settle(() => {
        checked('writeLedgerLogRewrite', args);
        throw desktopOnly('The file ledger log');
      }),
    commitLedgerLogRewrite: (...args: unknown[]) =>
      settle(() => {
        checked('commitLedgerLogRewrite', args);
        throw desktopOnly('The file ledger log');
      }),

    // A page cannot listen on a port: browser mode uses the relays in its settings.
    startNetworkServices: (...args: unknown[]) =>
      settle(() => {
        checked('startNetworkServices', args);
        throw desktopOnly('A built-in signaling relay');
      }),
    networkServices: (...args: unknown[]) =>
      settle(() => {
        checked('networkServices', args);
        return { running: false, relay: null, lan: false, lanRelays: [] };
      }),
    stopNetworkServices: (...args: unknown[]) =>
      settle(() => {
        checked('stopNetworkServices', args);
      }),
    // No CSP of ours in browser mode: every relay is reachable without a reload.
    setAllowedRelays: (...args: unknown[]) =>
      settle(() => {
        checked('setAllowedRelays', args);
        return { reloadRequired: false };
      }),

    notify: (...args: unknown[]) =>
      settle(() => {
        checked('notify', args);
        return { shown: false };
      }),
  };
}
