// The ledger core as the renderer runs it: the shared transaction types, and signature checks
// on WebCrypto (crypto.subtle Ed25519, under the shared strict rule set).
import { createVerifier } from '../../shared/crypto/ed25519.ts';
import type { Admit } from '../../shared/replication/ledgerDoc.ts';
import { admitTx, TypeRegistry } from '../../shared/tx/registry.ts';
import { webCryptoBackend } from '../platform/webCryptoEd25519.ts';

export const registry = new TypeRegistry();
export const verifier = createVerifier(webCryptoBackend);

/** The full intake check of untrusted bytes: canonical decoding, body schema and signature. */
export const admit: Admit = (bytes) => admitTx(bytes, registry, verifier);
