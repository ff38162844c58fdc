// Browser mode's key holder. The browser bridge decrypts the keystore in the page (there is no
// other process to keep it in), hands the identity's secret key to this vault, and the vault
// signs for the runtime. The key is never returned to anyone, and lock() wipes it.
//
// This is why browser mode is for trying GPoW, not for real funds: anything running in the
// page could reach the vault. The desktop app keeps the key in the main process instead.
import { publicKeyOf } from '../../shared/crypto/ed25519.ts';
import { keyHexOf } from '../../shared/ids.ts';
import { signTx, type UnsignedTx } from '../../shared/tx/envelope.ts';
import type { SignerSource, TxSigner } from '../runtime/signer.ts';

export class InPageVault implements SignerSource {
  #secretKey: Uint8Array | null = null;
  #signer: TxSigner | null = null;

  /** Takes a copy of the secret key of the identity that was just unlocked. */
  hold(secretKey: Uint8Array): void {
    this.lock();
    const key = Uint8Array.from(secretKey);
    this.#secretKey = key;
    this.#signer = {
      key: keyHexOf(publicKeyOf(key)),
      sign: (unsigned: UnsignedTx): Uint8Array => {
        // A signer handed out before lock() must not keep working after it.
        if (this.#secretKey !== key) throw new Error('The identity is locked: unlock it to sign.');
        return signTx(key, unsigned);
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
