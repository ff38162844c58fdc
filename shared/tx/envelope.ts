// The transaction envelope and its one canonical wire form.
//
// Wire form: the canonical CBOR array [unsigned, signature], where `unsigned` is the map
//   { v, net, author, seq, prev, deps, type, body, time }
// and the signature is Ed25519 over  DOMAIN || canonical-bytes(unsigned).
// Because the unsigned map is encoded once and embedded as is, the signed bytes are a slice of
// the wire bytes: verification never re-encodes. The transaction id is sha256(wire bytes).
import { sha256 } from '../crypto/sha256.ts';
import * as v from 'valibot';
import { bytesEqual, concat, fromHex, utf8 } from '../bytes.ts';
import { decodeCanonical, encodeCanonical, type CborValue } from '../codec/cbor.ts';
import { signMessage, publicKeyOf } from '../crypto/ed25519.ts';
import { internKey, txIdOf, type KeyHex, type NetworkId, type TxId } from '../ids.ts';
import { reject, type Rejection } from './rejection.ts';
import { bytes32, bytesOf, describeIssues, sortedUnique, uint } from './schema.ts';

export const TX_VERSION = 1;
export const MAX_TX_BYTES = 64 * 1024;
export const MAX_DEPS = 64;
/** Separates transaction signatures from every other thing an identity signs. */
export const TX_SIGNING_DOMAIN = utf8('GPoW/tx/v1\n');
/** Genesis has no network yet: its `net` field is 32 zero bytes, and its id becomes the network id. */
export const NO_NETWORK = new Uint8Array(32);

export interface Tx<B = unknown> {
  readonly id: TxId;
  /** The signed wire bytes, exactly as stored and replicated. signedMessageOf gives what is signed. */
  readonly bytes: Uint8Array;
  readonly net: NetworkId | null;
  readonly author: KeyHex;
  readonly authorKey: Uint8Array;
  readonly seq: number;
  readonly prev: TxId | null;
  readonly deps: readonly TxId[];
  readonly type: string;
  readonly body: B;
  /** The author's claimed time in ms: shown to users, never used by any rule. */
  readonly time: number;
}

export interface UnsignedTx {
  readonly net: NetworkId | null;
  readonly seq: number;
  readonly prev: TxId | null;
  readonly deps: readonly TxId[];
  readonly type: string;
  readonly body: CborValue;
  readonly time: number;
}

const TYPE_NAME = /^[a-z][a-z0-9-]{0,31}$/u;

const typeName = v.pipe(
  v.string(),
  v.regex(TYPE_NAME, 'type must be a lowercase name of at most 32 characters'),
);

const envelopeSchema = v.strictObject({
  v: v.literal(TX_VERSION, `unsupported version (this peer speaks version ${TX_VERSION})`),
  net: bytes32,
  author: bytes32,
  seq: uint,
  prev: v.nullable(bytes32),
  deps: v.pipe(v.array(bytes32), v.maxLength(MAX_DEPS, `at most ${MAX_DEPS} dependencies`)),
  type: typeName,
  body: v.unknown(),
  time: uint,
});

const wireSchema = v.strictTuple([v.unknown(), bytesOf(64)], 'expected [transaction, signature]');

type Envelope = v.InferOutput<typeof envelopeSchema>;

const ENVELOPE_KEYS = ['v', 'net', 'author', 'seq', 'prev', 'deps', 'type', 'body', 'time'];

const isBytes32 = (x: unknown): x is Uint8Array => x instanceof Uint8Array && x.length === 32;
const isUint = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/**
 * The common case in plain code: true only when the schemas below would accept `value` as is
 * (test/tx/envelopeFastPath.test.ts holds it to that). Anything else goes through valibot,
 * which decides and words the rejection. Parsing every transaction with valibot cost a quarter
 * of decoding.
 */
