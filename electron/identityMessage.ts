// What main signs with the identity's key besides transactions (docs/protocol.md §12): a device
// certificate or a revocation's authorisation, and nothing else. The renderer sends the exact
// message; main checks that it is one of these two, in its one canonical encoding, naming the
// unlocked identity as the account, before it signs. So the key still cannot sign arbitrary
// bytes for another protocol, nor a certificate or revocation for another identity.
import * as v from 'valibot';
import { MAX_IDENTITY_MESSAGE_BYTES } from '../shared/bridge/contract.ts';
import { bytesEqual } from '../shared/bytes.ts';
import { decodeCanonical } from '../shared/codec/cbor.ts';
import { DEVICE_CERT_DOMAIN, DEVICE_REVOKE_DOMAIN, MAX_DEVICE_NAME } from '../shared/tx/device.ts';
import { amount, bytes32, describeIssues, uint, U64_MAX } from '../shared/tx/schema.ts';

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

const KINDS = [
  { domain: DEVICE_CERT_DOMAIN, schema: certSchema, what: 'device certificate' },
  { domain: DEVICE_REVOKE_DOMAIN, schema: revokeSchema, what: 'revocation' },
] as const;

export type IdentityMessageCheck =
  { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Whether main may sign `message` for `identity` (its 32-byte public key). Never throws. */
export function checkIdentityMessage(message: unknown, identity: Uint8Array): IdentityMessageCheck {
  if (!(message instanceof Uint8Array) || message.length > MAX_IDENTITY_MESSAGE_BYTES)
    return { ok: false, message: 'it is not a message of a known kind' };
  const kind = KINDS.find((k) => startsWith(message, k.domain));
  if (!kind) return { ok: false, message: 'it is neither a device certificate nor a revocation' };
  const decoded = decodeCanonical(message.subarray(kind.domain.length), MAX_IDENTITY_MESSAGE_BYTES);
  if (!decoded.ok) return { ok: false, message: `the ${kind.what} is ${decoded.reason}` };
  const parsed = v.safeParse(kind.schema, decoded.value);
  if (!parsed.success)
    return {
      ok: false,
      message: `the ${kind.what} is malformed: ${describeIssues(parsed.issues)}`,
    };
  if (!bytesEqual(parsed.output.account, identity))
    return { ok: false, message: `the ${kind.what} is for another identity` };
  return { ok: true };
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return bytes.length > prefix.length && bytesEqual(bytes.subarray(0, prefix.length), prefix);
}
