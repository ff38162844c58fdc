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

// A network has a few hundred keys and many thousand transactions naming them (authors, payees,
// providers). Interning keeps one string per key instead of one per mention. Interned strings
// equal fresh ones, so only memory changes; the table is bounded and starts over when full.
const internedKeys = new Map<string, KeyHex>();
const MAX_INTERNED_KEYS = 4096;

export function keyHexOf(publicKey: Uint8Array): KeyHex {
  const hex = toHex(publicKey);
  const known = internedKeys.get(hex);
  if (known !== undefined) return known;
  if (internedKeys.size >= MAX_INTERNED_KEYS) internedKeys.clear();
  internedKeys.set(hex, hex as KeyHex);
  return hex as KeyHex;
}

const internedKeyBytes = new Map<KeyHex, { readonly hex: KeyHex; readonly key: Uint8Array }>();

/**
 * A public key's interned hex and bytes: one shared copy per key for the authors and payees of
 * many transactions. The bytes are shared, so they must never be written to.
 */
export function internKey(key: Uint8Array): { readonly hex: KeyHex; readonly key: Uint8Array } {
  const hex = keyHexOf(key);
  const known = internedKeyBytes.get(hex);
  if (known) return known;
  if (internedKeyBytes.size >= MAX_INTERNED_KEYS) internedKeyBytes.clear();
  const entry = { hex, key: Uint8Array.from(key) };
  internedKeyBytes.set(hex, entry);
  return entry;
}