function plainlyValid(e: Record<string, unknown>): boolean {
  for (const key of ENVELOPE_KEYS) if (!(key in e)) return false;
  if (Object.keys(e).length !== ENVELOPE_KEYS.length) return false;
  const { deps } = e;
  return (
    e['v'] === TX_VERSION &&
    isBytes32(e['net']) &&
    isBytes32(e['author']) &&
    isUint(e['seq']) &&
    (e['prev'] === null || isBytes32(e['prev'])) &&
    Array.isArray(deps) &&
    deps.length <= MAX_DEPS &&
    deps.every(isBytes32) &&
    typeof e['type'] === 'string' &&
    TYPE_NAME.test(e['type']) &&
    isUint(e['time'])
  );
}

/** [unsigned, signature] parsed: the envelope's fields and the 64-byte signature. */
export function parseWire(
  value: unknown,
): { ok: true; envelope: Envelope; signature: Uint8Array } | { ok: false; detail: string } {
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    value[1] instanceof Uint8Array &&
    value[1].length === 64 &&
    typeof value[0] === 'object' &&
    value[0] !== null &&
    !Array.isArray(value[0]) &&
    !(value[0] instanceof Uint8Array) &&
    plainlyValid(value[0] as Record<string, unknown>)
  ) {
    return { ok: true, envelope: value[0] as Envelope, signature: value[1] };
  }
  return parseWireWithSchemas(value);
}

/** parseWire by the schemas alone: the reference the fast path is held to. */
export function parseWireWithSchemas(
  value: unknown,
): { ok: true; envelope: Envelope; signature: Uint8Array } | { ok: false; detail: string } {
  const wire = v.safeParse(wireSchema, value);
  if (!wire.success) return { ok: false, detail: describeIssues(wire.issues) };
  const env = v.safeParse(envelopeSchema, wire.output[0]);
  if (!env.success) return { ok: false, detail: describeIssues(env.issues) };
  return { ok: true, envelope: env.output, signature: wire.output[1] };
}

export type DecodeResult<B = unknown> =
  { readonly ok: true; readonly tx: Tx<B> } | { readonly ok: false; readonly rejection: Rejection };

export interface DecodeOptions {
  /**
   * The caller hands the input over: nothing else holds or will change it (a record just read
   * from storage), so the transaction keeps it instead of a copy. Checks are unchanged.
   */
  readonly owned?: boolean;
  /**
   * The id of exactly these bytes (their sha256), when the caller has just computed it, as the
   * replication screen does to match keys: it is not computed a second time.
   */
  readonly id?: TxId;
  /**
   * Canonical strings for ids this transaction names (prev, deps): given one it has seen, it
   * returns the string it already holds. A log lists parents first, so while a peer loads it,
   * each transaction's prev is the id of one loaded before: one string instead of two.
   */
  readonly knownIds?: { get(id: string): TxId | undefined };
}

/**
 * Decodes untrusted bytes into an envelope whose body is still unparsed (`unknown`); the type
 * registry parses bodies. Never throws: every failure is a typed rejection.
 */
