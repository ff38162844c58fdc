// Browser mode's key holder. The browser bridge decrypts the keystore in the page (there is no
// other process to keep it in), hands the secret key to this vault, and the vault signs for the
// runtime. The key is never returned to anyone, and lock() wipes it.
//
// The key is the identity's own (it holds the words: it also certifies devices and authorises
// revocations), or a device's (docs/protocol.md §12): a key the vault made itself when this
// profile was paired from a link, which signs the device's chain only.
//
// This is why browser mode is for trying GPoW, not for real funds: anything running in the
// page could reach the vault. The desktop app keeps the key in the main process instead.
import { publicKeyOf, signMessage } from '../../shared/crypto/ed25519.ts';
import { vrfProve } from '../../shared/crypto/vrf.ts';
import { encryptKeystore } from '../../shared/identity/keystore.ts';
import { keyHexOf, type KeyHex } from '../../shared/ids.ts';
import type { RandomPort } from '../../shared/ports.ts';
import { openKey, type BoxContext, type OpenKeyResult } from '../../shared/ssk/box.ts';
import { pairingProof } from '../../engine/devices.ts';
import { keySigner } from '../../engine/keySigner.ts';
import { webRandom } from '../platform/webRandom.ts';
import type { DeviceKeyHolder, SignerSource, SskOpener, TxSigner } from '../runtime/signer.ts';
import { BROWSER_KEYSTORE_KEY } from './browserBridge.ts';

const LOCKED = 'The identity is locked: unlock it to sign.';
const EXISTS =
  'A keystore already exists in this browser; it was left as it is. Pair into a fresh browser profile.';

export interface InPageVaultOptions {
  /** Where device keys come from; the browser's CSPRNG unless testing. */
  readonly random?: RandomPort;
  /** scrypt cost for a device key's keystore; the keystore default unless testing. */
  readonly scryptN?: number;
}

export class InPageVault implements SignerSource {
  #secretKey: Uint8Array | null = null;
  #signer: (TxSigner & SskOpener) | null = null;
  readonly #random: RandomPort;
  readonly #scryptN: number | undefined;

  constructor(options: InPageVaultOptions = {}) {
    this.#random = options.random ?? webRandom;
    this.#scryptN = options.scryptN;
  }

  /**
   * Takes a copy of the secret key that was just unlocked. `identity` as in engine/keySigner.ts:
   * 'self' when it is the identity's own key, null for a device paired without the words.
   */
  hold(secretKey: Uint8Array, identity: 'self' | null = 'self'): void {
    this.lock();
    const key = Uint8Array.from(secretKey);
    this.#secretKey = key;
    const inner = keySigner(key, identity);
    // A signer handed out before lock() must not keep working after it.
    const live = (): void => {
      if (this.#secretKey !== key) throw new Error(LOCKED);
    };
    const ownIdentity = inner.identity;
    this.#signer = {
      key: inner.key,
      sign: (unsigned) => {
        live();
        return inner.sign(unsigned);
      },
      // SSK key boxes sealed to this key open with its secret, here, like signing.
      openSskBox: (box: Uint8Array, ctx: BoxContext): OpenKeyResult => {
        if (this.#secretKey !== key) return { ok: false, error: LOCKED };
        return openKey(box, key, ctx);
      },
      signMessage: (message) => {
        live();
        return signMessage(key, message);
      },
      proveVrf: (alpha) => {
        live();
        return vrfProve(key, alpha);
      },
      ...(ownIdentity
        ? {
            identity: {
              key: ownIdentity.key,
              signMessage: (message: Uint8Array) => {
                live();
                return ownIdentity.signMessage(message);
              },
            },
          }
        : {}),
    };
  }

  signer(): TxSigner | null {
    return this.#signer;
  }

  lock(): void {
    this.#secretKey?.fill(0);
    this.#secretKey = null;
    this.#signer = null;
  }

  readonly devices: DeviceKeyHolder = {
    createDeviceKey: async ({ networkId, pairingSecret, passphrase, storage }) => {
      if (storage.getItem(BROWSER_KEYSTORE_KEY) !== null) throw new Error(EXISTS);
      const secret = this.#random.bytes(32);
      try {
        const key = keyHexOf(publicKeyOf(secret));
        const { proof } = pairingProof(networkId, pairingSecret, key);
        const keystore = await encryptKeystore(
          { kind: 'secret-key', secretKey: secret },
          passphrase,
          this.#random,
          this.#scryptN === undefined ? {} : { N: this.#scryptN },
        );
        // Checked again after the slow key derivation: another tab may have been quicker.
        if (storage.getItem(BROWSER_KEYSTORE_KEY) !== null) throw new Error(EXISTS);
        storage.setItem(BROWSER_KEYSTORE_KEY, JSON.stringify(keystore));
        this.hold(secret, null);
        return { address: keystore.address, key, proof };
      } finally {
        secret.fill(0);
      }
    },

    holdAsDevice: (key: KeyHex): boolean => {
      const held = this.#secretKey;
      if (held === null || this.#signer?.key !== key) return false;
      if (this.#signer.identity === undefined) return true;
      const copy = Uint8Array.from(held);
      this.hold(copy, null);
      copy.fill(0);
      return true;
    },
  };
}
