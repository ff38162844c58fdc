// The desktop app's identity: the keystore file, the unlocked key and signing, all in the main
// process. The renderer gets addresses, status and signed transactions; the key itself never
// crosses the bridge. lock() overwrites it.
//
// Signing is deliberately narrow: main signs only a sign request that decodes strictly
// (signRequest.ts) into a well-formed transaction of a known type,
// so the key cannot be used to sign arbitrary bytes for some other protocol.
//
// It also opens SSK key boxes sealed to this identity (openSskBox), which takes the same secret.
// The recipient is always the unlocked identity; what comes back is the pair's key, which the
// renderer needs to encrypt that pair's traffic.
import type {
  CreateKeystoreInput,
  KeystoreStatus,
  OpenSskBoxInput,
  OpenSskBoxResult,
  UnlockKeystoreInput,
  UnlockKeystoreResult,
} from '../shared/bridge/contract.ts';
import type { KeystorePayload } from '../shared/identity/keystore.ts';
import { identityFromSecret, type Identity } from '../shared/identity/keys.ts';
import { identityFromMnemonic } from '../shared/identity/mnemonic.ts';
import type { RandomPort } from '../shared/ports.ts';
import { signMessage } from '../shared/crypto/ed25519.ts';
import { vrfProve } from '../shared/crypto/vrf.ts';
import { openKey } from '../shared/ssk/box.ts';
import { signTx } from '../shared/tx/envelope.ts';
import { protocolRegistry } from '../shared/protocol.ts';
import { decodeTx } from '../shared/tx/registry.ts';
import { checkIdentityMessage } from './identityMessage.ts';
import { loadKeystoreFile } from '../node/keystoreFile.ts';
import { createKeystoreService } from '../node/keystoreService.ts';
import type { RememberedUnlock } from './rememberedUnlock.ts';
import { decodeSignRequest } from './signRequest.ts';

export const LOCKED_MESSAGE = 'The identity is locked: unlock it to sign.';

export interface IdentityVaultOptions {
  /** The keystore file, e.g. <userData>/keystore.json. */
  keystorePath: string;
  random: RandomPort;
  /** scrypt cost; the keystore default unless testing. */
  scryptN?: number;
  /** Where a remembered passphrase lives; without it, remembering is refused. */
  remembered?: RememberedUnlock;
  /** Hears about handled failures (a passphrase that could not be remembered, say). */
  onWarning?: (message: string) => void;
  /** The networks the app has open (electron/ledgerLogs.ts): a witness change is signed for these. */
  openNetworks?: () => Iterable<string>;
}

export interface IdentityVault {
  status(): Promise<KeystoreStatus>;
  create(input: CreateKeystoreInput): Promise<{ address: string }>;
  /** Makes and saves a fresh device key (§12), and holds it unlocked. */
  createDevice(input: { passphrase: string }): Promise<{ address: string }>;
  unlock(input: UnlockKeystoreInput): Promise<UnlockKeystoreResult>;
  unlockRemembered(): Promise<UnlockKeystoreResult>;
  forgetRemembered(): Promise<void>;
  /** The address of the unlocked identity, or null while locked. */
  unlockedAddress(): string | null;
  /** Signs a sign request (encodeSignRequest's bytes) and returns the wire bytes. */
  sign(request: Uint8Array): Uint8Array;
  /** Opens an SSK key box sealed to the unlocked identity; { ok: false } while locked. */
  openSskBox(input: OpenSskBoxInput): OpenSskBoxResult;
  /** Signs a device certificate or revocation of the unlocked identity (identityMessage.ts). */
  signIdentityMessage(message: Uint8Array): Uint8Array;
  /** The VRF proof of `alpha` with the key that signs transactions (shared/crypto/vrf.ts). */
  proveVrf(alpha: Uint8Array): Uint8Array;
  /** Overwrites and forgets the unlocked key. */
  lock(): void;
}

function identityOf(payload: KeystorePayload): Identity {
  if (payload.kind === 'mnemonic') return identityFromMnemonic(payload.mnemonic);
  const identity = identityFromSecret(payload.secretKey);
  payload.secretKey.fill(0); // identityFromSecret copied it
  return identity;
}

