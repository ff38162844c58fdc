// valibot building blocks shared by the envelope and the transaction types. Every schema here
// parses values produced by the canonical CBOR decoder: integers arrive as number or bigint,
// byte strings as Uint8Array, maps as null-prototype objects.
import * as v from 'valibot';
import { compareBytes } from '../bytes.ts';
import { internKey } from '../ids.ts';

export const U64_MAX = (1n << 64n) - 1n;

export const bytesOf = (length: number) =>
  v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length === length, `expected exactly ${length} bytes`),
  );

export const bytes32 = bytesOf(32);

/** A public key (32 bytes), interned: a network names the same few hundred keys over and over. */
export const publicKey32 = v.pipe(
  bytes32,
  v.transform((key) => internKey(key).key),
);

export const maxBytes = (max: number) =>
  v.pipe(
    v.instance(Uint8Array, 'expected a byte string'),
    v.check((b) => b.length <= max, `at most ${max} bytes`),
  );

/** A non-negative safe integer (sequence numbers, times, counts). */
export const uint = v.pipe(
  v.number('expected an integer'),
  v.safeInteger('expected an integer'),
  v.minValue(0, 'must not be negative'),
);

/** A money amount in minor units: any unsigned 64-bit integer, always returned as a bigint. */
export const amount = v.pipe(
  v.union([v.pipe(v.number(), v.safeInteger()), v.bigint()], 'expected an integer amount'),
  v.transform((n) => BigInt(n)),
  v.check((n) => n >= 0n && n <= U64_MAX, 'amount out of range'),
);

export const positiveAmount = v.pipe(
  amount,
  v.check((n) => n > 0n, 'amount must be positive'),
);

/** Formats valibot issues as one sentence naming the path, for rejection messages. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path?.map((p) => shown(p.key, MAX_SHOWN_KEY)).join('.') ?? '';
      // A library message may quote what it received: shown the same way, cut at a sentence's length.
      const message = shown(issue.message, MAX_SHOWN_MESSAGE);
      return path ? `${path}: ${message}` : message;
    })
    .join('; ');
}

/** Control, bidi and invisible characters, by fixed code points (no Unicode-version tables). */
export const HIDDEN_CHARACTERS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/u;
const MAX_SHOWN_KEY = 32;
const MAX_SHOWN_MESSAGE = 120;

/**
 * Text from a stranger as a refusal shows it (a map key can be anything): hidden characters
 * become "?" and it is cut short, keeping every sentence short and plain.
 */
function shown(value: unknown, max: number): string {
  const text = String(value).replace(new RegExp(HIDDEN_CHARACTERS.source, 'gu'), '?');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** True when the byte strings are in strictly increasing order: sorted, with no repeats. */
export function sortedUnique(list: readonly Uint8Array[]): boolean {
  for (let i = 1; i < list.length; i++) {
    if (compareBytes(list[i - 1] as Uint8Array, list[i] as Uint8Array) >= 0) return false;
  }
  return true;
}
