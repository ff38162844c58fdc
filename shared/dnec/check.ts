// Input checks shared by the DNEC building blocks. They throw a RangeError whose message names
// the offending value, because a bad input here is a caller's bug (the ledger parses
// transactions with its schemas first), and a clear sentence is the quickest way to find it.
import { U64_MAX } from '../tx/schema.ts';

const HEX64 = /^[0-9a-f]{64}$/;

/** True for 64 lowercase hex characters: the shape of a KeyHex or a TxId. */
export const isHex64 = (value: unknown): value is string =>
  typeof value === 'string' && HEX64.test(value);

export function assertHex64(value: unknown, what: string): void {
  if (!isHex64(value)) {
    throw new RangeError(`${what} must be 64 lowercase hex characters, got ${show(value)}`);
  }
}

/** An unsigned 64-bit quantity as the ledger stores it (amounts, capacities, volumes). */
export function assertU64(value: unknown, what: string): asserts value is bigint {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new RangeError(`${what} must be a bigint from 0 to 2^64 − 1, got ${show(value)}`);
  }
}

/** A non-negative safe integer (counts, milliseconds, list sizes). */
export function assertCount(value: unknown, what: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${show(value)}`);
  }
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return String(value);
}
