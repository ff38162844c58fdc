// ssk: sharing a Sustainable Symmetric Key (whitepaper §1.1). A shares a fresh 32-byte key K_S
// with B once, on the ledger: `box` holds K_S and its metadata sealed to B's X25519 key, and
// `self` the same sealed to A's own key, so A can recover K_S from its backup words alone.
// After that, A and B secure their traffic with K_S without any handshake. A later share (a
// higher epoch) resets the key; a revoke retires an epoch for new messages.
//
// Validators cannot open the boxes; they check the structure and that the recipient is a key
// that can receive (see docs/protocol.md, "Sustainable Symmetric Keys").
import * as v from 'valibot';
import { bytesEqual } from '../bytes.ts';
import { isAcceptablePublicKey } from '../crypto/ed25519.ts';
import { SSK_BOX_MAX_BYTES, SSK_MAX_EPOCH } from './box.ts';
import { reject } from '../tx/rejection.ts';
import { bytes32, maxBytes } from '../tx/schema.ts';
import { NO_EFFECTS, type TxTypeDef } from '../tx/types.ts';

export const MAX_SSK_BOX_BYTES = SSK_BOX_MAX_BYTES;

const epoch = v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(SSK_MAX_EPOCH));

export const sskSchema = v.variant('action', [
  v.strictObject({
    action: v.literal('share'),
    to: bytes32,
    epoch,
    box: maxBytes(MAX_SSK_BOX_BYTES),
    self: maxBytes(MAX_SSK_BOX_BYTES),
  }),
  v.strictObject({ action: v.literal('revoke'), to: bytes32, epoch }),
]);

export type SskBody = v.InferOutput<typeof sskSchema>;

export const sskType: TxTypeDef<SskBody> = {
  name: 'ssk',
  schema: sskSchema,
  effects(tx) {
    if (bytesEqual(tx.body.to, tx.authorKey))
      return reject('invalid-body', 'a key is shared with someone else');
    if (!isAcceptablePublicKey(tx.body.to)) {
      return reject(
        'invalid-body',
        'the recipient is not a public key that can receive an encrypted key',
      );
    }
    if (tx.body.action === 'share' && (tx.body.box.length < 64 || tx.body.self.length < 64)) {
      return reject('invalid-body', 'the sealed boxes are too short to hold a key');
    }
    return NO_EFFECTS;
  },
};
