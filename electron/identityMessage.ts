// What main signs with the identity's key besides transactions (docs/protocol.md §12, §13): a
// device certificate, a revocation's authorisation, or a proposed change of the witnesses (which
// also admits and removes members, §13.7), and nothing else. The renderer sends the exact
// message; main checks that it is one of these, in its one canonical encoding, before it signs:
// a certificate or revocation must name the unlocked identity as the account, and a change must
// be for a network the app has open now, under a one-time key that is not the identity's own.
// A signed message (docs/keys.md) is the one kind main signs without reading: its domain and a
// digest, which no other kind starts with. So the key still cannot sign arbitrary bytes for
// another protocol, nor a certificate or revocation for another identity, nor a change for a
// network the app is not in.
import * as v from 'valibot';
import { MAX_IDENTITY_MESSAGE_BYTES } from '../shared/bridge/contract.ts';
import { bytesEqual, toHex } from '../shared/bytes.ts';
import { decodeCanonical } from '../shared/codec/cbor.ts';
import { SIGNED_MESSAGE_BYTES, SIGNED_MESSAGE_DOMAIN } from '../shared/identity/signedMessage.ts';
import { DEVICE_CERT_DOMAIN, DEVICE_REVOKE_DOMAIN, MAX_DEVICE_NAME } from '../shared/tx/device.ts';
import { MAX_WITNESSES } from '../shared/tx/genesis.ts';
import { MAX_MEMBER_CHANGES, WITNESS_SET_DOMAIN } from '../shared/tx/witnessSet.ts';
import {
  amount,
  bytes32,
  describeIssues,
  sortedUnique,
  uint,
  U64_MAX,
} from '../shared/tx/schema.ts';

const certSchema = v.strictObject({
  net: bytes32,
  account: bytes32,
  key: bytes32,
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_DEVICE_NAME)),
  allowance: v.pipe(
    amount,
    v.check((n) => n <= U64_MAX >> 1n, 'allowance out of range'),
  ),
});

const revokeSchema = v.strictObject({
  net: bytes32,
  author: bytes32,
  account: bytes32,
  device: bytes32,
  head: v.nullable(v.strictTuple([uint, bytes32])),
  to: bytes32,
});

/** Sorted, unique keys; `min` 1 where witnessSetMessage leaves an empty list out. */
const keyList = (what: string, max: number) =>
  v.pipe(
    v.array(bytes32, `${what}: expected a list of keys`),
    v.minLength(1, `${what}: an empty list is left out, never signed`),
    v.maxLength(max, `${what}: at most ${max} keys`),
    v.check((list) => sortedUnique(list), `${what}: keys must be sorted and unique`),
  );

/** shared/tx/witnessSet.ts witnessSetMessage's fields, exactly as it writes them. */
const witnessSetSchema = v.strictObject({
  net: bytes32,
  author: bytes32,
  epoch: v.pipe(
    v.number('expected an epoch number'),
    v.safeInteger('expected an epoch number'),
    v.minValue(1, 'a change opens epoch 1 or later'),
  ),
  witnesses: keyList('witnesses', MAX_WITNESSES),
  admit: v.optional(keyList('admit', MAX_MEMBER_CHANGES)),
  remove: v.optional(keyList('remove', MAX_MEMBER_CHANGES)),
  close: v.optional(v.literal(true, 'close is true or absent')),
});

export interface IdentityMessageContext {
  /**
   * The networks the app has open now (hex network ids). A change of the witnesses is signed
   * only for one of these; without them, none is.
   */
  readonly openNetworks?: () => Iterable<string>;
}

export type IdentityMessageCheck =
  { readonly ok: true } | { readonly ok: false; readonly message: string };

interface Kind<T> {
  readonly domain: Uint8Array;
  readonly schema: v.GenericSchema<unknown, T>;
  readonly what: string;
  /** What is wrong with a well-formed message for this identity, or null. */
  readonly refuse: (
    parsed: T,
    identity: Uint8Array,
    context: IdentityMessageContext,
  ) => string | null;
}

interface AnyKind {
  readonly domain: Uint8Array;
  check(
    body: Uint8Array,
    identity: Uint8Array,
    context: IdentityMessageContext,
  ): IdentityMessageCheck;
}

function kind<T>(spec: Kind<T>): AnyKind {
  return {
    domain: spec.domain,
    check(body, identity, context) {
      const decoded = decodeCanonical(body, MAX_IDENTITY_MESSAGE_BYTES);
      if (!decoded.ok) return { ok: false, message: `the ${spec.what} is ${decoded.reason}` };
      const parsed = v.safeParse(spec.schema, decoded.value);
      if (!parsed.success)
        return {
          ok: false,
          message: `the ${spec.what} is malformed: ${describeIssues(parsed.issues)}`,
        };
      const refusal = spec.refuse(parsed.output, identity, context);
      return refusal === null ? { ok: true } : { ok: false, message: refusal };
    },
  };
}

const forThisIdentity =
  (what: string) =>
  (parsed: { account: Uint8Array }, identity: Uint8Array): string | null =>
    bytesEqual(parsed.account, identity) ? null : `the ${what} is for another identity`;

const KINDS: readonly AnyKind[] = [
  kind({
    domain: DEVICE_CERT_DOMAIN,
    schema: certSchema,
    what: 'device certificate',
    refuse: forThisIdentity('device certificate'),
  }),
  kind({
    domain: DEVICE_REVOKE_DOMAIN,
    schema: revokeSchema,
    what: 'revocation',
    refuse: forThisIdentity('revocation'),
  }),
  kind({
    domain: WITNESS_SET_DOMAIN,
    schema: witnessSetSchema,
    what: 'change of the witnesses',
    refuse: (parsed, identity, context) => {
      const net = toHex(parsed.net);
      const open = context.openNetworks ? [...context.openNetworks()] : [];
      if (!open.some((id) => id.toLowerCase() === net))
        return 'the change of the witnesses is for a network the app does not have open';
      // A proposal is the one transaction of a fresh one-time key (§13.2), never the identity.
      if (bytesEqual(parsed.author, identity))
        return 'the change of the witnesses names the identity itself as its one-time key';
      return null;
    },
  }),
  // A signed message (docs/keys.md): its domain and the 32-byte digest of the text, whatever the
  // text says. The domain keeps it from being anything else, so no more is checked.
  {
    domain: SIGNED_MESSAGE_DOMAIN,
    check: (body) =>
      body.length === SIGNED_MESSAGE_BYTES - SIGNED_MESSAGE_DOMAIN.length
        ? { ok: true }
        : { ok: false, message: 'the signed message is not its domain and a 32-byte digest' },
  },
];

/**
 * Whether main may sign `message` for `identity` (its 32-byte public key), given the networks
 * the app has open. Never throws.
 */
export function checkIdentityMessage(
  message: unknown,
  identity: Uint8Array,
  context: IdentityMessageContext = {},
): IdentityMessageCheck {
  if (!(message instanceof Uint8Array) || message.length > MAX_IDENTITY_MESSAGE_BYTES)
    return { ok: false, message: 'it is not a message of a known kind' };
  const found = KINDS.find((k) => startsWith(message, k.domain));
  if (!found)
    return {
      ok: false,
      message:
        'it is neither a device certificate nor a revocation nor a change of the witnesses nor a signed message',
    };
  return found.check(message.subarray(found.domain.length), identity, context);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length > prefix.length && bytesEqual(bytes.subarray(0, prefix.length), prefix);
}
