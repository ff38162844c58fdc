// transfer: pays `amount` minor units from the author to `to`. The memo is opaque bytes; it is
// where an SSK-sealed note goes, so the ledger never needs to read it.
import * as v from 'valibot';
import { bytesEqual } from '../bytes.ts';
import { keyHexOf } from '../ids.ts';
import { reject } from './rejection.ts';
import { maxBytes, positiveAmount, publicKey32, U64_MAX } from './schema.ts';
import type { TxTypeDef } from './types.ts';

export const MAX_MEMO_BYTES = 1024;

export const transferSchema = v.strictObject({
  to: publicKey32,
  amount: v.pipe(
    positiveAmount,
    v.check((n) => n <= U64_MAX >> 1n, 'amount out of range'),
  ),
  memo: v.optional(maxBytes(MAX_MEMO_BYTES)),
});

export type TransferBody = v.InferOutput<typeof transferSchema>;

export const transferType: TxTypeDef<TransferBody> = {
  name: 'transfer',
  schema: transferSchema,
  effects(tx) {
    if (bytesEqual(tx.body.to, tx.authorKey))
      return reject('invalid-body', 'a transfer to yourself does nothing');
    return {
      debit: tx.body.amount,
      credits: [{ to: keyHexOf(tx.body.to), amount: tx.body.amount }],
    };
  },
};
