// What the runtime signs with. The secret key never reaches the runtime or the UI: a signer
// takes an unsigned transaction and returns its signed bytes. In browser mode the in-page
// vault (renderer/bridge/inPageVault.ts) is the signer; the desktop app will route the same
// call through the bridge to the main process.
import type { KeyHex } from '../../shared/ids.ts';
import type { UnsignedTx } from '../../shared/tx/envelope.ts';

export interface TxSigner {
  /** The identity that signs, as the ledger names it. */
  readonly key: KeyHex;
  /** Signs and encodes one transaction. Throws once the signer is locked. */
  sign(unsigned: UnsignedTx): Uint8Array;
}

/** Where the app finds the signer of the identity that was just unlocked, if the platform has one. */
export interface SignerSource {
  /** The signer for the unlocked identity, or null when it is locked or cannot sign here. */
  signer(): TxSigner | null;
  /** Forgets the key. */
  lock(): void;
}
