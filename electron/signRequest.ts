// Sign requests, as main receives them. The renderer's desktop signer (renderer/runtime/
// signer.ts encodeSignRequest) sends an unsigned transaction as canonical CBOR: the map
// { net, seq, prev, deps, type, body, time }, ids as 32-byte strings and net null for a genesis.
// Bytes cross the bridge intact (bigints and byte strings inside a body included), and main
// decodes them with the same strict decoder as every transaction. The author is not in the
// request: main fills in the unlocked identity's key.
import * as v from 'valibot';
import { MAX_SIGN_REQUEST_BYTES } from '../shared/bridge/contract.ts';
import { decodeCanonical, type CborValue } from '../shared/codec/cbor.ts';
import { txIdOf, type TxId } from '../shared/ids.ts';
import { MAX_DEPS, type UnsignedTx } from '../shared/tx/envelope.ts';
import { bytes32, describeIssues, sortedUnique, uint } from '../shared/tx/schema.ts';

const TYPE_NAME = /^[a-z][a-z0-9-]{0,31}$/u;

const signRequestSchema = v.strictObject({
  net: v.nullable(bytes32),
  seq: uint,
  prev: v.nullable(bytes32),
  deps: v.pipe(v.array(bytes32), v.maxLength(MAX_DEPS, `at most ${MAX_DEPS} dependencies`)),
  type: v.pipe(
    v.string(),
    v.regex(TYPE_NAME, 'type must be a lowercase name of at most 32 characters'),
  ),
  body: v.unknown(),
  time: uint,
});

export type SignRequestParse =
  | { readonly ok: true; readonly unsigned: UnsignedTx }
  | { readonly ok: false; readonly message: string };

/** Decodes an untrusted sign request. Never throws. */
export function decodeSignRequest(bytes: unknown): SignRequestParse {
  const decoded = decodeCanonical(bytes, MAX_SIGN_REQUEST_BYTES);
  if (!decoded.ok) {
    return { ok: false, message: `the sign request is ${decoded.reason}: ${decoded.detail}` };
  }
  const parsed = v.safeParse(signRequestSchema, decoded.value);
  if (!parsed.success) {
    return {
      ok: false,
      message: `the sign request is malformed: ${describeIssues(parsed.issues)}`,
    };
  }
  const r = parsed.output;
  if (!sortedUnique(r.deps)) {
    return { ok: false, message: 'the sign request is malformed: deps must be sorted and unique' };
  }
  return {
    ok: true,
    unsigned: {
      net: r.net === null ? null : txIdOf(r.net),
      seq: r.seq,
      prev: r.prev === null ? null : txIdOf(r.prev),
      deps: r.deps.map((d): TxId => txIdOf(d)),
      type: r.type,
      // The canonical decoder produced it, so it is a CborValue (null-prototype maps and all).
      body: r.body as CborValue,
      time: r.time,
    },
  };
}