export function createIdentityVault(options: IdentityVaultOptions): IdentityVault {
  const warn = options.onWarning ?? ((message: string) => console.warn(message));
  // Status and creation are the shared Node service's; unlocking is done here, so that the
  // unlocked identity is ours to sign with.
  const keystore = createKeystoreService({
    path: options.keystorePath,
    random: options.random,
    ...(options.scryptN === undefined ? {} : { scryptN: options.scryptN }),
  });
  const registry = protocolRegistry();
  let unlocked: { identity: Identity; address: string } | null = null;

  const lock = (): void => {
    unlocked?.identity.secretKey.fill(0);
    unlocked = null;
  };

  const open = async (passphrase: string): Promise<UnlockKeystoreResult> => {
    // A version-1 keystore is rewritten as version 2 (with its integrity hash) once it opens.
    const result = await loadKeystoreFile(options.keystorePath, passphrase, {
      upgradeWith: options.random,
    });
    if (!result.ok) return { ok: false, code: result.code, message: result.message };
    if (result.upgradeError !== undefined) warn(result.upgradeError);
    lock();
    unlocked = { identity: identityOf(result.payload), address: result.address };
    return { ok: true, address: result.address };
  };

  return {
    status: () => keystore.status(),
    async create(input) {
      const made = await keystore.create(input);
      if (input.replace === true) {
        // The key held and the passphrase remembered belonged to the keystore just replaced.
        lock();
        await options.remembered?.forget();
      }
      return made;
    },

    async createDevice(input) {
      const made = await keystore.createDevice(input);
      const opened = await open(input.passphrase);
      if (!opened.ok) throw new Error(opened.message);
      return made;
    },

    async unlock(input) {
      const result = await open(input.passphrase);
      if (!result.ok || input.remember === undefined) return result;
      if (!input.remember) {
        await options.remembered?.forget();
        return { ...result, remembered: false };
      }
      if (options.remembered === undefined) return { ...result, remembered: false };
      try {
        const outcome = await options.remembered.remember(input.passphrase);
        if (!outcome.ok) warn(`The passphrase was not remembered: ${outcome.reason}.`);
        return { ...result, remembered: outcome.ok };
      } catch (error) {
        // The keystore is open either way; only the convenience failed.
        warn(
          `The passphrase could not be remembered: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        return { ...result, remembered: false };
      }
    },

    async unlockRemembered() {
      const passphrase = await options.remembered?.recall();
      if (passphrase === undefined || passphrase === null) {
        return {
          ok: false,
          code: 'not-found',
          message: 'no passphrase is remembered on this computer',
        };
      }
      const result = await open(passphrase);
      // The keystore was replaced or its passphrase changed: the remembered one is useless now.
      if (!result.ok && result.code === 'wrong-passphrase') await options.remembered?.forget();
      return result;
    },

    forgetRemembered: async () => {
      await options.remembered?.forget();
    },

    unlockedAddress: () => unlocked?.address ?? null,

    sign(request) {
      const current = unlocked;
      if (current === null) throw new Error(LOCKED_MESSAGE);
      const parsed = decodeSignRequest(request);
      if (!parsed.ok) throw new Error(`GPoW will not sign this: ${parsed.message}.`);
      const wire = signTx(current.identity.secretKey, parsed.unsigned);
      // Only a transaction every peer would decode is signed and handed back.
      const check = decodeTx(wire, registry);
      if (!check.ok) throw new Error(`GPoW will not sign this: ${check.rejection.message}.`);
      return wire;
    },

    signIdentityMessage(message) {
      const current = unlocked;
      if (current === null) throw new Error(LOCKED_MESSAGE);
      const check = checkIdentityMessage(
        message,
        current.identity.publicKey,
        options.openNetworks ? { openNetworks: options.openNetworks } : {},
      );
      if (!check.ok) throw new Error(`GPoW will not sign this: ${check.message}.`);
      return signMessage(current.identity.secretKey, message);
    },

    proveVrf(alpha) {
      const current = unlocked;
      if (current === null) throw new Error(LOCKED_MESSAGE);
      // The key sign() uses: a VRF output is the signer's, under the key its chain is known by.
      return vrfProve(current.identity.secretKey, alpha);
    },

    openSskBox(input) {
      const current = unlocked;
      if (current === null) return { ok: false, error: LOCKED_MESSAGE };
      return openKey(input.box, current.identity.secretKey, {
        network: input.network,
        sender: input.sender,
        recipient: current.identity.publicKey,
        epoch: input.epoch,
      });
    },

    lock,
  };
}