export function decodeEnvelope(input: unknown, options: DecodeOptions = {}): DecodeResult {
  if (!(input instanceof Uint8Array)) {
    return { ok: false, rejection: reject('malformed', 'input is not a byte array') };
  }
  // Decode a private copy: the caller may reuse its buffer, and the decoded byte strings (author,
  // signature, ids) are views into what was decoded. A caller that hands over its buffer saves it.
  const bytes = input.length <= MAX_TX_BYTES && !options.owned ? new Uint8Array(input) : input;
  const decoded = decodeCanonical(bytes, MAX_TX_BYTES);
  if (!decoded.ok) return { ok: false, rejection: reject(decoded.reason, decoded.detail) };

  const parsed = parseWire(decoded.value);
  if (!parsed.ok) return { ok: false, rejection: reject('malformed', parsed.detail) };
  const e = parsed.envelope;

  if (!sortedUnique(e.deps)) {
    return { ok: false, rejection: reject('malformed', 'deps must be sorted and unique') };
  }
  if ((e.seq === 0) !== (e.prev === null)) {
    return {
      ok: false,
      rejection: reject('bad-sequence', 'seq 0 has no prev, and every later seq has one'),
    };
  }
  if (e.prev !== null && e.deps.some((d) => bytesEqual(d, e.prev as Uint8Array))) {
    return { ok: false, rejection: reject('malformed', 'prev must not repeat in deps') };
  }
  const isGenesisNet = bytesEqual(e.net, NO_NETWORK);
  if (isGenesisNet !== (e.type === 'genesis')) {
    return { ok: false, rejection: reject('wrong-network', 'only genesis has no network id') };
  }

  const author = internKey(e.author);
  return {
    ok: true,
    tx: {
      id: options.id ?? txIdOf(sha256(bytes)),
      bytes,
      net: isGenesisNet ? null : internNet(e.net),
      author: author.hex,
      authorKey: author.key,
      seq: e.seq,
      prev: e.prev === null ? null : canonicalId(txIdOf(e.prev), options.knownIds),
      deps:
        e.deps.length === 0 ? NO_DEPS : e.deps.map((d) => canonicalId(txIdOf(d), options.knownIds)),
      type: e.type,
      body: e.body,
      time: e.time,
    },
  };
}

/**
 * The bytes a transaction's signature covers: the domain, then the unsigned map. The wire array
 * is [unsigned, sig]: a 1-byte array header, the unsigned map, then the 66-byte encoding of the
 * signature (0x58 0x40 + 64 bytes). Built on demand, for the one check of each signature,
 * rather than kept with every transaction a peer holds.
 */
export function signedMessageOf(tx: { readonly bytes: Uint8Array }): Uint8Array {
  return concat(TX_SIGNING_DOMAIN, tx.bytes.subarray(1, tx.bytes.length - 66));
}

/** A transaction's 64-byte signature: the last bytes of its wire form (a view, not a copy). */
export function signatureOf(tx: { readonly bytes: Uint8Array }): Uint8Array {
  return tx.bytes.subarray(tx.bytes.length - 64);
}

/** Most transactions have no deps: they share one frozen empty list. */
const NO_DEPS: readonly TxId[] = Object.freeze([]);

const canonicalId = (id: TxId, known: DecodeOptions['knownIds']): TxId => known?.get(id) ?? id;

// The same network id is on every transaction of a network: one string for all of them.
let lastNet: { readonly bytes: Uint8Array; readonly id: NetworkId } | null = null;

function internNet(bytes: Uint8Array): NetworkId {
  if (lastNet && bytesEqual(lastNet.bytes, bytes)) return lastNet.id;
  lastNet = { bytes: Uint8Array.from(bytes), id: txIdOf(bytes) };
  return lastNet.id;
}

/** Produces an Ed25519 signature: noble by default; a key vault or a native signer can stand in. */
export type Signer = (secretKey: Uint8Array, message: Uint8Array) => Uint8Array;

/** Builds, signs and encodes a transaction. Deps are sorted here so callers need not care. */
export function signTx(
  secretKey: Uint8Array,
  unsigned: UnsignedTx,
  sign: Signer = signMessage,
): Uint8Array {
  const deps = [...new Set(unsigned.deps)].sort();
  const map: CborValue = {
    v: TX_VERSION,
    net: unsigned.net === null ? NO_NETWORK : fromHex(unsigned.net),
    author: publicKeyOf(secretKey),
    seq: unsigned.seq,
    prev: unsigned.prev === null ? null : fromHex(unsigned.prev),
    deps: deps.map((d) => fromHex(d)),
    type: unsigned.type,
    body: unsigned.body,
    time: unsigned.time,
  };
  const unsignedBytes = encodeCanonical(map);
  const signature = sign(secretKey, concat(TX_SIGNING_DOMAIN, unsignedBytes));
  // Encoding [map, sig] re-encodes the map; canonical encoding makes that byte-identical.
  return encodeCanonical([map, signature]);
}
