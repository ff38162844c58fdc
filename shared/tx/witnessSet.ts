// witness-set: a proposed change of the witnesses (docs/protocol.md §13).
//
// Like device-revoke, it is the one transaction of a one-time key (seq 0), authorised inside its
// body by a current witness (`by`, `sig`). So a proposal the other witnesses never back holds up
// nobody's chain: backing it means naming its one-time chain in a vote, and not backing it means
// leaving that chain out. It takes effect when a quorum of the current witnesses has backed it.
import * as v from 'valibot';
import { fromHex, utf8 } from '../bytes.ts';
import { encodeCanonical, type CborValue } from '../codec/cbor.ts';
import type { InnerSignature } from './device.ts';
import type { Tx } from './envelope.ts';
import { MAX_WITNESSES } from './genesis.ts';
import { bytes32, bytesOf, publicKey32, sortedUnique } from './schema.ts';

export const WITNESS_SET_TYPE = 'witness-set';
export const WITNESS_SET_DOMAIN = utf8('GPoW/witness-set/v1\n');

/** At most this many identities admitted or removed by one change. */
export const MAX_MEMBER_CHANGES = 256;

function memberList(what: string) {
  return v.pipe(
    v.array(bytes32),
    v.maxLength(MAX_MEMBER_CHANGES, `${what}: at most ${MAX_MEMBER_CHANGES} identities per change`),
    v.check((list) => sortedUnique(list), `${what}: identities must be sorted and unique`),
  );
}

export const witnessSetSchema = v.strictObject({
  /** The epoch this change opens: one above the epoch it was proposed in. */
  epoch: v.pipe(
    v.number('expected an epoch number'),
    v.safeInteger('expected an epoch number'),
    v.minValue(1, 'a change opens epoch 1 or later'),
  ),
  /** The whole new witness set, sorted and unique. */
  witnesses: v.pipe(
    v.array(bytes32),
    v.minLength(1, 'at least one witness is required'),
    v.maxLength(MAX_WITNESSES, `at most ${MAX_WITNESSES} witnesses`),
    v.check((list) => sortedUnique(list), 'witnesses must be sorted and unique'),
  ),
  /** The current witness who proposes it. */
  by: publicKey32,
  /** Identities admitted and removed (§13.7); absent when the change touches only witnesses. */
  admit: v.optional(memberList('admit')),
  remove: v.optional(memberList('remove')),
  /** Closes an open network: from then on only members sign. */
  close: v.optional(v.literal(true, 'close is true or absent')),
  sig: bytesOf(64),
});

export type WitnessSetBody = v.InferOutput<typeof witnessSetSchema>;

/**
 * What the proposing witness signs. It names the proposal's own author key, so the signature
 * cannot be put under another one-time key to make a second, competing proposal.
 */
export function witnessSetMessage(fields: {
  readonly net: Uint8Array;
  readonly author: Uint8Array;
  readonly epoch: number;
  readonly witnesses: readonly Uint8Array[];
  readonly admit?: readonly Uint8Array[];
  readonly remove?: readonly Uint8Array[];
  readonly close?: boolean;
}): Uint8Array {
  const map: Record<string, CborValue> = {
    net: fields.net,
    author: fields.author,
    epoch: fields.epoch,
    witnesses: [...fields.witnesses],
  };
  // Absent fields are not signed, so a change of witnesses alone signs what it always did.
  if (fields.admit && fields.admit.length > 0) map.admit = [...fields.admit];
  if (fields.remove && fields.remove.length > 0) map.remove = [...fields.remove];
  if (fields.close) map.close = true;
  const encoded = encodeCanonical(map);
  const out = new Uint8Array(WITNESS_SET_DOMAIN.length + encoded.length);
  out.set(WITNESS_SET_DOMAIN, 0);
  out.set(encoded, WITNESS_SET_DOMAIN.length);
  return out;
}

/** The proposing witness's signature, for admission to check with the envelope's. */
export function witnessSetSignature(tx: Tx): InnerSignature | null {
  if (tx.type !== WITNESS_SET_TYPE || tx.net === null) return null;
  const body = tx.body as WitnessSetBody;
  return {
    signature: body.sig,
    publicKey: body.by,
    message: witnessSetMessage({
      net: fromHex(tx.net),
      author: tx.authorKey,
      epoch: body.epoch,
      witnesses: body.witnesses,
      ...(body.admit ? { admit: body.admit } : {}),
      ...(body.remove ? { remove: body.remove } : {}),
      ...(body.close ? { close: true } : {}),
    }),
  };
}
