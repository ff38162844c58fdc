// The one canonical encoding for everything GPoW signs: a strict subset of CBOR (RFC 8949)
// with deterministic encoding (section 4.2.1): shortest-form integers and lengths, map keys
// sorted bytewise, definite lengths only. Allowed values are unsigned and negative integers
// (numbers that are safe integers, or bigints within 64 bits), byte strings, UTF-8 strings,
// arrays, maps with string keys, booleans and null. No floats, no tags, no undefined.
//
// Decoding is strict and proves canonicality by re-encoding: a byte string is accepted only if
// encoding what it decodes to gives back exactly the same bytes. That one check rules out
// non-minimal integers, unsorted or duplicate keys, indefinite lengths, half floats that happen
// to hold integers, and invalid UTF-8, whatever cborg itself tolerates.
import { decode, encode, rfc8949EncodeOptions } from 'cborg';
import { bytesEqual } from '../bytes.ts';

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
const MAX_DEPTH = 16;

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
 * Maps decode to null-prototype objects so that a key such as "__proto__" is plain data,
 * never a prototype change. Only string keys are allowed.
 */
function fromDecoded(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new Error(`nesting deeper than ${MAX_DEPTH}`);
  if (value instanceof Map) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of value as Map<unknown, unknown>) {
      if (typeof key !== 'string') throw new Error('map keys must be strings');
      out[key] = fromDecoded(item, depth + 1);
    }
    return out;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => fromDecoded(item, depth + 1));
  if (value instanceof Uint8Array) return plain(value);
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new Error('floating-point numbers are not allowed');
  }
  return value;
}

/**
 * `trusted` skips the re-encoding proof of canonicality (about half the cost). Only for bytes
 * this peer itself checked before storing them (its own log, under its checkpoint).
 */
export function decodeCanonical(
  input: unknown,
  maxBytes: number,
  options: { trusted?: boolean } = {},
): CborDecodeResult {
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
  let value: unknown;
  try {
    value = fromDecoded(
      decode(input, {
        strict: true,
        useMaps: true,
        rejectDuplicateMapKeys: true,
        allowIndefinite: false,
        allowUndefined: false,
        allowInfinity: false,
        allowNaN: false,
        allowBigInt: true,
      }),
      0,
    );
  } catch (error) {
    // cborg signals every decoding problem by throwing; deep nesting can also overflow the stack.
    return {
      ok: false,
      reason: 'malformed',
      detail: error instanceof Error ? error.message : 'undecodable',
    };
  }
  if (options.trusted) return { ok: true, value };
  let again: Uint8Array;
  try {
    again = encodeCanonical(value as CborValue);
  } catch (error) {
    return {
      ok: false,
      reason: 'non-canonical',
      detail: error instanceof Error ? error.message : 'unencodable',
    };
  }
  if (!bytesEqual(again, input)) {
    return { ok: false, reason: 'non-canonical', detail: 'bytes are not in canonical form' };
  }
  return { ok: true, value };
}
