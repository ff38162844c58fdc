// The one canonical encoding for everything GPoW signs: a strict subset of CBOR (RFC 8949)
// with deterministic encoding (section 4.2.1): shortest-form integers and lengths, map keys
// sorted bytewise, definite lengths only. Allowed values are unsigned and negative integers
// (numbers that are safe integers, or bigints within 64 bits), byte strings, UTF-8 strings,
// arrays, maps with string keys, booleans and null. No floats, no tags, no undefined.
//
// Encoding uses cborg with RFC 8949's deterministic options. Decoding is our own strict reader
// (cborDecode.ts): a byte string is accepted only if it is the one canonical encoding of a value
// in the subset, so encoding what it decodes to gives back exactly the same bytes.
import { encode, rfc8949EncodeOptions } from 'cborg';
import { CborDecodeError, decodeStrict, MAX_DEPTH } from './cborDecode.ts';

export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | readonly CborValue[]
  | { readonly [key: string]: CborValue };

const U64_MAX = (1n << 64n) - 1n;

/** Thrown by encodeCanonical for values outside the canonical subset: a programming error. */
export class CborEncodeError extends Error {
  override name = 'CborEncodeError';
}

function assertEncodable(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw new CborEncodeError(`nesting deeper than ${MAX_DEPTH}`);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CborEncodeError(`not a safe integer: ${value}`);
    return;
  }
  if (typeof value === 'bigint') {
    if (value > U64_MAX || value < -U64_MAX - 1n)
      throw new CborEncodeError('bigint beyond 64 bits');
    return;
  }
  if (value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (const item of value) assertEncodable(item, depth + 1);
    return;
  }
  if (typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) throw new CborEncodeError(`undefined value at key ${key}`);
      assertEncodable(item, depth + 1);
    }
    return;
  }
  throw new CborEncodeError(`unsupported type ${typeof value}`);
}

/**
 * A plain Uint8Array view of the same bytes. cborg hands out Node Buffers when it can, but
 * code downstream (Yjs among it) accepts only exact Uint8Arrays.
 */
function plain(bytes: Uint8Array): Uint8Array {
  return bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeCanonical(value: CborValue): Uint8Array {
  assertEncodable(value, 0);
  return plain(encode(value, rfc8949EncodeOptions));
}

export type CborDecodeResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly reason: 'oversized' | 'malformed' | 'non-canonical';
      readonly detail: string;
    };

/**
 * Decodes untrusted bytes that must be one value of the canonical subset, in canonical form
 * (cborDecode.ts). Maps come back as null-prototype objects, byte strings as views into `input`.
 */
export function decodeCanonical(input: unknown, maxBytes: number): CborDecodeResult {
  if (!(input instanceof Uint8Array)) {
    return { ok: false, reason: 'malformed', detail: 'input is not a byte array' };
  }
  if (input.length > maxBytes) {
    return {
      ok: false,
      reason: 'oversized',
      detail: `${input.length} bytes exceeds the limit of ${maxBytes}`,
    };
  }
  try {
    return { ok: true, value: decodeStrict(input) };
  } catch (error) {
    if (error instanceof CborDecodeError) {
      return { ok: false, reason: error.reason, detail: error.message };
    }
    // Nothing else is expected; a stack overflow cannot happen within MAX_DEPTH.
    return { ok: false, reason: 'malformed', detail: 'undecodable' };
  }
}
