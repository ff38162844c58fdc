// The protocol's composition root: the transaction types a GPoW network knows. The registry
// (tx/registry.ts) and the ledger (ledger/) are the lower layers and name no type of their own
// beyond genesis and vote; each feature defines its types beside its rules (transfer in tx/,
// SSK in ssk/rules.ts, DNEC in dnec/rules.ts). Only here are they put together, so that no
// lower layer imports a higher one. Every peer, signer and test that expects the whole protocol
// builds its registry here; docs/engine.md ("Layers inside shared/") has the order.
import { DNEC_TYPES } from './dnec/rules.ts';
import { profileType } from './identity/profile.ts';
import { sskType } from './ssk/rules.ts';
import { refoundType } from './net/refound.ts';
import { roomKeyType } from './ssk/roomKey.ts';
import { TypeRegistry } from './tx/registry.ts';
import { transferType } from './tx/transfer.ts';
import type { TxTypeDef } from './tx/types.ts';

/** Every transaction type of the protocol beyond genesis and vote, in registration order. */
export const PROTOCOL_TYPES: readonly TxTypeDef[] = [
  transferType,
  sskType,
  ...DNEC_TYPES,
  profileType,
  refoundType,
  roomKeyType,
];

/** A registry of the whole protocol. A new one each call: a registry can be added to. */
export function protocolRegistry(): TypeRegistry {
  return new TypeRegistry(PROTOCOL_TYPES);
}
