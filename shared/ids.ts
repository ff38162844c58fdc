// Branded identifiers. A TxId and a KeyHex are both 64 hex characters; the brand stops one
// from being passed where the other is meant.
import { toHex } from './bytes.ts';

/** sha256 of a transaction's signed bytes, lowercase hex. */
export type TxId = string & { readonly __brand: 'TxId' };
/** An Ed25519 public key (an account, an author, a witness), lowercase hex. */
export type KeyHex = string & { readonly __brand: 'KeyHex' };
/** A network is named by the id of its genesis transaction. */
export type NetworkId = TxId;

export const txIdOf = (hash: Uint8Array): TxId => toHex(hash) as TxId;
export const keyHexOf = (publicKey: Uint8Array): KeyHex => toHex(publicKey) as KeyHex;
