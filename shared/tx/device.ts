// device and device-revoke: one identity on several devices (docs/protocol.md §12).
//
// A device signs on a chain of its own, under a device key that the identity certified, so two
// devices of one identity never sign at the same chain position and can never equivocate by
// accident. Each device chain spends only what it holds (a spending allowance topped up by the
// identity's chain), which needs no agreement between devices: the CRDT "bounded counter"
// escrow, with device chains as the replicas.
//
// Both types carry signatures inside their bodies (the identity's certificate, a pairing proof,
// a revocation's authorisation). Admission checks them with the envelope signature, through the
// same verifier, so a VerifiedTx has every one of its signatures checked.
import * as v from 'valibot';
import { fromHex, utf8 } from '../bytes.ts';
import { encodeCanonical, type CborValue } from '../codec/cbor.ts';
import type { Tx } from './envelope.ts';
import { amount, bytes32, bytesOf, publicKey32, uint, U64_MAX } from './schema.ts';

export const DEVICE_TYPE = 'device';
export const REVOKE_TYPE = 'device-revoke';

/** Domains keep these signatures apart from transactions and from each other. */
export const DEVICE_CERT_DOMAIN = utf8('GPoW/device/v1\n');
export const DEVICE_PAIRING_DOMAIN = utf8('GPoW/pairing/v1\n');
export const DEVICE_REVOKE_DOMAIN = utf8('GPoW/revoke/v1\n');

export const MAX_DEVICE_NAME = 64;

const signature64 = bytesOf(64);

const deviceName = v.pipe(
  v.string('expected a device name'),
  v.minLength(1, 'a device needs a name'),
  v.maxLength(MAX_DEVICE_NAME, `a device name has at most ${MAX_DEVICE_NAME} characters`),
);

export const deviceSchema = v.pipe(
  v.strictObject({
    /** The identity this device acts for. */
    account: publicKey32,
    name: deviceName,
    /** What the identity's chain keeps this device topped up to (0: nothing automatic). */
    allowance: v.pipe(
      amount,
      v.check((n) => n <= U64_MAX >> 1n, 'allowance out of range'),
    ),
    /** The identity's signature over certMessage: over the pairing key, or the device key. */
    cert: signature64,
    /** A pairing link's one-time public key; the link holder proves it with `proof`. */
    pairing: v.optional(publicKey32),
    /** The pairing key's signature over pairingMessage (this device's key). */
    proof: v.optional(signature64),
  }),
  v.check(
    (body) => (body.pairing === undefined) === (body.proof === undefined),
    'pairing and proof come together',
  ),
);

export type DeviceBody = v.InferOutput<typeof deviceSchema>;

export const revokeSchema = v.strictObject({
  account: publicKey32,
  /** The chain being closed: a device of the account, or the account's own chain. */
  device: publicKey32,
  /** The closed chain's last transaction that still counts, final; null if it has none. */
  head: v.nullable(v.strictTuple([uint, bytes32])),
  /** Who inherits what the closed chain held: the account or one of its devices. */
  to: publicKey32,
  /** Who authorises the revocation: the account (its words), or one of its devices. */
  by: publicKey32,
  sig: signature64,
});

export type RevokeBody = v.InferOutput<typeof revokeSchema>;

/** What the identity signs to certify a device (or a pairing key that stands for one). */
export function certMessage(fields: {
  readonly net: Uint8Array;
  readonly account: Uint8Array;
  readonly key: Uint8Array;
  readonly name: string;
  readonly allowance: bigint;
}): Uint8Array {
  const map: CborValue = {
    net: fields.net,
    account: fields.account,
    key: fields.key,
    name: fields.name,
    allowance: fields.allowance,
  };
  return concatDomain(DEVICE_CERT_DOMAIN, map);
}

/** What a pairing key signs: the device key that used the link, in this network. */
export function pairingMessage(net: Uint8Array, device: Uint8Array): Uint8Array {
  return concatDomain(DEVICE_PAIRING_DOMAIN, { net, device });
}

/**
 * What `by` signs to revoke a chain. It names the revocation's own author key, so the
 * authorisation cannot be put under another transaction.
 */
export function revokeMessage(fields: {
  readonly net: Uint8Array;
  readonly author: Uint8Array;
  readonly account: Uint8Array;
  readonly device: Uint8Array;
  readonly head: readonly [number, Uint8Array] | null;
  readonly to: Uint8Array;
}): Uint8Array {
  const map: CborValue = {
    net: fields.net,
    author: fields.author,
    account: fields.account,
    device: fields.device,
    head: fields.head === null ? null : [fields.head[0], fields.head[1]],
    to: fields.to,
  };
  return concatDomain(DEVICE_REVOKE_DOMAIN, map);
}

function concatDomain(domain: Uint8Array, map: CborValue): Uint8Array {
  const encoded = encodeCanonical(map);
  const out = new Uint8Array(domain.length + encoded.length);
  out.set(domain, 0);
  out.set(encoded, domain.length);
  return out;
}

export interface InnerSignature {
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * The signatures inside a transaction's body, with what each signs and who must have signed it.
 * Empty for every type but the two device types.
 */
export function innerSignaturesOf(tx: Tx): InnerSignature[] {
  if (tx.net === null) return [];
  const net = fromHex(tx.net);
  if (tx.type === DEVICE_TYPE) {
    const body = tx.body as DeviceBody;
    const key = body.pairing ?? tx.authorKey;
    const cert: InnerSignature = {
      signature: body.cert,
      publicKey: body.account,
      message: certMessage({
        net,
        account: body.account,
        key,
        name: body.name,
        allowance: body.allowance,
      }),
    };
    if (body.pairing === undefined || body.proof === undefined) return [cert];
    return [
      cert,
      {
        signature: body.proof,
        publicKey: body.pairing,
        message: pairingMessage(net, tx.authorKey),
      },
    ];
  }
  if (tx.type === REVOKE_TYPE) {
    const body = tx.body as RevokeBody;
    const head = body.head === null ? null : ([body.head[0], body.head[1]] as const);
    return [
      {
        signature: body.sig,
        publicKey: body.by,
        message: revokeMessage({
          net,
          author: tx.authorKey,
          account: body.account,
          device: body.device,
          head,
          to: body.to,
        }),
      },
    ];
  }
  return [];
}
