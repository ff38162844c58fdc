// Browser mode's key holder. The browser bridge decrypts the keystore in the page (there is no
// other process to keep it in), hands the identity's secret key to this vault, and the vault
// signs for the runtime. The key is never returned to anyone, and lock() wipes it.
//
// This is why browser mode is for trying GPoW, not for real funds: anything running in the
// page could reach the vault. The desktop app keeps the key in the main process instead.
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { openKey, type BoxContext, type OpenKeyResult } from '../../shared/ssk/box.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import type { SignerSource, SskOpener, TxSigner } from '../runtime/signer.ts';

const LOCKED = 'The identity is locked: unlock it to sign.';

export class InPageVault implements SignerSource {
  #secretKey: Uint8Array | null = null;
  #signer: (TxSigner & SskOpener) | null = null;

  /** Takes a copy of the secret key of the identity that was just unlocked. */
  hold(secretKey: Uint8Array): void {
    this.lock();
    const key = Uint8Array.from(secretKey);
    this.#secretKey = key;
    this.#signer = {
      key: keyHexOf(publicKeyOf(key)),
      sign: (unsigned: UnsignedTx): Uint8Array => {
        // A signer handed out before lock() must not keep working after it.
        if (this.#secretKey !== key) throw new Error(LOCKED);
        return signTx(key, unsigned);
      },
      // SSK key boxes sealed to this identity open with its secret, here, like signing.
      openSskBox: (box: Uint8Array, ctx: BoxContext): OpenKeyResult => {
        if (this.#secretKey !== key) return { ok: false, error: LOCKED };
        return openKey(box, key, ctx);
      },
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
}
